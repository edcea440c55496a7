"""`GET /v1/erasures/report` on every service (issue 18, part 5): what the service's keyring
erased, per kind of data, month and reason, counts only (who: never). Intake's rows are persons
and rejected input; every service's are its dead letters (kind `dead_letter`). `ssp
erasure-report` asks every service and lists the rows together. For the auditor and management
(the data protection officer's view); audited like every request."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from shared.auth.access import Access, guard
from shared.auth.policy import PlatformAction
from shared.keys.keyring import Erasure

ErasureSource = Callable[[], Sequence[Erasure]]
"""The service's erasures (its keyring's `erasures`), read in the store's thread."""


class ReportRow(BaseModel):
    kind: str
    month: str = Field(description="YYYY-MM (UTC)")
    reason: str
    count: int


class ErasureReport(BaseModel):
    service: str
    rows: list[ReportRow]


def report_rows(erasures: Sequence[Erasure]) -> list[ReportRow]:
    counts = Counter((e.kind, e.erased_at.strftime("%Y-%m"), e.reason) for e in erasures)
    return [
        ReportRow(kind=kind, month=month, reason=reason, count=count)
        for (kind, month, reason), count in sorted(counts.items())
    ]


def erasure_report_router(
    service: str, run: Callable[..., Awaitable[Any]], source: ErasureSource
) -> APIRouter:
    """`run`: the store's runner (`ServiceContext.in_store`)."""
    router = APIRouter(tags=["erasure"])

    @router.get(
        "/v1/erasures/report",
        summary="How much this service erased, per kind of data, month and reason (counts only)",
        response_model=ErasureReport,
    )
    async def erasure_report(
        access: Annotated[Access, guard(PlatformAction.READ_ERASURE_REPORT)],
    ) -> ErasureReport:
        erasures: Sequence[Erasure] = await run(source)
        rows = report_rows(erasures)
        access.note(count=len(rows))
        return ErasureReport(service=service, rows=rows)

    return router
