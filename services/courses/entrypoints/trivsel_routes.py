"""TRIVSEL+ commands over HTTP (the SSP coordinator's app)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from services.courses.application.access_policy import CoursesAction
from services.courses.application.commands import trivsel as c
from services.courses.application.course_index import Eligibility
from services.courses.domain.eligibility import NotEligible
from services.courses.entrypoints.handlers import (
    COMMAND_RESPONSES,
    CommandRoute,
    Service,
    add_command_routes,
    start_course,
)
from shared.auth import Access, Resource, guard
from shared.runtime import Ctx

Manage = Annotated[Access, guard(CoursesAction.MANAGE_TRIVSEL_COURSE)]
"""The guard of this router's routes."""


router = APIRouter(prefix="/v1/trivsel-courses", tags=["TRIVSEL+"], responses=COMMAND_RESPONSES)


@router.post(
    "",
    status_code=201,
    summary="Start a TRIVSEL+ course from a step placement (the person must have been "
    "routed to the SSP coordinator for that journal number: else 422 not_eligible; "
    "started before: 409 course_exists)",
)
async def start(
    command: c.StartTrivsel, access: Manage, ctx: Ctx, service: Service
) -> JSONResponse:
    access.note(person_keys=[command.person_key])
    eligibility: Eligibility | None = await ctx.in_store(
        service.eligibility, command.person_key, command.journal_number
    )
    if eligibility is not None:
        decision = access.decide(Resource.of(eligibility.municipality_code))
        if not decision.allowed:
            # Out of reach looks exactly like not eligible: the same 422.
            await access.record_outcome("denied", decision.reason)
            raise NotEligible(c.NOT_ELIGIBLE)
    return await start_course(ctx, service, command, access)


add_command_routes(
    router,
    CoursesAction.MANAGE_TRIVSEL_COURSE,
    [
        CommandRoute("place-on-step", c.PlaceOnStep, "Place the person on another step"),
        CommandRoute("request-consent", c.RequestConsent, "Parental consent was requested"),
        CommandRoute(
            "record-consent",
            c.RecordConsent,
            "Consent was given or refused, or is not required (adults only)",
        ),
        CommandRoute("add-goal", c.AddGoal, "Add a goal to the plan"),
        CommandRoute("add-measure", c.AddMeasure, "Add a measure for a goal to the plan"),
        CommandRoute("start-measure", c.StartMeasure, "Start a measure (needs consent: else 409)"),
        CommandRoute("complete-measure", c.CompleteMeasure, "A started measure was completed"),
        CommandRoute("review", c.ReviewItem, "A goal or measure was reviewed"),
        CommandRoute(
            "record-follow-up",
            c.RecordFollowUp,
            "A follow-up: letter of concern, concern talk, home or school visit, GUSA",
        ),
        CommandRoute(
            "close",
            c.CloseTrivsel,
            "Close the course: completed, dropped or handed to social services",
        ),
    ],
)
