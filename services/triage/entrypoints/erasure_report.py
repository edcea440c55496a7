"""Triage's part of the erasure report (`ssp erasure-report`, issue 18 part 5): its keyring's
erasures per kind (`person`: the key sealing a person's meeting texts, destroyed on
`PersonErased`; `meeting_minutes`, `concern`: the retention job), month and reason. Counts only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from services.triage.application.access_policy import TriageAction
from services.triage.application.app import TriageApplication
from shared.auth import Access, guard
from shared.keys.report import ErasureReport
from shared.runtime import ServiceContext


def erasure_report_router(ctx: ServiceContext, app: TriageApplication) -> APIRouter:
    router = APIRouter(tags=["erasure"])

    @router.get(
        "/v1/erasures/report",
        summary="How much triage erased, per kind of data, month and reason (counts only)",
        response_model=ErasureReport,
    )
    async def erasure_report(
        access: Annotated[Access, guard(TriageAction.READ_ERASURE_REPORT)],
    ) -> ErasureReport:
        report = ErasureReport.of(await ctx.in_store(app.keyring.erasures))
        access.note(count=len(report.rows))
        return report

    return router
