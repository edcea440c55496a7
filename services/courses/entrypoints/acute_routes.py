"""Acute-event procedure commands over HTTP (management)."""

from __future__ import annotations

from fastapi import APIRouter

from services.courses.application.access_policy import CoursesAction
from services.courses.application.commands import acute as c
from services.courses.entrypoints.handlers import (
    COMMAND_RESPONSES,
    CommandRoute,
    add_command_routes,
    add_start_route,
)

router = APIRouter(
    prefix="/v1/acute-procedures", tags=["acute-event procedure"], responses=COMMAND_RESPONSES
)

add_start_route(
    router,
    CoursesAction.MANAGE_ACUTE_PROCEDURE,
    c.StartAcuteProcedure,
    "start",
    "Start the standard procedure (step 1); creates the akut_standardbrev task",
)
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
