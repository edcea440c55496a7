"""Follow-up actions over HTTP (issue 17, part 2): any of the municipality's staff who follow
young people record what they did — on any route, inside a TRIVSEL+ course or not — and
complete or reschedule the agreed next step. Reads answer the note (opened from its sealed
form); lists answer codes and dates only."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from services.courses.application.access_policy import CoursesAction, follow_up_resource
from services.courses.application.commands.follow_up import (
    ChangeFollowUp,
    CompleteNextStep,
    RecordFollowUpAction,
    RescheduleNextStep,
)
from services.courses.application.follow_up_index import FollowUpQuery
from services.courses.application.follow_ups import FollowUpNotFound
from services.courses.domain.follow_up import FollowUpAction
from services.courses.entrypoints.handlers import COMMAND_RESPONSES, Service
from services.courses.entrypoints.views import follow_up_body, follow_up_summary_body
from shared.auth import Access, Resource, guard
from shared.contracts.common import MAX_ID_CHARS, MUNICIPALITY_CODE_PATTERN
from shared.runtime import Ctx, ServiceContext

Record = Annotated[Access, guard(CoursesAction.RECORD_FOLLOW_UP)]
Read = Annotated[Access, guard(CoursesAction.READ_FOLLOW_UPS)]
OwnerQuery = Annotated[
    str | None,
    Query(pattern=r"^[A-Za-z0-9ÆØÅæøå._-]{1,40}$", description="The next step's owner."),
]

router = APIRouter(prefix="/v1/follow-ups", tags=["follow-up actions"], responses=COMMAND_RESPONSES)


@router.post(
    "",
    status_code=201,
    summary="Record a follow-up action for a person (any route); with `course_id` it belongs "
    "to that TRIVSEL+ course (403 for a municipality outside your token)",
)
async def record(command: RecordFollowUpAction, access: Record, ctx: Ctx, service: Service) -> Any:
    access.note(person_keys=[command.person_key])
    await access.require(Resource.of(command.municipality_code), conceal=False)
    action: FollowUpAction = await ctx.in_store(
        service.follow_ups.record, command, access.principal.role
    )
    access.note(term=str(action.id), count=1)
    return JSONResponse(
        await _answer(ctx, service, action),
        status_code=201,
        headers={"Location": f"/v1/follow-ups/{action.id}"},
    )


@router.get(
    "",
    summary="The municipality's follow-up actions, most recently held first: a person's "
    "(`person_key`), a course's (`course_id`), or the next steps an owner has (`owner`); "
    "`status`: all | open | overdue (X-Purpose required; notes are not listed)",
)
async def list_actions(
    municipality_code: Annotated[str, Query(pattern=MUNICIPALITY_CODE_PATTERN)],
    access: Read,
    ctx: Ctx,
    service: Service,
    person_key: Annotated[str | None, Query(max_length=MAX_ID_CHARS)] = None,
    owner: OwnerQuery = None,
    course_id: Annotated[str | None, Query(max_length=MAX_ID_CHARS)] = None,
    status: Literal["all", "open", "overdue"] = "all",
) -> dict[str, Any]:
    await access.require_listing(municipality_code)
    query = FollowUpQuery(municipality_code, person_key, owner, course_id, status)
    found = [
        action
        for action in await ctx.in_store(service.follow_ups.actions, query)
        if access.permits(follow_up_resource(action.municipality_code, action.recorded_by_role))
    ]
    access.note(
        term=municipality_code, person_keys=sorted({a.person_key for a in found}), count=len(found)
    )
    return {
        "municipality_code": municipality_code,
        "follow_ups": [follow_up_summary_body(a) for a in found],
    }


@router.get(
    "/{action_id}",
    summary="A follow-up action with its note (X-Purpose required)",
    responses={404: {"description": "no such action, or none in your reach"}},
)
async def get_action(action_id: UUID, access: Read, ctx: Ctx, service: Service) -> dict[str, Any]:
    action = await _in_reach(access, ctx, service, action_id)
    access.note(count=1)
    return await _answer(ctx, service, action)


@router.post("/{action_id}/complete-next-step", summary="The next step was done")
async def complete_next_step(
    action_id: UUID, command: CompleteNextStep, access: Record, ctx: Ctx, service: Service
) -> dict[str, Any]:
    return await _change(access, ctx, service, action_id, command)


@router.post(
    "/{action_id}/reschedule-next-step",
    summary="The next step moved to another owner or day (not in the past)",
)
async def reschedule_next_step(
    action_id: UUID, command: RescheduleNextStep, access: Record, ctx: Ctx, service: Service
) -> dict[str, Any]:
    return await _change(access, ctx, service, action_id, command)


async def _change(
    access: Access,
    ctx: ServiceContext,
    service: Any,
    action_id: UUID,
    command: ChangeFollowUp,
) -> dict[str, Any]:
    await _in_reach(access, ctx, service, action_id)
    action: FollowUpAction = await ctx.in_store(service.follow_ups.change, action_id, command)
    access.note(count=1)
    return await _answer(ctx, service, action)


async def _in_reach(
    access: Access, ctx: ServiceContext, service: Any, action_id: UUID
) -> FollowUpAction:
    """The action if it exists and the caller may see its municipality; else the same 404."""
    try:
        action: FollowUpAction = await ctx.in_store(service.follow_ups.action, action_id)
    except FollowUpNotFound:
        raise access.not_found() from None
    access.note(person_keys=[action.person_key])
    await access.require(
        follow_up_resource(action.municipality_code, action.recorded_by_role), conceal=True
    )
    return action


async def _answer(ctx: ServiceContext, service: Any, action: FollowUpAction) -> dict[str, Any]:
    note: str | None = await ctx.in_store(service.follow_ups.note, action)
    return follow_up_body(action, note, service.clock())
