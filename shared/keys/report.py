"""The erasure report (issue 18, part 5): counts of the owners a service's keyring erased, per
kind of data, month (UTC) and reason; never who. Each service with a keyring answers it
(`GET /v1/erasures/report`, `erasure_report_router`); `ssp erasure-report` lists them
together.

(No `from __future__ import annotations` here: the route's annotations name `action`, which
FastAPI could not resolve from a string.)"""

from collections import Counter
from collections.abc import Container, Iterable
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from shared.auth import Access, Action, guard
from shared.keys.keyring import Erasure, PersonKeyring
from shared.runtime import Ctx, ServiceContext


class ReportRow(BaseModel):
    kind: str
    month: str = Field(description="YYYY-MM (UTC)")
    reason: str
    count: int


class ErasureReport(BaseModel):
    rows: list[ReportRow]


def count_erasures(
    erasures: Iterable[Erasure], kinds: Container[str] | None = None
) -> ErasureReport:
    """`kinds`: only those (a service leaves out what another service counts)."""
    counts = Counter(
        (e.kind, e.erased_at.strftime("%Y-%m"), e.reason)
        for e in erasures
        if kinds is None or e.kind in kinds
    )
    return ErasureReport(
        rows=[
            ReportRow(kind=kind, month=month, reason=reason, count=count)
            for (kind, month, reason), count in sorted(counts.items())
        ]
    )


async def erasure_report_answer(
    access: Access,
    ctx: ServiceContext,
    keyring: PersonKeyring,
    kinds: Container[str] | None = None,
) -> ErasureReport:
    """A service's `GET /v1/erasures/report`: its keyring's erasures counted (in the store's
    thread), audited with how many rows it answered."""
    report = count_erasures(await ctx.in_store(keyring.erasures), kinds)
    access.note(count=len(report.rows))
    return report


def erasure_report_router(
    action: Action,
    keyring: PersonKeyring | None = None,
    kinds: Container[str] | None = None,
    summary: str = "How much was erased, per kind of data, month and reason (counts only)",
) -> APIRouter:
    """`GET /v1/erasures/report` of the service's `keyring` (by default the one the runtime
    opened for its application: `app.keyring`), for those `action` allows; `kinds` and
    `summary` as the service counts and describes them."""
    router = APIRouter(tags=["erasure"])

    @router.get("/v1/erasures/report", summary=summary, response_model=ErasureReport)
    async def erasure_report(access: Annotated[Access, guard(action)], ctx: Ctx) -> ErasureReport:
        ring = keyring or ctx.app.keyring
        assert ring is not None, "the runtime opens a keyring for every service"
        return await erasure_report_answer(access, ctx, ring, kinds)

    return router
