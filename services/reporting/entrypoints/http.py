"""Reporting's HTTP API: the handover list, a journal number's trace, and the rebuild."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.responses import JSONResponse

from services.reporting.application.projection import Projection
from services.reporting.application.queries import HandoverList, ReportingQueries, Trace
from services.reporting.domain.weeks import InvalidIsoWeek, IsoWeek
from shared.runtime import ServiceContext

_MUNICIPALITY_CODE = re.compile(r"[0-9]{3}")


def _invalid(field: str, code: str, message: str) -> JSONResponse:
    # The shape of shared.http's 422 bodies: the field and why, never the input echoed back.
    return JSONResponse(
        {
            "error": "invalid_request",
            "problems": [{"field": field, "code": code, "message": message}],
        },
        status_code=422,
    )


def create_http_app(
    ctx: ServiceContext, queries: ReportingQueries, projection: Projection
) -> FastAPI:
    api = FastAPI(
        title="SSP reporting",
        version="1",
        description="Read models: the weekly handover list and the trace of a journal number.",
    )

    @api.get(
        "/v1/handover/{municipality_code}/{iso_week}",
        summary="Persons registered in an ISO week (Danish time) who live in the municipality",
        response_model=HandoverList,
        responses={422: {"description": "bad municipality code or ISO week"}},
    )
    async def handover(municipality_code: str, iso_week: str) -> Any:
        if _MUNICIPALITY_CODE.fullmatch(municipality_code) is None:
            return _invalid(
                "municipality_code", "municipality_code", "a municipality code is three digits"
            )
        try:
            week = IsoWeek.parse(iso_week)
        except InvalidIsoWeek as exc:
            return _invalid("iso_week", "iso_week", str(exc))
        return await ctx.in_store(queries.handover, municipality_code, week)

    @api.get(
        "/v1/trace/{journal_number}",
        summary="Every step each service took for a journal number, in time order",
        response_model=Trace,
        responses={404: {"description": "nothing is known about the journal number"}},
    )
    async def trace(journal_number: str) -> Trace:
        found: Trace | None = await ctx.in_store(queries.trace, journal_number)
        if found is None:
            raise HTTPException(status_code=404, detail="no steps recorded for that journal number")
        return found

    @api.post("/v1/admin/rebuild", summary="Rebuild the read models from the event store")
    async def rebuild() -> dict[str, Any]:
        events: int = await ctx.in_store(projection.rebuild)
        return {"rebuilt": True, "events": events}

    return api
