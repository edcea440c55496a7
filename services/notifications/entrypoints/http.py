"""Notifications' HTTP API: list a municipality's letter tasks and complete them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import FastAPI, HTTPException, Query

from services.notifications.application.service import NotificationsService, TaskNotFound
from services.notifications.application.task_index import status_of
from services.notifications.domain.letter_task_case import TaskClosed
from shared.contracts import LetterTaskEvent
from shared.contracts.common import MUNICIPALITY_CODE_PATTERN
from shared.runtime import ServiceContext

StatusFilter = Literal["open", "completed", "cancelled", "overdue", "all"]


def task_body(letter: LetterTaskEvent) -> dict[str, Any]:
    """The task's latest event (contracts.md §5) and the status it leaves the task in."""
    return {**letter.model_dump(mode="json"), "status": status_of(letter)}


def create_http_app(ctx: ServiceContext, service: NotificationsService) -> FastAPI:
    api = FastAPI(
        title="SSP notifications",
        version="1",
        description="Letter tasks for parents and youths: list and complete them.",
    )

    @api.get(
        "/v1/letter-tasks",
        summary="One municipality's letter tasks, the soonest due first",
    )
    async def list_tasks(
        municipality_code: Annotated[str, Query(pattern=MUNICIPALITY_CODE_PATTERN)],
        status: StatusFilter = "open",
    ) -> dict[str, Any]:
        wanted = None if status == "all" else status
        letters: list[LetterTaskEvent] = await ctx.in_store(
            service.tasks, municipality_code, wanted
        )
        return {
            "municipality_code": municipality_code,
            "status": status,
            "tasks": [task_body(letter) for letter in letters],
        }

    @api.post(
        "/v1/letter-tasks/{task_id}/complete",
        summary="Mark a letter task completed (the letter was sent or the meeting held)",
        responses={
            404: {"description": "no letter task with that id"},
            409: {"description": "the task was already completed or cancelled"},
        },
    )
    async def complete_task(task_id: str) -> dict[str, Any]:
        try:
            letter: LetterTaskEvent = await ctx.in_store(service.complete_task, task_id)
        except TaskNotFound:
            raise HTTPException(status_code=404, detail="no letter task with that id") from None
        except TaskClosed as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from None
        return task_body(letter)

    return api
