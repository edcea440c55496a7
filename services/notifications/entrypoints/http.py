"""Notifications' HTTP API: list a municipality's letter tasks and complete them; preview,
send and waive their letters; management's count of escalations (issue 16). Every route is
guarded (shared/auth) and audited."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import FastAPI, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from services.notifications.adapters.intake_client import (
    RecipientsNotFound,
    RecipientsUnavailable,
)
from services.notifications.application.letters import LetterDesk
from services.notifications.application.sending import SendFailed
from services.notifications.application.service import NotificationsService, TaskNotFound
from services.notifications.application.task_index import TO_DO, status_of
from services.notifications.domain.endings import NotAllowedToWaive
from services.notifications.domain.letter_task_case import NoTask, TaskClosed
from shared.auth import Access, AccessControl, Action, DataKind, Resource, guard
from shared.contracts import LetterTaskEvent
from shared.contracts.common import MUNICIPALITY_CODE_PATTERN
from shared.contracts.letter_tasks import EscalationLevel, WaiverReason
from shared.runtime import ServiceContext

StatusFilter = Literal[
    "to_do", "open", "overdue", "completed", "sent", "waived", "cancelled", "all"
]
MAX_BATCH = 200


class LetterProblem(HTTPException):
    """Why a letter route could not do it, as `{"error", "message"}` like every refusal; the
    message names no person."""

    def __init__(self, status_code: int, error: str, message: str) -> None:
        super().__init__(status_code, detail=message)
        self.error = error


class WaiveRequest(BaseModel):
    reason: WaiverReason = Field(
        description="not_in_childs_interest | already_informed | police_informs"
    )


class SendBatchRequest(BaseModel):
    task_ids: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        min_length=1, max_length=MAX_BATCH, description="The tasks whose letters to send"
    )


POLICE_OWNER = "police_ssp_coordinator"
"""The owner role a municipality profile gives the police's SSP coordinator."""


def task_body(letter: LetterTaskEvent) -> dict[str, Any]:
    """The task's latest event (contracts.md §5) and the status it leaves the task in."""
    return {**letter.model_dump(mode="json"), "status": status_of(letter)}


def task_resource(letter: LetterTaskEvent) -> Resource:
    """A task follows a routing decision or a caseworker's assessment: it reveals social
    services' involvement, unless the profile made the police's coordinator its owner."""
    kind = DataKind.RECORD if letter.owner_role == POLICE_OWNER else DataKind.SOCIAL_SERVICES
    return Resource.of(letter.municipality_code, kind=kind)


def create_http_app(
    ctx: ServiceContext,
    service: NotificationsService,
    auth: AccessControl,
    desk: LetterDesk | None = None,
) -> FastAPI:
    api = FastAPI(
        title="SSP notifications",
        version="1",
        description="Letter tasks for parents and youths: list and complete them.",
    )
    auth.install(api)

    @api.get(
        "/v1/letter-tasks",
        summary="One municipality's letter tasks, the most urgent (soonest due) first; by "
        "default those still to do, open and overdue together (X-Purpose required; 403 for a "
        "municipality outside your token; the police see the tasks they own). "
        "escalated_to=team_leader is the team leader's worklist.",
    )
    async def list_tasks(
        municipality_code: Annotated[str, Query(pattern=MUNICIPALITY_CODE_PATTERN)],
        access: Annotated[Access, guard(Action.READ_LETTER_TASKS)],
        status: StatusFilter = "to_do",
        escalated_to: EscalationLevel | None = None,
    ) -> dict[str, Any]:
        await access.require(Resource.listing_of(municipality_code), conceal=False)
        wanted = None if status == "all" else TO_DO if status == "to_do" else status
        letters: list[LetterTaskEvent] = await ctx.in_store(
            service.tasks, municipality_code, wanted, escalated_to
        )
        shown = [letter for letter in letters if access.permits(task_resource(letter))]
        access.note(
            term=f"{municipality_code}/{status}",
            person_keys=[letter.person_key for letter in shown],
            count=len(shown),
        )
        return {
            "municipality_code": municipality_code,
            "status": status,
            "tasks": [task_body(letter) for letter in shown],
        }

    @api.post(
        "/v1/letter-tasks/{task_id}/complete",
        summary="Mark a letter task completed (the letter was sent or the meeting held)",
        responses={
            404: {"description": "no letter task with that id, or not one in your reach"},
            409: {"description": "the task was already completed or cancelled"},
        },
    )
    async def complete_task(
        task_id: str, access: Annotated[Access, guard(Action.COMPLETE_LETTER_TASK)]
    ) -> dict[str, Any]:
        found: LetterTaskEvent | None = await ctx.in_store(service.task, task_id)
        if found is None:
            raise access.not_found()
        access.note(person_keys=[found.person_key])
        await access.require(task_resource(found), conceal=True)
        try:
            letter: LetterTaskEvent = await ctx.in_store(service.complete_task, task_id)
        except TaskNotFound:
            raise access.not_found() from None
        except TaskClosed as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from None
        access.note(count=1)
        return task_body(letter)

    if desk is not None:
        add_letter_routes(api, ctx, service, desk)
    return api


def add_letter_routes(
    api: FastAPI, ctx: ServiceContext, service: NotificationsService, desk: LetterDesk
) -> None:
    """Issue 16: the letter of a task (preview, send), its waiver, management's counts."""

    @api.exception_handler(LetterProblem)
    async def letter_problem(_: Request, exc: LetterProblem) -> JSONResponse:
        return JSONResponse(
            status_code=exc.status_code, content={"error": exc.error, "message": exc.detail}
        )

    async def task_in_reach(access: Access, task_id: str) -> LetterTaskEvent:
        found: LetterTaskEvent | None = await ctx.in_store(service.task, task_id)
        if found is None:
            raise access.not_found()
        access.note(person_keys=[found.person_key])
        await access.require(task_resource(found), conceal=True)
        return found

    @api.get(
        "/v1/letter-tasks/{task_id}/letter.pdf",
        summary="The task's letter as PDF/A, rendered now with the names and address intake "
        "gives for the purpose 'brev til forældre' (X-Purpose required; audited here and in "
        "intake); ?copy=2 for the second copy (parents living apart)",
        response_class=Response,
        responses={
            200: {"content": {"application/pdf": {}}},
            404: {"description": "no such task in your reach, or intake knows no such person"},
            502: {"description": "intake could not be asked"},
        },
    )
    async def letter_pdf(
        task_id: str,
        request: Request,
        access: Annotated[Access, guard(Action.READ_LETTER)],
        copy: Annotated[int, Query(ge=1, le=10)] = 1,
    ) -> Response:
        task = await task_in_reach(access, task_id)
        try:
            rendered = await desk.rendered(task, request.headers.get("Authorization", ""))
        except RecipientsNotFound:
            raise access.not_found() from None
        except RecipientsUnavailable:
            raise LetterProblem(502, "intake_unavailable", "intake could not be asked") from None
        if copy > len(rendered.copies):
            raise access.not_found()
        access.note(count=1)
        chosen = rendered.copies[copy - 1]
        return Response(
            content=chosen.pdf,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'inline; filename="{chosen.letter_id}.pdf"',
                "X-Letter-Copies": str(len(rendered.copies)),
                "X-Letter-Version": rendered.letter_version,
                "Cache-Control": "no-store",
            },
        )

    async def send_one(access: Access, task_id: str, authorization: str) -> LetterTaskEvent:
        """Send an in-reach task's letter; HTTPException with the status that tells why not."""
        try:
            sent: LetterTaskEvent = await desk.send(
                ctx.in_store, task_id, authorization, access.principal.role
            )
        except (TaskNotFound, NoTask, RecipientsNotFound):
            raise access.not_found() from None
        except TaskClosed as exc:
            raise LetterProblem(409, "task_ended", str(exc)) from None
        except RecipientsUnavailable:
            raise LetterProblem(502, "intake_unavailable", "intake could not be asked") from None
        except SendFailed as exc:
            raise LetterProblem(502, "send_failed", str(exc)) from None
        return sent

    @api.post(
        "/v1/letter-tasks/{task_id}/send",
        summary="Render and send the task's letter (outbox or Digital Post, by setting); the "
        "task ends as sent. Never twice: 409 when the task already ended",
        responses={
            404: {"description": "no such task in your reach"},
            409: {"description": "the task already ended (sent, waived, completed, cancelled)"},
            502: {"description": "intake or the sending channel could not be reached"},
        },
    )
    async def send_letter(
        task_id: str, request: Request, access: Annotated[Access, guard(Action.SEND_LETTER)]
    ) -> dict[str, Any]:
        await task_in_reach(access, task_id)
        sent = await send_one(access, task_id, request.headers.get("Authorization", ""))
        access.note(count=1)
        return task_body(sent)

    @api.post(
        "/v1/letter-tasks/send",
        summary=f"Send the letters of several tasks (at most {MAX_BATCH}), e.g. the week's; "
        "each task's result: sent, already_ended, not_found or failed",
    )
    async def send_letters(
        body: SendBatchRequest,
        request: Request,
        access: Annotated[Access, guard(Action.SEND_LETTER)],
    ) -> dict[str, Any]:
        authorization = request.headers.get("Authorization", "")
        results: list[dict[str, Any]] = []
        for task_id in dict.fromkeys(body.task_ids):
            found: LetterTaskEvent | None = await ctx.in_store(service.task, task_id)
            if found is None or not access.permits(task_resource(found)):
                results.append({"task_id": task_id, "result": "not_found"})
                continue
            access.note(person_keys=[found.person_key])
            try:
                sent = await send_one(access, task_id, authorization)
            except HTTPException as refused:
                outcome = {404: "not_found", 409: "already_ended"}.get(
                    refused.status_code, "failed"
                )
                results.append({"task_id": task_id, "result": outcome})
                continue
            results.append({"task_id": task_id, "result": "sent", "task": task_body(sent)})
        access.note(count=sum(r["result"] == "sent" for r in results))
        return {"results": results}

    @api.post(
        "/v1/letter-tasks/{task_id}/waive",
        summary="Decide not to send the letter, with a reason code (the task's owner or the "
        "team leader); the task ends as waived, which is not cancelled and never overdue",
        responses={
            403: {"description": "only the task's owner role or the team leader may waive it"},
            404: {"description": "no such task in your reach"},
            409: {"description": "the task already ended"},
        },
    )
    async def waive_task(
        task_id: str,
        body: WaiveRequest,
        access: Annotated[Access, guard(Action.WAIVE_LETTER_TASK)],
    ) -> dict[str, Any]:
        await task_in_reach(access, task_id)
        access.note(term=body.reason)
        try:
            waived: LetterTaskEvent = await ctx.in_store(
                desk.waive_in_store, task_id, body.reason, access.principal.role
            )
        except (TaskNotFound, NoTask):
            raise access.not_found() from None
        except TaskClosed as exc:
            raise LetterProblem(409, "task_ended", str(exc)) from None
        except NotAllowedToWaive as exc:
            raise LetterProblem(403, "not_owner", str(exc)) from None
        access.note(count=1)
        return task_body(waived)

    @api.get(
        "/v1/letter-tasks/escalations",
        summary="Counts only, no persons: tasks still to do past their deadline, escalated to "
        "the team leader, and still open at twice their deadline (management's view)",
    )
    async def escalation_counts(
        municipality_code: Annotated[str, Query(pattern=MUNICIPALITY_CODE_PATTERN)],
        access: Annotated[Access, guard(Action.READ_LETTER_ESCALATIONS)],
    ) -> dict[str, Any]:
        await access.require(Resource.of(municipality_code), conceal=False)
        counts: dict[str, int] = await ctx.in_store(service.escalation_counts, municipality_code)
        access.note(term=municipality_code)
        return {"municipality_code": municipality_code, **counts}
