"""Courses' HTTP API (OpenAPI at /docs): commands as POST, reads as GET.

Each command on an existing course names the version it was issued against
(`expected_version`): a course changed since answers 409 `version_conflict`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import FastAPI, HTTPException, Query

from services.courses.adapters.course_events import course_event
from services.courses.application.course_index import CourseSummary, Eligibility
from services.courses.application.service import CoursesService
from services.courses.domain.course import Course
from services.courses.entrypoints.acute_routes import acute_router
from services.courses.entrypoints.exit_routes import exit_router
from services.courses.entrypoints.handlers import add_error_handlers
from services.courses.entrypoints.trivsel_routes import trivsel_router
from services.courses.entrypoints.views import course_body, eligibility_body, summary_body
from shared.contracts import CourseType
from shared.contracts.common import MUNICIPALITY_CODE_PATTERN
from shared.runtime import ServiceContext

Municipality = Annotated[str, Query(pattern=MUNICIPALITY_CODE_PATTERN)]
OptionalMunicipality = Annotated[
    str | None,
    Query(
        pattern=MUNICIPALITY_CODE_PATTERN,
        description="The caller's municipality: 404 unless it has access to the course.",
    ),
]


def create_http_app(ctx: ServiceContext, service: CoursesService) -> FastAPI:
    api = FastAPI(
        title="SSP courses",
        version="1",
        description="TRIVSEL+ courses, exit programmes and the acute-event procedure.",
    )
    add_error_handlers(api)
    api.include_router(trivsel_router(ctx, service))
    api.include_router(exit_router(ctx, service))
    api.include_router(acute_router(ctx, service))

    @api.get(
        "/v1/eligibility",
        tags=["TRIVSEL+"],
        summary="Persons routed to the SSP coordinator: who may get a TRIVSEL+ course",
    )
    async def eligibility(municipality_code: Municipality) -> dict[str, Any]:
        found: list[Eligibility] = await ctx.in_store(service.eligible, municipality_code)
        return {
            "municipality_code": municipality_code,
            "eligible": [eligibility_body(e) for e in found],
        }

    @api.get(
        "/v1/courses",
        tags=["courses"],
        summary="The courses a municipality has access to, the most recently changed first",
    )
    async def list_courses(
        municipality_code: Municipality,
        course_type: CourseType | None = None,
        status: Literal["open", "closed", "all"] = "open",
    ) -> dict[str, Any]:
        summaries: list[CourseSummary] = await ctx.in_store(
            service.summaries, municipality_code, course_type, None if status == "all" else status
        )
        return {
            "municipality_code": municipality_code,
            "courses": [summary_body(s) for s in summaries],
        }

    @api.get(
        "/v1/courses/{course_id}",
        tags=["courses"],
        summary="A course's whole state and version",
        responses={404: {"description": "no such course, or no access"}},
    )
    async def get_course(
        course_id: UUID, municipality_code: OptionalMunicipality = None
    ) -> dict[str, Any]:
        course: Course = await ctx.in_store(service.course, course_id)
        if municipality_code is not None and course.visible_from(municipality_code) is None:
            raise HTTPException(status_code=404, detail="no course with that id")
        return course_body(course)

    @api.get(
        "/v1/courses/{course_id}/events",
        tags=["courses"],
        summary="The course's events as published on ssp.courses.events.v1; with "
        "municipality_code, only those from when it gained access",
        responses={404: {"description": "no such course, or no access"}},
    )
    async def course_events(
        course_id: UUID, municipality_code: OptionalMunicipality = None
    ) -> dict[str, Any]:
        course: Course = await ctx.in_store(service.course, course_id)
        events: list[Course.Event] = await ctx.in_store(service.course_events, course_id)
        first = 1 if municipality_code is None else course.visible_from(municipality_code)
        if first is None:
            raise HTTPException(status_code=404, detail="no course with that id")
        envelopes = [course_event(e) for e in events if e.originator_version >= first]
        return {
            "course_id": str(course_id),
            "events": [e.model_dump(mode="json") for e in envelopes if e is not None],
        }

    return api
