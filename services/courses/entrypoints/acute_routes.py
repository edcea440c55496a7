"""Acute-event procedure commands over HTTP (management)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from services.courses.application.access_policy import CoursesAction
from services.courses.application.commands import acute as c
from services.courses.entrypoints.handlers import (
    COMMAND_RESPONSES,
    CommandRoute,
    Service,
    add_command_routes,
    start_course,
)
from shared.auth import Access, Resource, guard
from shared.runtime import Ctx

Manage = Annotated[Access, guard(CoursesAction.MANAGE_ACUTE_PROCEDURE)]
"""The guard of this router's routes."""


router = APIRouter(
    prefix="/v1/acute-procedures", tags=["acute-event procedure"], responses=COMMAND_RESPONSES
)


@router.post(
    "",
    status_code=201,
    summary="Start the standard procedure (step 1); creates the akut_standardbrev task",
)
async def start(
    command: c.StartAcuteProcedure, access: Manage, ctx: Ctx, service: Service
) -> JSONResponse:
    await access.require(Resource.of(command.municipality_code), conceal=False)
    return await start_course(ctx, service, command, access)


add_command_routes(
    router,
    CoursesAction.MANAGE_ACUTE_PROCEDURE,
    [
        CommandRoute("assign-step", c.AssignStep, "Give a step another owner"),
        CommandRoute(
            "complete-step",
            c.CompleteStep,
            "Complete a step; step 4 sends the standard letter, step 9 (the final report) "
            "closes the procedure",
        ),
    ],
)
