"""Reporting's HTTP API: the handover list, its aggregate counts, a journal number's trace,
who appears together with a person, and the rebuild. Every route is guarded (shared/auth) and
audited; the queries scope each row."""

from __future__ import annotations

import re
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, FastAPI, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse

from services.reporting.application.access_policy import ReportingAction
from services.reporting.application.concerns import concerns_for
from services.reporting.application.projection import Projection
from services.reporting.application.queries import (
    CoRegistrations,
    CoRegistrationsAnswer,
    HandoverList,
    HandoverStatistics,
    ReportingQueries,
    Trace,
    TraceAnswer,
)
from services.reporting.application.review import Reviews
from services.reporting.application.timeline import MOST_ROWS, PersonTimeline, TimelineAnswer
from services.reporting.domain.weeks import InvalidIsoWeek, IsoWeek
from shared.auth import Access, AccessControl, Decision, Resource, guard
from shared.contracts.municipalities import UNKNOWN_MUNICIPALITY, is_municipality_code
from shared.errors import error_body
from shared.http import from_app, service_api
from shared.runtime import Ctx, ServiceContext

_MUNICIPALITY_CODE = re.compile(r"[0-9]{3}")
T = TypeVar("T")


class InvalidParameter(HTTPException):
    """A bad path parameter: the field and why, never the input echoed back (the shape of
    shared.http's 422 bodies)."""

    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(422, detail=message)
        self.problem = {"field": field, "code": code, "message": message}


def checked_municipality(municipality_code: str) -> str:
    """A Danish municipality code, else 422 naming the field."""
    if _MUNICIPALITY_CODE.fullmatch(municipality_code) is None:
        raise InvalidParameter(
            "municipality_code", "municipality_code", "a municipality code is three digits"
        )
    if not is_municipality_code(municipality_code):
        raise InvalidParameter(
            "municipality_code", UNKNOWN_MUNICIPALITY, "not a Danish municipality code"
        )
    return municipality_code


def _municipality_and_week(municipality_code: str, iso_week: str) -> IsoWeek:
    checked_municipality(municipality_code)
    try:
        return IsoWeek.parse(iso_week)
    except InvalidIsoWeek as exc:
        raise InvalidParameter("iso_week", "iso_week", str(exc)) from None


async def _listing_of_week(access: Access, municipality_code: str, iso_week: str) -> IsoWeek:
    """The week of a municipality's listing the caller may read (403 for a municipality
    outside the token, 422 for a bad code or week)."""
    week = _municipality_and_week(municipality_code, iso_week)
    await access.require(Resource.listing_of(municipality_code), conceal=False)
    return week


async def in_reach(access: Access, known: bool, decision: Decision, found: T | None) -> T:
    """What a query found, when the caller may see it: 404 alike for nothing known and for
    what is out of reach (the refusal is audited)."""
    if not known:
        raise access.not_found()
    if found is None:
        await access.refuse(decision, conceal=True)
    return found


async def invalid_parameter(_: Request, exc: InvalidParameter) -> JSONResponse:
    problem = exc.problem
    body = error_body("invalid_request", problem["message"], problem["field"], problems=[problem])
    return JSONResponse(body, status_code=422)


Queries = Annotated[ReportingQueries, from_app("queries")]
Rebuilds = Annotated[Projection, from_app("projection")]
handover_lists = APIRouter(prefix="/v1/handover")
statistics_router = APIRouter(prefix="/v1/statistics")
traces = APIRouter(prefix="/v1/trace")
persons = APIRouter(prefix="/v1/persons")
admin = APIRouter(prefix="/v1/admin")


def create_http_app(
    ctx: ServiceContext, queries: ReportingQueries, projection: Projection, auth: AccessControl
) -> FastAPI:
    # The review export's routes use this module's validation helpers (a cycle at import).
    from services.reporting.entrypoints.review_http import reviews

    api = service_api(
        "SSP reporting",
        "Read models: the weekly handover list, its aggregate counts, the trace of a "
        "journal number, a person's timeline and the review export.",
        auth,
        [handover_lists, statistics_router, traces, persons, reviews, admin],
        ctx=ctx,
        queries=queries,
        projection=projection,
        reviews=Reviews(queries.reader, queries.timelines),
    )
    api.exception_handler(InvalidParameter)(invalid_parameter)
    return api


@handover_lists.get(
    "/{municipality_code}/{iso_week}",
    summary="Persons registered in an ISO week (Danish time) who live in the municipality; "
    "school representatives see their own pupils, the police no social-services details",
    response_model=HandoverList,
    responses={422: {"description": "bad municipality code or ISO week"}},
)
async def handover(
    municipality_code: str,
    iso_week: str,
    access: Annotated[Access, guard(ReportingAction.READ_HANDOVER_LIST)],
    ctx: Ctx,
    queries: Queries,
) -> Any:
    week = await _listing_of_week(access, municipality_code, iso_week)
    listed: HandoverList = await ctx.in_store(
        queries.handover_for, access.principal, municipality_code, week
    )
    access.note(person_keys=[p.person_key for p in listed.persons], count=len(listed.persons))
    return listed


@statistics_router.get(
    "/{municipality_code}/{iso_week}",
    summary="Counts per route, severity and offence for a municipality and ISO week "
    "(aggregates only; counts below 5 and cells that would reveal them suppressed)",
    response_model=HandoverStatistics,
    responses={422: {"description": "bad municipality code or ISO week"}},
)
async def statistics(
    municipality_code: str,
    iso_week: str,
    access: Annotated[Access, guard(ReportingAction.READ_STATISTICS)],
    ctx: Ctx,
    queries: Queries,
) -> Any:
    week = await _listing_of_week(access, municipality_code, iso_week)
    counted: HandoverStatistics = await ctx.in_store(queries.statistics, municipality_code, week)
    access.note(count=counted.persons)
    return counted


@traces.get(
    "/{journal_number}",
    summary="Every step each service took for a journal number, in time order (operations: "
    "without person keys; municipal staff: their municipality's persons)",
    response_model=Trace,
    responses={404: {"description": "nothing is known about the journal number"}},
)
async def trace(
    journal_number: str,
    access: Annotated[Access, guard(ReportingAction.READ_TRACE)],
    ctx: Ctx,
    queries: Queries,
) -> Trace:
    answer: TraceAnswer = await ctx.in_store(queries.trace_for, access.principal, journal_number)
    shown = await in_reach(access, answer.known, answer.decision, answer.found)
    steps = shown.steps
    access.note(person_keys={s.person_key for s in steps if s.person_key}, count=len(steps))
    return shown


@persons.get(
    "/{person_key}/co-registered",
    summary="The persons registered in the same police reports as this person, within the "
    "caller's municipalities, most frequent first (the group behind a group-level "
    "intervention); 404 alike for unknown persons and persons out of reach",
    response_model=CoRegistrations,
    responses={404: {"description": "no such person in the caller's reach"}},
)
async def co_registered(
    person_key: str,
    access: Annotated[Access, guard(ReportingAction.READ_CO_REGISTRATIONS)],
    ctx: Ctx,
    queries: Queries,
) -> CoRegistrations:
    answer: CoRegistrationsAnswer = await ctx.in_store(
        queries.co_registered_for, access.principal, person_key
    )
    found = await in_reach(access, answer.known, answer.decision, answer.found)
    access.note(
        person_keys=[person_key, *(p.person_key for p in found.persons)],
        count=len(found.persons),
    )
    return found


@persons.get(
    "/{person_key}/timeline",
    summary="Everything that happened to a young person, every service's steps in time order, "
    "each in Danish words beside its code (issue 17); need-to-know as the handover list, row "
    "by row, and the auditor; paged; 404 alike for unknown persons and persons out of reach",
    response_model=PersonTimeline,
    responses={404: {"description": "no such person in the caller's reach"}},
)
async def person_timeline(
    person_key: Annotated[str, Path(max_length=200)],
    access: Annotated[Access, guard(ReportingAction.READ_PERSON_TIMELINE)],
    ctx: Ctx,
    queries: Queries,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="rows to skip")] = 0,
    limit: Annotated[int, Query(ge=1, le=MOST_ROWS, description="rows on the page")] = 200,
) -> PersonTimeline:
    answer: TimelineAnswer = await ctx.in_store(
        lambda: queries.timelines.timeline_for(
            access.principal, person_key, offset=offset, limit=limit
        )
    )
    timeline = await in_reach(access, answer.known, answer.decision, answer.found)
    access.note(person_keys=[person_key], count=len(timeline.rows))
    return timeline


@persons.get(
    "/{person_key}/concerns",
    summary="The concerns that did not come from the police about this person (issue 15): "
    "category and reporter kind as codes, school, registration time and week, most recent "
    "first; those registered in the caller's municipalities (an empty list otherwise)",
)
async def person_concerns(
    person_key: str,
    access: Annotated[Access, guard(ReportingAction.READ_PERSON_CONCERNS)],
    ctx: Ctx,
    queries: Queries,
) -> dict[str, Any]:
    access.note(term=person_key[:200], person_keys=[person_key[:200]])
    found = await ctx.in_store(concerns_for, queries.reader, access.principal, person_key)
    access.note(count=len(found))
    return {"person_key": person_key, "concerns": found}


@admin.post(
    "/rebuild",
    summary="Rebuild the read models from the event store (operations)",
    dependencies=[guard(ReportingAction.REBUILD_READ_MODELS)],
)
async def rebuild(ctx: Ctx, projection: Rebuilds) -> dict[str, Any]:
    events: int = await ctx.in_store(projection.rebuild)
    return {"rebuilt": True, "events": events}
