"""Triage's HTTP API: the routing decisions of an incident's latest revision, and the
municipality profiles they were made by."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, HTTPException

from services.triage.application.service import LatestTriage, TriageService
from shared.contracts.common import MUNICIPALITY_CODE_PATTERN
from shared.runtime import ServiceContext

MUNICIPALITY_CODE = re.compile(MUNICIPALITY_CODE_PATTERN)


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

    @api.get(
        "/v1/profiles",
        summary="The municipality profiles in force, the default profile last",
    )
    async def list_profiles() -> list[dict[str, Any]]:
        # Profiles are read once at start and never change: no store access needed.
        return [p.model_dump(mode="json") for p in service.profiles.all()]

    @api.get(
        "/v1/profiles/{code}",
        summary="The profile applied to a municipality code (its own, else the default)",
        responses={422: {"description": "not a three-digit municipality code"}},
    )
    async def get_profile(code: str) -> dict[str, Any]:
        if not MUNICIPALITY_CODE.fullmatch(code):
            raise HTTPException(status_code=422, detail="municipality code must be three digits")
        return service.profiles.for_municipality(code).model_dump(mode="json")

    return api
