"""The erasure report (`ssp erasure-report`, issue 18 part 5) as each service with a keyring
answers it (`GET /v1/erasures/report`): its keyring's erasures counted per kind, month (UTC)
and reason; never who."""

from collections import Counter
from collections.abc import Iterable
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from shared.auth import Access, Action, guard
from shared.keys.keyring import Erasure, PersonKeyring
from shared.runtime import Ctx


class ReportRow(BaseModel):
    kind: str
    month: str = Field(description="YYYY-MM (UTC)")
    reason: str
    count: int


class ErasureReport(BaseModel):
    rows: list[ReportRow]

    @classmethod
    def of(cls, erasures: Iterable[Erasure]) -> "ErasureReport":
        counts = Counter((e.kind, e.erased_at.strftime("%Y-%m"), e.reason) for e in erasures)
        return cls(
            rows=[
                ReportRow(kind=kind, month=month, reason=reason, count=count)
                for (kind, month, reason), count in sorted(counts.items())
            ]
        )


def erasure_report_router(action: Action, keyring: PersonKeyring) -> APIRouter:
    """`GET /v1/erasures/report` of the service's `keyring`, for those `action` allows. (No
    `from __future__ import annotations` here: the route's annotations name `action`, which
    FastAPI could not resolve from a string.)"""
    router = APIRouter(tags=["erasure"])

    @router.get(
        "/v1/erasures/report",
        summary="How much was erased, per kind of data, month and reason (counts only)",
        response_model=ErasureReport,
    )
    async def erasure_report(access: Annotated[Access, guard(action)], ctx: Ctx) -> ErasureReport:
        report = ErasureReport.of(await ctx.in_store(keyring.erasures))
        access.note(count=len(report.rows))
        return report

    return router
