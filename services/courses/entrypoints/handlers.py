"""What every command route does: find the course in the caller's reach (404 alike for a course
that does not exist and one out of reach), run the command in the store thread and answer with
the course as it now is, audited with its person. Rule violations become 409 (the course's
state) or 422 (the command), with a machine-readable `error` code; see `add_error_handlers`."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from services.courses.application.commands.base import ChangeCourse, StartCourse
from services.courses.application.course_index import Eligibility
from services.courses.application.service import CourseNotFound, CoursesService
from services.courses.domain.course import Course, CourseRuleViolated, InvalidCommand
from services.courses.domain.trivsel import TrivselCourse
from services.courses.entrypoints.views import course_body, jsonable
from shared.auth import Access, Action, DataKind, Resource, guard
from shared.errors import error_body
from shared.http import from_app
from shared.runtime import Ctx, ServiceContext

Service = Annotated[CoursesService, from_app("service")]

#: The documented error answers of a command route.
COMMAND_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: {"description": "no course of this kind with that id, or none in your reach"},
    409: {
        "description": "the course's state does not allow it: `version_conflict` (someone "
        "changed it since `expected_version`), `course_closed`, `consent_missing`, …"
    },
    422: {
        "description": "the command is invalid: `invalid_request` (field problems) or a "
        "rule such as `date_in_past`, `unknown_item`, `below_target_age`"
    },
}


def course_resource(course: Course) -> Resource:
    return Resource(municipalities=course.municipalities_with_access())


async def course_in_reach(
    access: Access,
    ctx: ServiceContext,
    service: CoursesService,
    course_id: UUID,
    kind: type[Course] = Course,
) -> Course:
    """The course, if it exists (of this kind) and the caller may see it; else the same 404.
    A caller who may see no person's data (management) sees only courses naming nobody."""
    try:
        course: Course = await ctx.in_store(service.course, course_id, kind)
    except CourseNotFound:
        raise access.not_found() from None
    if course.person_key is not None:
        access.note(person_keys=[course.person_key])
    resource = course_resource(course)
    await access.require(resource, conceal=True)
    if course.person_key is not None:
        await access.require(resource.with_kind(DataKind.PSEUDONYM), conceal=True)
    return course


async def course_answer(
    ctx: ServiceContext, service: CoursesService, course: Course
) -> dict[str, Any]:
    """The course's whole state; a TRIVSEL+ course also shows its person's eligibility, so the
    coordinator sees when the incident moved (withdrawn, or to the caseworker)."""
    body: dict[str, Any] = await ctx.in_store(course_body, course, service.open_text)
    if isinstance(course, TrivselCourse):
        eligibility: Eligibility | None = await ctx.in_store(
            service.eligibility, course.person_key, course.journal_number
        )
        if eligibility is not None:
            body["eligibility"] = {
                "status": eligibility.status,
                "revoked": jsonable(eligibility.revoked),
            }
    return body


async def start_course(
    ctx: ServiceContext, service: CoursesService, command: StartCourse, access: Access
) -> JSONResponse:
    """The route has checked that the caller may start the course where it will be."""
    course: Course = await ctx.in_store(service.start, command)
    access.note(
        term=str(course.id),
        person_keys=[course.person_key] if course.person_key else [],
        count=1,
    )
    return JSONResponse(
        await course_answer(ctx, service, course),
        status_code=201,
        headers={"Location": f"/v1/courses/{course.id}"},
    )


async def change_course(
    ctx: ServiceContext,
    service: CoursesService,
    course_id: UUID,
    command: ChangeCourse,
    access: Access,
) -> dict[str, Any]:
    await course_in_reach(access, ctx, service, course_id, command.aggregate)
    course: Course = await ctx.in_store(service.execute, course_id, command)
    access.note(count=1)
    return await course_answer(ctx, service, course)


@dataclass(frozen=True)
class CommandRoute:
    """A command on an existing course: POST `/{course_id}/<path>` with the command as body.
    `name` (the route's operation id) defaults to the path's words."""

    path: str
    command: type[ChangeCourse]
    summary: str
    name: str | None = None


def add_command_routes(router: APIRouter, action: Action, routes: Sequence[CommandRoute]) -> None:
    """One route per command, each guarded by `action` and run by `change_course`: the same
    code for every command on every kind of course."""
    manage = Annotated[Access, guard(action)]
    for route in routes:
        router.add_api_route(
            f"/{{course_id}}/{route.path}",
            _change_route(route.name or route.path.replace("-", "_"), route.command, manage),
            methods=["POST"],
            summary=route.summary,
        )


def add_start_route(
    router: APIRouter, action: Action, command_type: type[StartCourse], name: str, summary: str
) -> None:
    """POST to the router's own path with a command that names the municipality the course
    starts in (`municipality_code`): guarded by `action`, the caller must have that
    municipality in reach (403 otherwise), then `start_course`."""
    if "municipality_code" not in command_type.model_fields:
        raise TypeError(f"{command_type.__name__} names no municipality_code")

    async def route(
        command: Any, access: Access, ctx: ServiceContext, service: CoursesService
    ) -> JSONResponse:
        await access.require(Resource.of(command.municipality_code), conceal=False)
        return await start_course(ctx, service, command, access)

    router.add_api_route(
        "",
        _declared(
            route,
            name,
            JSONResponse,
            command=command_type,
            access=Annotated[Access, guard(action)],
            ctx=Ctx,
            service=Service,
        ),
        methods=["POST"],
        status_code=201,
        summary=summary,
    )


def _change_route(name: str, command_type: type[ChangeCourse], manage: Any) -> Any:
    async def route(
        course_id: UUID, command: ChangeCourse, access: Access, ctx: ServiceContext, service: Any
    ) -> dict[str, Any]:
        return await change_course(ctx, service, course_id, command, access)

    return _declared(
        route,
        name,
        dict[str, Any],
        course_id=UUID,
        command=command_type,
        access=manage,
        ctx=Ctx,
        service=Service,
    )


def _declared(route: Any, name: str, returns: Any, **parameters: Any) -> Any:
    """`route` as FastAPI reads it: named `name` (its operation id), its parameters annotated
    in order (the body's model, the dependencies) as given."""
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    route.__name__ = name
    route.__signature__ = inspect.Signature(
        [inspect.Parameter(p, kind, annotation=a) for p, a in parameters.items()],
        return_annotation=returns,
    )
    return route


def add_error_handlers(api: FastAPI) -> None:
    @api.exception_handler(CourseRuleViolated)
    async def rule_violated(_: Request, exc: CourseRuleViolated) -> JSONResponse:
        body = {"error": exc.code, "message": exc.message, "field": None, **jsonable(exc.details)}
        return JSONResponse(body, status_code=422 if isinstance(exc, InvalidCommand) else 409)

    @api.exception_handler(CourseNotFound)
    async def not_found(_: Request, exc: CourseNotFound) -> JSONResponse:
        return JSONResponse(
            error_body("course_not_found", "no course of this kind with that id"),
            status_code=404,
        )
