"""Courses' HTTP API (OpenAPI at /docs): commands as POST, reads as GET.

Each command on an existing course names the version it was issued against
(`expected_version`): a course changed since answers 409 `version_conflict`. Every route is
guarded (shared/auth) and audited; a course out of the caller's reach answers 404 like one that
does not exist.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, FastAPI, Query

from services.courses.adapters.course_events import course_event
from services.courses.application.access_policy import CoursesAction
from services.courses.application.course_index import (
    CourseSummary,
    Eligibility,
    ReferralSummary,
)
from services.courses.application.record_keys import ERASED_KINDS
from services.courses.application.service import CoursesService
from services.courses.domain.course import Course
from services.courses.entrypoints import (
    acute_routes,
    exit_routes,
    follow_up_routes,
    trivsel_routes,
)
from services.courses.entrypoints.handlers import (
    Service,
    add_error_handlers,
    course_answer,
    course_in_reach,
    course_resource,
)
from services.courses.entrypoints.listing import MunicipalityListing, listing
from services.courses.entrypoints.views import (
    eligibility_body,
    referral_body,
    summary_body,
)
from shared.auth import Access, AccessControl, DataKind, Resource, guard
from shared.contracts import CourseType
from shared.contracts.common import MUNICIPALITY_CODE_PATTERN
from shared.http import MunicipalityQuery, service_api
from shared.keys.report import erasure_report_router
from shared.runtime import Ctx, ServiceContext

OptionalMunicipality = Annotated[
    str | None,
    Query(
        pattern=MUNICIPALITY_CODE_PATTERN,
        description="One of the caller's municipalities: 404 unless it has access to the "
        "course (without it: any municipality of the token that has access).",
    ),
]


Read = Annotated[Access, guard(CoursesAction.READ_COURSES)]


def _summary_visible(access: Access, summary: CourseSummary) -> bool:
    resource = Resource(municipalities=frozenset(summary.access))
    if not access.permits(resource):
        return False
    return summary.person_key is None or access.permits(resource.with_kind(DataKind.PSEUDONYM))


EligibilityListing = Annotated[MunicipalityListing, listing(CoursesAction.READ_TRIVSEL_ELIGIBILITY)]


eligibility_router = APIRouter(prefix="/v1/eligibility", tags=["TRIVSEL+"])
exit_referrals_router = APIRouter(prefix="/v1/exit-referrals", tags=["exit programme"])
courses = APIRouter(prefix="/v1/courses", tags=["courses"])


def create_http_app(ctx: ServiceContext, service: CoursesService, auth: AccessControl) -> FastAPI:
    api = service_api(
        "SSP courses",
        "TRIVSEL+ courses, exit programmes, the acute-event procedure and follow-up actions.",
        auth,
        [
            trivsel_routes.router,
            exit_routes.router,
            acute_routes.router,
            follow_up_routes.router,
            eligibility_router,
            exit_referrals_router,
            courses,
            erasure_report_router(
                CoursesAction.READ_ERASURE_REPORT,
                service.keyring,
                ERASED_KINDS,
                summary="How many courses and follow-up actions were erased, per month and "
                "reason (counts only; the person's own erasure is intake's to count)",
            ),
        ],
        ctx=ctx,
        service=service,
    )
    add_error_handlers(api)
    return api


@eligibility_router.get(
    "",
    summary="Persons routed to the SSP coordinator: who may get a TRIVSEL+ course "
    "(`status: eligible`), and those whose course started before the decision was "
    "withdrawn or moved to the caseworker (`status: revoked`, with `revoked`)",
)
async def eligibility(listed: EligibilityListing, ctx: Ctx, service: Service) -> dict[str, Any]:
    found: list[Eligibility] = await ctx.in_store(service.eligible, listed.municipality_code)
    return listed.of_persons("eligible", found, eligibility_body)


@exit_referrals_router.get(
    "",
    summary="Triage's exit referrals (15+, bande/ekstremisme) for the exit coordinator: "
    "`referred` (not yet started, the default), `started` (an exit programme was started "
    "for the person and journal number) or `all` (X-Purpose required; 403 for a "
    "municipality outside your token)",
)
async def exit_referrals(
    municipality_code: MunicipalityQuery,
    access: Annotated[Access, guard(CoursesAction.READ_EXIT_REFERRALS)],
    ctx: Ctx,
    service: Service,
    status: Literal["referred", "started", "all"] = "referred",
) -> dict[str, Any]:
    listed = await MunicipalityListing.admit(access, municipality_code)
    found: list[ReferralSummary] = await ctx.in_store(
        service.referrals, listed.municipality_code, None if status == "all" else status
    )
    return listed.of_persons("referrals", found, referral_body)


@courses.get(
    "",
    summary="The courses a municipality has access to, the most recently changed first "
    "(X-Purpose required; 403 for a municipality outside your token)",
)
async def list_courses(
    municipality_code: MunicipalityQuery,
    access: Read,
    ctx: Ctx,
    service: Service,
    course_type: CourseType | None = None,
    status: Literal["open", "closed", "all"] = "open",
) -> dict[str, Any]:
    await MunicipalityListing.admit(access, municipality_code)
    summaries: list[CourseSummary] = await ctx.in_store(
        service.summaries, municipality_code, course_type, None if status == "all" else status
    )
    shown = [s for s in summaries if _summary_visible(access, s)]
    access.note(
        term=municipality_code,
        person_keys=[s.person_key for s in shown if s.person_key],
        count=len(shown),
    )
    return {
        "municipality_code": municipality_code,
        "courses": [summary_body(s) for s in shown],
    }


async def visible_course(
    course_id: UUID,
    access: Read,
    ctx: Ctx,
    service: Service,
    municipality_code: OptionalMunicipality = None,
) -> tuple[Course, int]:
    """The course and the first version the caller may see of it (404 alike when none): the
    dependency of the routes that read one course (`VisibleCourse`)."""
    course = await course_in_reach(access, ctx, service, course_id)
    wanted = (
        {municipality_code}
        if municipality_code is not None
        else course.municipalities_with_access()
    )
    firsts = [
        first
        for code in wanted
        if access.permits(Resource.of(code)) and (first := course.visible_from(code)) is not None
    ]
    if not firsts:
        await access.refuse(access.decide(course_resource(course)), conceal=True)
    access.note(count=1)
    return course, min(firsts)


VisibleCourse = Annotated[tuple[Course, int], Depends(visible_course)]


@courses.get(
    "/{course_id}",
    summary="A course's whole state and version (X-Purpose required); a TRIVSEL+ course "
    "also shows its person's `eligibility` (`revoked` once the decision was withdrawn or "
    "moved to the caseworker)",
    responses={404: {"description": "no such course, or no access"}},
)
async def get_course(visible: VisibleCourse, ctx: Ctx, service: Service) -> dict[str, Any]:
    course, _ = visible
    return await course_answer(ctx, service, course)


@courses.get(
    "/{course_id}/events",
    summary="The course's events as published on ssp.courses.events.v1, from when the "
    "caller's municipality (or `municipality_code`) gained access (X-Purpose required)",
    responses={404: {"description": "no such course, or no access"}},
)
async def course_events(visible: VisibleCourse, ctx: Ctx, service: Service) -> dict[str, Any]:
    course, first = visible
    events: list[Course.Event] = await ctx.in_store(service.course_events, course.id)
    envelopes = [course_event(e) for e in events if e.originator_version >= first]
    return {
        "course_id": str(course.id),
        "events": [e.model_dump(mode="json") for e in envelopes if e is not None],
    }
