"""Exit-programme commands over HTTP (the exit coordinator's app)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from services.courses.application.access_policy import CoursesAction
from services.courses.application.commands import exit_programme as c
from services.courses.application.course_index import ReferralSummary
from services.courses.domain.calendar import local_date
from services.courses.entrypoints.handlers import (
    COMMAND_RESPONSES,
    CommandRoute,
    Service,
    add_command_routes,
    add_start_route,
    start_course,
)
from shared.auth import Access, Resource, guard
from shared.runtime import Ctx

router = APIRouter(
    prefix="/v1/exit-programmes", tags=["exit programme"], responses=COMMAND_RESPONSES
)

add_start_route(
    router,
    CoursesAction.REFER_TO_EXIT_PROGRAMME,
    c.ReferToExitProgramme,
    "refer",
    "Refer a person of 15 or over (police, PET, Kriminalforsorgen, a municipal department)",
)


@router.post(
    "/from-referral/{referral_id}",
    status_code=201,
    summary="Start an exit programme from triage's referral: person, municipality, age and "
    "journal number come from the referral (404 alike for an unknown referral and one out of "
    "reach)",
)
async def start_from_referral(
    referral_id: str,
    command: c.StartFromReferral,
    access: Annotated[Access, guard(CoursesAction.REFER_TO_EXIT_PROGRAMME)],
    ctx: Ctx,
    service: Service,
) -> JSONResponse:
    referral: ReferralSummary = access.found(await ctx.in_store(service.referral, referral_id))
    access.note(person_keys=[referral.person_key])
    await access.require(Resource.of(referral.municipality_code), conceal=True)
    today = local_date(service.clock())
    return await start_course(ctx, service, command.command_for(referral, today), access)


add_command_routes(
    router,
    CoursesAction.MANAGE_EXIT_PROGRAMME,
    [
        CommandRoute(
            "record-clarifying-talk",
            c.RecordClarifyingTalk,
            "A clarifying talk: in the target group? motivated?",
        ),
        CommandRoute(
            "accept",
            c.AcceptIntoProgramme,
            "Accept into the programme (needs a talk that found target group and motivation)",
        ),
        CommandRoute("decline", c.DeclineReferral, "Decline the referral, with a reason"),
        CommandRoute(
            "agree-contract",
            c.AgreeContract,
            "Agree (or revise) the contract: which department implements which measure by when",
        ),
        CommandRoute(
            "complete-contract-measure",
            c.CompleteContractMeasure,
            "A contract measure was implemented",
        ),
        CommandRoute(
            "record-meeting",
            c.RecordMeeting,
            "A cooperation meeting was held (one is due every calendar month while active)",
        ),
        CommandRoute(
            "transfer",
            c.TransferProgramme,
            "The person moved: the programme transfers, obligations continue, the "
            "receiving municipality has access from now on",
        ),
        CommandRoute(
            "escalate-to-infohus",
            c.EscalateToInfohus,
            "Bring the case to the Infohus",
            name="escalate",
        ),
        CommandRoute(
            "end", c.EndProgramme, "End the programme: completed or dropped out, with a reason"
        ),
    ],
)
