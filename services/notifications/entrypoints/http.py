"""Notifications' HTTP API: list a municipality's letter tasks and complete them; the letters'
routes (preview, send, waive, escalation counts: issue 16) are in `letters_http.py`, what
both share in `task_calls.py`. Every route is guarded (shared/auth) and audited."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, HTTPException, Query

from services.notifications.application.access_policy import NotificationsAction
from services.notifications.application.caseworker_side import CaseworkerSide
from services.notifications.application.letters import LetterDesk
from services.notifications.application.service import NotificationsService, TaskNotFound
from services.notifications.application.task_index import TO_DO
from services.notifications.domain.case_state import TaskClosed
from services.notifications.entrypoints import assessments_http, letters_http
from services.notifications.entrypoints.task_calls import (
    TaskCall,
    task_body,
    task_call,
    task_resource,
)
from shared.auth import AccessControl
from shared.contracts import LetterTaskEvent
from shared.contracts.letter_tasks import EscalationLevel
from shared.http import MunicipalityQuery, service_api
from shared.runtime import ServiceContext

StatusFilter = Literal[
    "to_do", "open", "overdue", "completed", "sent", "waived", "cancelled", "all"
]

ListingTasks = Annotated[TaskCall, task_call(NotificationsAction.READ_LETTER_TASKS)]
CompletingTask = Annotated[TaskCall, task_call(NotificationsAction.COMPLETE_LETTER_TASK)]
router = APIRouter(prefix="/v1/letter-tasks")


def create_http_app(
    ctx: ServiceContext,
    service: NotificationsService,
    auth: AccessControl,
    desk: LetterDesk | None = None,
) -> FastAPI:
    """`desk`: the letters' routes too (issue 16)."""
    routers = [router, assessments_http.router]
    side = CaseworkerSide(service)
    if desk is None:
        api = service_api(
            "SSP notifications",
            "Letter tasks for parents and youths: list and complete them; caseworkers' "
            "assessments and family meetings.",
            auth,
            routers,
            ctx=ctx,
            service=service,
            caseworker_side=side,
        )
        assessments_http.answer_refusals(api)
        return api
    api = service_api(
        "SSP notifications",
        "Letter tasks for parents and youths: list and complete them; preview, send and "
        "waive their letters.",
        auth,
        [*routers, letters_http.router],
        ctx=ctx,
        service=service,
        desk=desk,
        caseworker_side=side,
    )
    letters_http.answer_problems(api)
    assessments_http.answer_refusals(api)
    return api


@router.get(
    "",
    summary="One municipality's letter tasks, the most urgent (soonest due) first; by default "
    "those still to do, open and overdue together (X-Purpose required; 403 for a municipality "
    "outside your token; the police see the tasks they own). escalated_to=team_leader (with "
    "owner_team=<the leader's team>) is the team leader's worklist.",
)
async def list_tasks(
    municipality_code: MunicipalityQuery,
    call: ListingTasks,
    status: StatusFilter = "to_do",
    escalated_to: EscalationLevel | None = None,
    owner_team: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
) -> dict[str, Any]:
    await call.access.require_listing(municipality_code)
    wanted = None if status == "all" else TO_DO if status == "to_do" else status
    letters: list[LetterTaskEvent] = await call.ctx.in_store(
        call.service.tasks, municipality_code, wanted, escalated_to
    )
    shown = [
        letter
        for letter in letters
        if call.access.permits(task_resource(letter))
        and (owner_team is None or letter.owner_team == owner_team)
    ]
    call.access.note(
        term=f"{municipality_code}/{status}",
        person_keys=[letter.person_key for letter in shown],
        count=len(shown),
    )
    return {
        "municipality_code": municipality_code,
        "status": status,
        "tasks": [task_body(letter) for letter in shown],
    }


@router.post(
    "/{task_id}/complete",
    summary="Mark a letter task completed (the letter was sent or the meeting held)",
    responses={
        404: {"description": "no letter task with that id, or not one in your reach"},
        409: {"description": "the task was already completed or cancelled"},
    },
)
async def complete_task(task_id: str, call: CompletingTask) -> dict[str, Any]:
    await call.task_in_reach(task_id)
    try:
        letter: LetterTaskEvent = await call.ctx.in_store(call.service.complete_task, task_id)
    except TaskNotFound:
        raise call.access.not_found() from None
    except TaskClosed as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    call.access.note(count=1)
    return task_body(letter)
