"""Intake's HTTP API: submit incidents; authorised staff fetch and correct rejected input and
resolve a pseudonym to the person. Every route is guarded (shared/auth) and audited."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from services.intake.application.identities import IdentityDirectory, ResolvedIdentity
from services.intake.application.service import IntakeService, RejectionNotFound, SubmissionResult
from shared.auth import Access, AccessControl, Action, Resource, guard
from shared.runtime import ServiceContext

_STATUS = {"accepted": 202, "duplicate": 200, "superseded": 200, "rejected": 422}


class ResolveRequest(BaseModel):
    purpose: str = Field(min_length=1, max_length=500, description="Why you need the identity")


class ResolvedPerson(BaseModel):
    person_key: str
    cpr: str
    names: list[str]


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


def create_http_app(
    ctx: ServiceContext,
    service: IntakeService,
    identities: IdentityDirectory,
    auth: AccessControl,
) -> FastAPI:
    api = FastAPI(
        title="SSP intake",
        version="1",
        description="Police incidents in; rejected input for correction; identity resolution.",
    )
    auth.install(api)

    async def rejected_in_reach(access: Access, reference: str) -> Any:
        """The rejected input, if it exists and names a municipality in the caller's reach;
        404 alike otherwise."""
        try:
            rejected = await ctx.in_store(service.rejected_input, reference)
        except RejectionNotFound:
            raise access.not_found() from None
        named = identities.persons_named(base64.b64decode(rejected.original_b64))
        access.note(term=reference, person_keys=named.person_keys)
        await access.require(Resource(municipalities=named.municipalities), conceal=True)
        return rejected

    @api.post(
        "/v1/incidents",
        summary="Submit a police incident (contracts.md §1); scope incidents:write",
        responses={
            202: {"description": "accepted"},
            200: {"description": "duplicate or superseded"},
            422: {"description": "rejected and kept for correction"},
        },
    )
    async def submit_incident(
        request: Request, access: Annotated[Access, guard(Action.SUBMIT_INCIDENT)]
    ) -> JSONResponse:
        raw = await request.body()
        result: SubmissionResult = await ctx.in_store(service.submit_incident, raw)
        access.note(term=result.journal_number or result.reference)
        return _result_response(result)

    @api.get(
        "/v1/rejected/{reference}",
        summary="The original of rejected input and why it was rejected (X-Purpose required)",
    )
    async def get_rejected(
        reference: str, access: Annotated[Access, guard(Action.READ_REJECTED_INPUT)]
    ) -> dict[str, Any]:
        rejected = await rejected_in_reach(access, reference)
        access.note(count=1)
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

    @api.post(
        "/v1/rejected/{reference}/resubmit",
        summary="Submit the corrected document; marks the rejection corrected",
    )
    async def resubmit(
        reference: str,
        request: Request,
        access: Annotated[Access, guard(Action.RESUBMIT_REJECTED_INPUT)],
    ) -> JSONResponse:
        await rejected_in_reach(access, reference)
        raw = await request.body()
        # The correction may not bring in municipalities outside the caller's reach: each one
        # it names must be in reach (not just any, as for reading).
        for code in sorted(identities.persons_named(raw).municipalities):
            await access.require(Resource.of(code), conceal=False)
        try:
            result = await ctx.in_store(service.resubmit, reference, raw)
        except RejectionNotFound:
            raise access.not_found() from None
        return _result_response(result)

    @api.post(
        "/v1/identities/{person_key}/resolve",
        summary="Name(s) and CPR number behind a pseudonym: one person, a stated purpose, "
        "audited, rate limited; 404 alike for unknown persons and persons out of reach",
        response_model=ResolvedPerson,
    )
    async def resolve_identity(
        person_key: str,
        body: ResolveRequest,
        access: Annotated[Access, guard(Action.RESOLVE_IDENTITY)],
    ) -> ResolvedPerson:
        found: ResolvedIdentity | None = await ctx.in_store(identities.resolve, person_key)
        if found is None:
            raise access.not_found()
        await access.require(Resource(municipalities=found.municipalities), conceal=True)
        access.note(count=1)
        return ResolvedPerson(person_key=person_key, cpr=found.cpr, names=list(found.names))

    return api
