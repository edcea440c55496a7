"""How the console's pages ask the services: with the user's own token, a failed call said in
Danish (`domain/errors.py`). `Problems` gathers what a page could not get, so it shows the rest;
`refusal_of` says why a command was refused."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import TypeVar

from services.console.adapters.platform_api import ApiError
from services.console.domain.errors import danish_error

T = TypeVar("T")


@dataclass
class Problems:
    """Danish messages of the calls that failed; the page shows what it could get."""

    messages: list[str] = field(default_factory=list)

    async def attempt(self, call: Awaitable[T], default: T) -> T:
        try:
            return await call
        except ApiError as exc:
            message = danish_error(exc.service, exc.status, exc.code)
            if message not in self.messages:
                self.messages.append(message)
            return default


async def refusal_of(call: Awaitable[object]) -> str | None:
    """None when the call to a service succeeded, else why not, in Danish."""
    try:
        await call
    except ApiError as exc:
        return danish_error(exc.service, exc.status, exc.code)
    return None
