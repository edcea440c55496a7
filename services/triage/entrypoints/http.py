"""Triage's HTTP API: the routing decisions of an incident's latest revision."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException

from services.triage.application.service import LatestTriage, TriageService
from shared.runtime import ServiceContext


def create_http_app(ctx: ServiceContext, service: TriageService) -> FastAPI:
    api = FastAPI(
        title="SSP triage",
        version="1",
        description="Routing decisions: caseworker or SSP coordinator (tovholder) stream.",
    )

    @api.get(
        "/v1/decisions/{journal_number}",
        summary="The routing decisions of an incident's latest revision (contracts.md §4)",
        responses={404: {"description": "no revision of this journal number was triaged"}},
    )
    async def get_decisions(journal_number: str) -> dict[str, Any]:
        latest: LatestTriage | None = await ctx.in_store(service.latest_triage, journal_number)
        if latest is None:
            raise HTTPException(status_code=404, detail="no decisions for that journal number")
        return {
            "journal_number": latest.journal_number,
            "revision": latest.revision,
            "decisions": [d.model_dump(mode="json") for d in latest.decisions],
            "out_of_scope": latest.out_of_scope,
        }

    return api
