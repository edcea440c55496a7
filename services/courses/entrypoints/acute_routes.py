"""Acute-event procedure commands over HTTP (management)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from services.courses.application.access_policy import CoursesAction
from services.courses.application.commands import acute as c
from services.courses.application.service import CoursesService
from services.courses.entrypoints.handlers import COMMAND_RESPONSES, change_course, start_course
from shared.auth import Access, Resource, guard
from shared.runtime import ServiceContext

Manage = Annotated[Access, guard(CoursesAction.MANAGE_ACUTE_PROCEDURE)]
"""The guard of this router's routes."""


def acute_router(ctx: ServiceContext, service: CoursesService) -> APIRouter:
    router = APIRouter(
        prefix="/v1/acute-procedures", tags=["acute-event procedure"], responses=COMMAND_RESPONSES
    )

    @router.post(
        "",
        status_code=201,
        summary="Start the standard procedure (step 1); creates the akut_standardbrev task",
    )
    async def start(command: c.StartAcuteProcedure, access: Manage) -> JSONResponse:
        await access.require(Resource.of(command.municipality_code), conceal=False)
        return await start_course(ctx, service, command, access)

    @router.post("/{course_id}/assign-step", summary="Give a step another owner")
    async def assign_step(course_id: UUID, command: c.AssignStep, access: Manage) -> dict[str, Any]:
        return await change_course(ctx, service, course_id, command, access)

    @router.post(
        "/{course_id}/complete-step",
        summary="Complete a step; step 4 sends the standard letter, step 9 (the final report) "
        "closes the procedure",
    )
    async def complete_step(
        course_id: UUID, command: c.CompleteStep, access: Manage
    ) -> dict[str, Any]:
        return await change_course(ctx, service, course_id, command, access)

    return router
