"""The letters' routes (issue 16, and issue 14 part 2's waiver): preview a task's letter as
PDF, send it (once), send several, waive a task, and management's count of escalations."""

# No `from __future__ import annotations`: FastAPI reads the annotations of `letter_call`'s
# dependency, and they name the closure's `action`, which a postponed annotation cannot find.
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from services.notifications.adapters.intake_client import (
    RecipientsNotFound,
    RecipientsUnavailable,
)
from services.notifications.application.access_policy import NotificationsAction
from services.notifications.application.letters import LetterDesk, RenderedCopies
from services.notifications.application.sending import SendFailed
from services.notifications.application.service import TaskNotFound
from services.notifications.domain.case_state import NoTask, TaskClosed
from services.notifications.domain.endings import NotAllowedToWaive
from services.notifications.entrypoints.task_calls import (
    TASK_NOT_IN_REACH,
    TaskCall,
    task_body,
    task_call,
    task_resource,
)
from shared.auth import Access, Resource
from shared.contracts import LetterTaskEvent
from shared.contracts.letter_tasks import WaiverReason
from shared.errors import error_body
from shared.http import MunicipalityQuery, from_app

MAX_BATCH = 200

Desk = Annotated[LetterDesk, from_app("desk")]


async def _caller_authorization(request: Request) -> str:
    """The caller's own `Authorization` header: intake is asked for names and addresses with
    the caller's token, so it checks and audits the caller."""
    return request.headers.get("Authorization", "")


CallerAuthorization = Annotated[str, Depends(_caller_authorization)]


class LetterProblem(HTTPException):
    """Why a letter route could not do it, as `{"error", "message"}` like every refusal; the
    message names no person."""

    def __init__(self, status_code: int, error: str, message: str) -> None:
        super().__init__(status_code, detail=message)
        self.error = error


def answer_problems(api: FastAPI) -> None:
    async def letter_problem(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, LetterProblem)
        return JSONResponse(
            status_code=exc.status_code, content=error_body(exc.error, str(exc.detail))
        )

    api.add_exception_handler(LetterProblem, letter_problem)


class WaiveRequest(BaseModel):
    reason: WaiverReason = Field(
        description="not_in_childs_interest | already_informed | police_informs"
    )


class SendBatchRequest(BaseModel):
    task_ids: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        min_length=1, max_length=MAX_BATCH, description="The tasks whose letters to send"
    )


@contextmanager
def letter_problems(access: Access) -> Iterator[None]:
    """What a letter route answers for what the desk met: 404 alike for no such task and a
    person intake does not know, 409 once the task ended, 403 for a waiver by another than
    the task's owner, 502 when intake or the sending channel could not be reached."""
    try:
        yield
    except (TaskNotFound, NoTask, RecipientsNotFound):
        raise access.not_found() from None
    except TaskClosed as exc:
        raise LetterProblem(409, "task_ended", str(exc)) from None
    except NotAllowedToWaive as exc:
        raise LetterProblem(403, "not_owner", str(exc)) from None
    except RecipientsUnavailable:
        raise LetterProblem(502, "intake_unavailable", "intake could not be asked") from None
    except SendFailed as exc:
        raise LetterProblem(502, "send_failed", str(exc)) from None


@dataclass(frozen=True)
class LetterCall(TaskCall):
    """A letter route's call: a task route's, the letter desk that renders, sends and waives,
    and the caller's own `Authorization` header, which the desk asks intake with."""

    desk: LetterDesk
    authorization: str

    async def rendered(self, task: LetterTaskEvent) -> RenderedCopies:
        """The task's letter, rendered now; an HTTPException whose status tells why not."""
        with letter_problems(self.access):
            return await self.desk.rendered(task, self.authorization)

    async def send(self, task_id: str) -> LetterTaskEvent:
        """Send an in-reach task's letter; an HTTPException whose status tells why not."""
        with letter_problems(self.access):
            sent: LetterTaskEvent = await self.desk.send(
                self.ctx.in_store, task_id, self.authorization, self.access.principal.role
            )
        return sent


def letter_call(action: NotificationsAction) -> Any:
    """A letter route's dependency on its call, guarded for `action` (see `task_call`)."""

    async def with_desk(
        call: Annotated[TaskCall, task_call(action)],
        desk: Desk,
        authorization: CallerAuthorization,
    ) -> LetterCall:
        return LetterCall(call.access, call.ctx, call.service, desk, authorization)

    return Depends(with_desk)


CountingEscalations = Annotated[TaskCall, task_call(NotificationsAction.READ_LETTER_ESCALATIONS)]
ReadingLetter = Annotated[LetterCall, letter_call(NotificationsAction.READ_LETTER)]
SendingLetters = Annotated[LetterCall, letter_call(NotificationsAction.SEND_LETTER)]
WaivingTask = Annotated[LetterCall, letter_call(NotificationsAction.WAIVE_LETTER_TASK)]
router = APIRouter(prefix="/v1/letter-tasks")


@router.get(
    "/escalations",
    summary="Counts only, no persons: tasks still to do past their deadline, escalated to "
    "the team leader, and still open at twice their deadline (management's view)",
)
async def escalation_counts(
    municipality_code: MunicipalityQuery, call: CountingEscalations
) -> dict[str, Any]:
    await call.access.require(Resource.of(municipality_code), conceal=False)
    counts: dict[str, int] = await call.ctx.in_store(
        call.service.escalation_counts, municipality_code
    )
    call.access.note(term=municipality_code)
    return {"municipality_code": municipality_code, **counts}


@router.get(
    "/{task_id}/letter.pdf",
    summary="The task's letter as PDF/A, rendered now with the names and address intake "
    "gives for the purpose 'brev til forældre' (X-Purpose required; audited here and in "
    "intake); ?copy=2 for the second copy (parents living apart, or the young person's)",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}},
        404: {"description": "no such task in your reach, or intake knows no such person"},
        502: {"description": "intake could not be asked"},
    },
)
async def letter_pdf(
    task_id: str, call: ReadingLetter, copy: Annotated[int, Query(ge=1, le=10)] = 1
) -> Response:
    rendered = await call.rendered(await call.task_in_reach(task_id))
    if copy > len(rendered.copies):
        raise call.access.not_found()
    call.access.note(count=1)
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


@router.post(
    "/send",
    summary=f"Send the letters of several tasks (at most {MAX_BATCH}), e.g. the week's; "
    "each task's result: sent, already_ended, not_found or failed",
)
async def send_letters(body: SendBatchRequest, call: SendingLetters) -> dict[str, Any]:
    results: list[dict[str, Any]] = []
    for task_id in dict.fromkeys(body.task_ids):
        found: LetterTaskEvent | None = await call.ctx.in_store(call.service.task, task_id)
        if found is None or not call.access.permits(task_resource(found)):
            results.append({"task_id": task_id, "result": "not_found"})
            continue
        call.access.note(person_keys=[found.person_key])
        try:
            sent = await call.send(task_id)
        except HTTPException as refused:
            outcome = {404: "not_found", 409: "already_ended"}.get(refused.status_code, "failed")
            results.append({"task_id": task_id, "result": outcome})
            continue
        results.append({"task_id": task_id, "result": "sent", "task": task_body(sent)})
    call.access.note(count=sum(r["result"] == "sent" for r in results))
    return {"results": results}


@router.post(
    "/{task_id}/send",
    summary="Render and send the task's letter (outbox or Digital Post, by setting); the "
    "task ends as sent. Never twice: 409 when the task already ended",
    responses=TASK_NOT_IN_REACH
    | {
        409: {"description": "the task already ended (sent, waived, completed, cancelled)"},
        502: {"description": "intake or the sending channel could not be reached"},
    },
)
async def send_letter(task_id: str, call: SendingLetters) -> dict[str, Any]:
    await call.task_in_reach(task_id)
    sent = await call.send(task_id)
    call.access.note(count=1)
    return task_body(sent)


@router.post(
    "/{task_id}/waive",
    summary="Decide not to send the letter, with a reason code (the task's owner or the "
    "team leader); the task ends as waived, which is not cancelled and never overdue",
    responses=TASK_NOT_IN_REACH
    | {
        403: {"description": "only the task's owner role or the team leader may waive it"},
        409: {"description": "the task already ended"},
    },
)
async def waive_task(task_id: str, body: WaiveRequest, call: WaivingTask) -> dict[str, Any]:
    await call.task_in_reach(task_id)
    call.access.note(term=body.reason)
    with letter_problems(call.access):
        waived: LetterTaskEvent = await call.ctx.in_store(
            call.desk.waive_in_store, task_id, body.reason, call.access.principal.role
        )
    call.access.note(count=1)
    return task_body(waived)
