"""The caseworker's side over HTTP (issue 17, part 3; why it lives here:
`application/caseworker_side.py`): `POST /v1/assessments` records an assessment exactly as
one on `ssp.caseworker.assessments.v1` is (the parents' letter follows), and
`POST /v1/assessments/family-meeting` the meeting held with a summoned family. Only for a
person routed to the caseworker in the caller's municipality (else 404, alike for unknown)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from services.notifications.application.access_policy import NotificationsAction
from services.notifications.application.caseworker_side import (
    CaseworkerSide,
    NoDecisionHere,
    PersonOnRoute,
)
from services.notifications.domain.caseworker_record import CaseworkerRecordRefused
from shared.auth import Access, DataKind, Resource, guard
from shared.contracts import AssessmentOutcome, CaseworkerAssessment
from shared.contracts.common import MAX_INITIALS_CHARS, JournalNumber, PersonKey
from shared.http import from_app
from shared.runtime import Ctx, ServiceContext

Record = Annotated[Access, guard(NotificationsAction.RECORD_ASSESSMENT)]
Side = Annotated[CaseworkerSide, from_app("caseworker_side")]
Initials = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9ÆØÅæøå._-]{1,50}$",
        max_length=MAX_INITIALS_CHARS,
        description="Initials of the caseworker.",
        examples=["ABJ"],
    ),
]

router = APIRouter(prefix="/v1/assessments", tags=["caseworker"])


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    journal_number: JournalNumber
    person_key: PersonKey


class AssessmentIn(Body):
    outcome: AssessmentOutcome = Field(
        description="inform (orienter: parents, and the youth from 15, are informed) | summon "
        "(indkald: parents and youth are summoned to a meeting)."
    )
    caseworker: Initials
    at: datetime | None = Field(
        default=None, description="When it was assessed (with offset); now when omitted."
    )


class FamilyMeetingIn(Body):
    held_on: date = Field(description="The day of the meeting; not in the future.")
    caseworker: Initials
    youth_attended: bool = Field(description="Whether the young person took part.")


async def _own_person(
    access: Access, ctx: ServiceContext, side: CaseworkerSide, body: Body
) -> None:
    """A person routed to the caseworker in the caller's reach; else 404, alike for unknown."""
    access.note(person_keys=[body.person_key], term=body.journal_number)
    try:
        person: PersonOnRoute = await ctx.in_store(
            side.person, body.journal_number, body.person_key
        )
    except NoDecisionHere:
        raise access.not_found() from None
    await access.require(
        Resource.of(person.municipality_code, kind=DataKind.SOCIAL_SERVICES), conceal=True
    )
    if person.route != "caseworker":
        raise CaseworkerRecordRefused("the person is not on the caseworker route")


@router.post(
    "",
    summary="Record a caseworker's assessment (inform | summon) of a person routed to the "
    "caseworker; the parents' letter follows as from ssp.caseworker.assessments.v1",
)
async def assess(body: AssessmentIn, access: Record, ctx: Ctx, side: Side) -> dict[str, Any]:
    await _own_person(access, ctx, side, body)
    assessment = CaseworkerAssessment(
        journal_number=body.journal_number,
        person_key=body.person_key,
        outcome=body.outcome,
        caseworker=body.caseworker,
        at=body.at or side.service.clock(),
    )
    result = await ctx.in_store(side.assess, assessment)
    access.note(count=1)
    return {
        "journal_number": body.journal_number,
        "person_key": body.person_key,
        "outcome": body.outcome,
        "result": result,
    }


@router.post(
    "/family-meeting",
    summary="Record the meeting held with a summoned family (409 not_summoned without a summons)",
)
async def family_meeting(
    body: FamilyMeetingIn, access: Record, ctx: Ctx, side: Side
) -> dict[str, Any]:
    await _own_person(access, ctx, side, body)
    await ctx.in_store(
        side.hold_family_meeting,
        body.journal_number,
        body.person_key,
        body.held_on,
        body.caseworker,
        body.youth_attended,
    )
    access.note(count=1)
    return {
        "journal_number": body.journal_number,
        "person_key": body.person_key,
        "held_on": body.held_on.isoformat(),
        "youth_attended": body.youth_attended,
    }


def answer_refusals(api: FastAPI) -> None:
    @api.exception_handler(CaseworkerRecordRefused)
    async def refused(_: Request, exc: CaseworkerRecordRefused) -> JSONResponse:
        code = "not_caseworker_route" if exc.code == "rule_violated" else exc.code
        return JSONResponse(
            {"error": code, "message": exc.message, "field": exc.field}, status_code=exc.status
        )
