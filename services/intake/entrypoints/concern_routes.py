"""Concerns that do not come from the police (issue 15, part 5): `POST /v1/concerns` registers
one (the same as a message on ssp.concerns.v1), `GET /v1/concerns/{concern_id}` gives those
who act on it the reporter, the category and the free text (a stated purpose, audited).

A concern that fails validation is rejected and kept for correction like a bad incident
(`/v1/rejected/{reference}`); the answer names the problems, never the input."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from services.intake.application.access_policy import IntakeAction
from services.intake.application.concerns import (
    ConcernSubmission,
    concern_record,
    confidential_of,
    reach_named,
)
from services.intake.application.service import IntakeService
from services.intake.domain.problem_messages import readable_problem
from services.intake.entrypoints.parts import Intake, RawBody
from shared.auth import Access, Resource, guard
from shared.contracts import rejected_path
from shared.eventstore import UnitOfWork
from shared.http_responses import described

concerns = APIRouter(prefix="/v1/concerns", tags=["concerns"])
_STATUS = {"accepted": 202, "duplicate": 200, "rejected": 422}


def submission_body(
    result: ConcernSubmission,
    message: str = "the concern was rejected and kept for correction",
) -> dict[str, Any]:
    if result.outcome != "rejected":
        return {
            "status": result.outcome,
            "concern_id": result.concern_id,
            "municipality_code": result.municipality_code,
            "iso_week": result.iso_week,
        }
    first = result.problems[0] if result.problems else None
    return {
        "status": "rejected",
        "error": "invalid_concern",
        "message": f"{message}; see problems",
        "field": first.field if first else None,
        "reference": result.reference,
        "problems": [readable_problem(p.model_dump()) for p in result.problems],
        "retrievable_at": rejected_path(result.reference or ""),
    }


def concern_response(result: ConcernSubmission, message: str | None = None) -> JSONResponse:
    body = submission_body(result) if message is None else submission_body(result, message)
    return JSONResponse(body, status_code=_STATUS[result.outcome])


async def require_concern_reach(access: Access, raw: bytes) -> None:
    """The young person's municipality (and a school representative's school) must be the
    caller's; input too broken to name one passes (it is kept as a rejection all the same)."""
    code, school = reach_named(raw)
    if code is not None:
        await access.require(Resource.of(code, school=school), conceal=False)


@concerns.post(
    "",
    summary="Register a concern about a young person (a school, the SSP network, a parent or "
    "the night team): the body is a `Concern` (docs/contracts.md)",
    responses=described(
        {
            202: "accepted: on the next weekly meeting's agenda",
            200: "a duplicate of a concern id registered before",
            403: "the municipality or school is outside your token",
            413: "the body is larger than SSP_HTTP_MAX_BODY_BYTES",
            422: "rejected and kept for correction (reference, problems)",
        }
    ),
)
async def register_concern(
    access: Annotated[Access, guard(IntakeAction.REGISTER_CONCERN)],
    intake: Intake,
    raw: RawBody,
) -> JSONResponse:
    await require_concern_reach(access, raw)
    result: ConcernSubmission = await intake.in_store(intake.service.submit_concern, raw)
    access.note(term=result.concern_id or result.reference, count=1)
    return concern_response(result)


def _read(service: IntakeService, concern_id: str) -> Any:
    record = concern_record(UnitOfWork(service.app), concern_id)
    if record is None:
        return None
    confidential = confidential_of(record, service.sealer)
    return None if confidential is None else (record, confidential)  # None: erased


@concerns.get(
    "/{concern_id}",
    summary="Who reported a concern, its category and what they wrote (X-Purpose required; "
    "tovholder, team leader, caseworker of the young person's municipality; audited)",
    responses=described({404: "unknown, or outside your municipalities"}),
)
async def read_concern(
    concern_id: str,
    access: Annotated[Access, guard(IntakeAction.READ_CONCERN)],
    intake: Intake,
) -> dict[str, Any]:
    access.note(term=concern_id[:100])
    record, confidential = access.found(
        await intake.in_store(_read, intake.service, concern_id) if len(concern_id) <= 100 else None
    )
    registered = record.registered
    await access.require(Resource.of(registered["municipality_code"]), conceal=True)
    access.note(person_keys=[registered["person_key"]], count=1)
    return {
        "concern_id": record.concern_id,
        "person_key": registered["person_key"],
        "municipality_code": registered["municipality_code"],
        "school": registered.get("school"),
        "category": confidential["category"],
        "reporter": confidential["reporter"],
        "text": confidential["text"],
        "registered_at": registered["registered_at"],
        "iso_week": registered["iso_week"],
    }
