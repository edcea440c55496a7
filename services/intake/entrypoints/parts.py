"""What intake's routes work with, each as one dependency: the intake parts (`intake: Intake`)
and, for a route that validates its body itself to keep what it cannot parse, the body as
sent (`raw: RawBody`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from services.intake.adapters.spreadsheet_guard import SpreadsheetLimits
from services.intake.application.identities import IdentityDirectory
from services.intake.application.service import IntakeService
from shared.http import from_app
from shared.runtime import ServiceContext


@dataclass(frozen=True)
class IntakeParts:
    """The service, the identity directory and the police-list limits `create_http_app` was
    given, with the service context whose store thread runs every call into them."""

    ctx: ServiceContext
    service: IntakeService
    identities: IdentityDirectory
    spreadsheet_limits: SpreadsheetLimits

    async def in_store(self, fn: Callable[..., Any], *args: Any) -> Any:
        """`fn(*args)` in the store's thread (`ServiceContext.in_store`)."""
        return await self.ctx.in_store(fn, *args)


Intake = Annotated[IntakeParts, from_app("intake")]
"""A route's intake parts (`create_http_app` gives them to `service_api` as `intake`)."""


async def _body(request: Request) -> bytes:
    return await request.body()


RawBody = Annotated[bytes, Depends(_body)]
"""The request body as sent; declared after the access guard, it is read once the caller is
let in."""
