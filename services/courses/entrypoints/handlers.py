"""What every command route does: run the command in the store thread and answer with the
course as it now is. Rule violations become 409 (the course's state) or 422 (the command),
with a machine-readable `error` code; see `add_error_handlers`."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.courses.application.commands.base import ChangeCourse, StartCourse
from services.courses.application.service import CourseNotFound, CoursesService
from services.courses.domain.course import Course, CourseRuleViolated, InvalidCommand
from services.courses.entrypoints.views import course_body, jsonable
from shared.runtime import ServiceContext

#: The documented error answers of a command route.
COMMAND_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "no course of this kind with that id (`course_not_found`)"},
    409: {
        "description": "the course's state does not allow it: `version_conflict` (someone "
        "changed it since `expected_version`), `course_closed`, `consent_missing`, …"
    },
    422: {
        "description": "the command is invalid: `invalid_request` (field problems) or a "
        "rule such as `date_in_past`, `unknown_item`, `below_target_age`"
    },
}


async def start_course(
    ctx: ServiceContext, service: CoursesService, command: StartCourse
) -> JSONResponse:
    course: Course = await ctx.in_store(service.start, command)
    return JSONResponse(
        course_body(course),
        status_code=201,
        headers={"Location": f"/v1/courses/{course.id}"},
    )


async def change_course(
    ctx: ServiceContext, service: CoursesService, course_id: UUID, command: ChangeCourse
) -> dict[str, Any]:
    course: Course = await ctx.in_store(service.execute, course_id, command)
    return course_body(course)


def add_error_handlers(api: FastAPI) -> None:
    @api.exception_handler(CourseRuleViolated)
    async def rule_violated(_: Request, exc: CourseRuleViolated) -> JSONResponse:
        body = {"error": exc.code, "message": exc.message, **jsonable(exc.details)}
        return JSONResponse(body, status_code=422 if isinstance(exc, InvalidCommand) else 409)

    @api.exception_handler(CourseNotFound)
    async def not_found(_: Request, exc: CourseNotFound) -> JSONResponse:
        return JSONResponse(
            {"error": "course_not_found", "message": "no course of this kind with that id"},
            status_code=404,
        )
