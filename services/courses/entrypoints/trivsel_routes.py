"""TRIVSEL+ commands over HTTP (the SSP coordinator's app)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from services.courses.application.commands import trivsel as c
from services.courses.application.course_index import Eligibility
from services.courses.domain.eligibility import NotEligible
from services.courses.entrypoints.handlers import (
    COMMAND_RESPONSES,
    Service,
    change_course,
    start_course,
)
from shared.auth import Access, Action, Resource, guard
from shared.runtime import Ctx

Manage = Annotated[Access, guard(Action.MANAGE_TRIVSEL_COURSE)]
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


@router.post("/{course_id}/place-on-step", summary="Place the person on another step")
async def place_on_step(
    course_id: UUID, command: c.PlaceOnStep, access: Manage, ctx: Ctx, service: Service
) -> dict[str, Any]:
    return await change_course(ctx, service, course_id, command, access)


@router.post("/{course_id}/request-consent", summary="Parental consent was requested")
async def request_consent(
    course_id: UUID, command: c.RequestConsent, access: Manage, ctx: Ctx, service: Service
) -> dict[str, Any]:
    return await change_course(ctx, service, course_id, command, access)


@router.post(
    "/{course_id}/record-consent",
    summary="Consent was given or refused, or is not required (adults only)",
)
async def record_consent(
    course_id: UUID, command: c.RecordConsent, access: Manage, ctx: Ctx, service: Service
) -> dict[str, Any]:
    return await change_course(ctx, service, course_id, command, access)


@router.post("/{course_id}/add-goal", summary="Add a goal to the plan")
async def add_goal(
    course_id: UUID, command: c.AddGoal, access: Manage, ctx: Ctx, service: Service
) -> dict[str, Any]:
    return await change_course(ctx, service, course_id, command, access)


@router.post("/{course_id}/add-measure", summary="Add a measure for a goal to the plan")
async def add_measure(
    course_id: UUID, command: c.AddMeasure, access: Manage, ctx: Ctx, service: Service
) -> dict[str, Any]:
    return await change_course(ctx, service, course_id, command, access)


@router.post("/{course_id}/start-measure", summary="Start a measure (needs consent: else 409)")
async def start_measure(
    course_id: UUID, command: c.StartMeasure, access: Manage, ctx: Ctx, service: Service
) -> dict[str, Any]:
    return await change_course(ctx, service, course_id, command, access)


@router.post("/{course_id}/complete-measure", summary="A started measure was completed")
async def complete_measure(
    course_id: UUID, command: c.CompleteMeasure, access: Manage, ctx: Ctx, service: Service
) -> dict[str, Any]:
    return await change_course(ctx, service, course_id, command, access)


@router.post("/{course_id}/review", summary="A goal or measure was reviewed")
async def review(
    course_id: UUID, command: c.ReviewItem, access: Manage, ctx: Ctx, service: Service
) -> dict[str, Any]:
    return await change_course(ctx, service, course_id, command, access)


@router.post(
    "/{course_id}/record-follow-up",
    summary="A follow-up: letter of concern, concern talk, home or school visit, GUSA",
)
async def record_follow_up(
    course_id: UUID, command: c.RecordFollowUp, access: Manage, ctx: Ctx, service: Service
) -> dict[str, Any]:
    return await change_course(ctx, service, course_id, command, access)


@router.post(
    "/{course_id}/close",
    summary="Close the course: completed, dropped or handed to social services",
)
async def close(
    course_id: UUID, command: c.CloseTrivsel, access: Manage, ctx: Ctx, service: Service
) -> dict[str, Any]:
    return await change_course(ctx, service, course_id, command, access)
