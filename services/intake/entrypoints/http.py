"""Intake's HTTP API: submit incidents; authorised staff fetch and correct rejected input."""

from __future__ import annotations

import base64
import hmac
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.responses import JSONResponse

from services.intake.application.service import IntakeService, RejectionNotFound, SubmissionResult
from shared.runtime import ServiceContext

_STATUS = {"accepted": 202, "duplicate": 200, "superseded": 200, "rejected": 422}


def _result_response(result: SubmissionResult) -> JSONResponse:
    body: dict[str, Any] = {"status": result.outcome}
    if result.journal_number:
        body["journal_number"] = result.journal_number
        body["revision"] = result.revision
    if result.outcome == "rejected":
        body["error"] = "invalid_incident"
        body["reference"] = result.reference
        body["problems"] = [p.model_dump() for p in result.problems]
        body["retrievable_at"] = f"/v1/rejected/{result.reference}"
    return JSONResponse(body, status_code=_STATUS[result.outcome])


def create_http_app(ctx: ServiceContext, service: IntakeService, staff_token: str) -> FastAPI:
    api = FastAPI(
        title="SSP intake",
        version="1",
        description="Police incidents in; rejected input for correction.",
    )

    def require_staff(authorization: Annotated[str | None, Header()] = None) -> None:
        expected = f"Bearer {staff_token}"
        if authorization is None or not hmac.compare_digest(authorization, expected):
            raise HTTPException(status_code=401, detail="authentication required")

    @api.post(
        "/v1/incidents",
        summary="Submit a police incident (contracts.md §1)",
        responses={
            202: {"description": "accepted"},
            200: {"description": "duplicate or superseded"},
            422: {"description": "rejected and kept for correction"},
        },
    )
    async def submit_incident(request: Request) -> JSONResponse:
        raw = await request.body()
        result: SubmissionResult = await ctx.in_store(service.submit_incident, raw)
        return _result_response(result)

    @api.get("/v1/rejected/{reference}", dependencies=[Depends(require_staff)])
    async def get_rejected(reference: str) -> dict[str, Any]:
        try:
            rejected = await ctx.in_store(service.rejected_input, reference)
        except RejectionNotFound:
            raise HTTPException(
                status_code=404, detail="no rejected input with that reference"
            ) from None
        original = base64.b64decode(rejected.original_b64)
        return {
            "reference": rejected.reference,
            "channel": rejected.channel,
            "received_at": rejected.received_at.isoformat(),
            "reasons": rejected.rejection["reasons"],
            "original_base64": rejected.original_b64,
            "original_text": original.decode("utf-8", "replace"),
            "corrected_by": (
                {"journal_number": rejected.corrected_by[0], "revision": rejected.corrected_by[1]}
                if rejected.corrected_by
                else None
            ),
        }

    @api.post("/v1/rejected/{reference}/resubmit", dependencies=[Depends(require_staff)])
    async def resubmit(reference: str, request: Request) -> JSONResponse:
        raw = await request.body()
        try:
            result = await ctx.in_store(service.resubmit, reference, raw)
        except RejectionNotFound:
            raise HTTPException(
                status_code=404, detail="no rejected input with that reference"
            ) from None
        return _result_response(result)

    return api
