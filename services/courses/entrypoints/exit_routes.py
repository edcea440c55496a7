"""Exit-programme commands over HTTP (the exit coordinator's app)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from services.courses.application.commands import exit_programme as c
from services.courses.entrypoints.handlers import (
    COMMAND_RESPONSES,
    Service,
    change_course,
    start_course,
)
from shared.auth import Access, Action, Resource, guard
from shared.runtime import Ctx

Manage = Annotated[Access, guard(Action.MANAGE_EXIT_PROGRAMME)]
"""The guard of this router's routes."""


router = APIRouter(
    prefix="/v1/exit-programmes", tags=["exit programme"], responses=COMMAND_RESPONSES
)


@router.post(
    "",
    status_code=201,
    summary="Refer a person of 15 or over (police, PET, Kriminalforsorgen, a municipal department)",
)
async def refer(
    command: c.ReferToExitProgramme,
    access: Annotated[Access, guard(Action.REFER_TO_EXIT_PROGRAMME)],
    ctx: Ctx,
    service: Service,
) -> JSONResponse:
    await access.require(Resource.of(command.municipality_code), conceal=False)
    return await start_course(ctx, service, command, access)


@router.post(
    "/{course_id}/record-clarifying-talk",
    summary="A clarifying talk: in the target group? motivated?",
)
async def record_clarifying_talk(
    course_id: UUID, command: c.RecordClarifyingTalk, access: Manage, ctx: Ctx, service: Service
) -> dict[str, Any]:
    return await change_course(ctx, service, course_id, command, access)


@router.post(
    "/{course_id}/accept",
    summary="Accept into the programme (needs a talk that found target group and motivation)",
)
async def accept(
    course_id: UUID, command: c.AcceptIntoProgramme, access: Manage, ctx: Ctx, service: Service
) -> dict[str, Any]:
    return await change_course(ctx, service, course_id, command, access)


@router.post("/{course_id}/decline", summary="Decline the referral, with a reason")
async def decline(
    course_id: UUID, command: c.DeclineReferral, access: Manage, ctx: Ctx, service: Service
) -> dict[str, Any]:
    return await change_course(ctx, service, course_id, command, access)


@router.post(
    "/{course_id}/agree-contract",
    summary="Agree (or revise) the contract: which department implements which measure by when",
)
async def agree_contract(
    course_id: UUID, command: c.AgreeContract, access: Manage, ctx: Ctx, service: Service
) -> dict[str, Any]:
    return await change_course(ctx, service, course_id, command, access)


@router.post("/{course_id}/complete-contract-measure", summary="A contract measure was implemented")
async def complete_contract_measure(
    course_id: UUID, command: c.CompleteContractMeasure, access: Manage, ctx: Ctx, service: Service
) -> dict[str, Any]:
    return await change_course(ctx, service, course_id, command, access)


@router.post(
    "/{course_id}/record-meeting",
    summary="A cooperation meeting was held (one is due every calendar month while active)",
)
async def record_meeting(
    course_id: UUID, command: c.RecordMeeting, access: Manage, ctx: Ctx, service: Service
) -> dict[str, Any]:
    return await change_course(ctx, service, course_id, command, access)


@router.post(
    "/{course_id}/transfer",
    summary="The person moved: the programme transfers, obligations continue, the "
    "receiving municipality has access from now on",
)
async def transfer(
    course_id: UUID, command: c.TransferProgramme, access: Manage, ctx: Ctx, service: Service
) -> dict[str, Any]:
    return await change_course(ctx, service, course_id, command, access)


@router.post("/{course_id}/escalate-to-infohus", summary="Bring the case to the Infohus")
async def escalate(
    course_id: UUID, command: c.EscalateToInfohus, access: Manage, ctx: Ctx, service: Service
) -> dict[str, Any]:
    return await change_course(ctx, service, course_id, command, access)


@router.post(
    "/{course_id}/end", summary="End the programme: completed or dropped out, with a reason"
)
async def end(
    course_id: UUID, command: c.EndProgramme, access: Manage, ctx: Ctx, service: Service
) -> dict[str, Any]:
    return await change_course(ctx, service, course_id, command, access)
