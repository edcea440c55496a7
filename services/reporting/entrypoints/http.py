"""Reporting's HTTP API: the handover list, its aggregate counts, a journal number's trace,
who appears together with a person, and the rebuild. Every route is guarded (shared/auth) and
audited; the queries scope each row."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Path, Query

from services.reporting.application.access_policy import ReportingAction
from services.reporting.application.concerns import concerns_for
from services.reporting.application.projection import Projection
from services.reporting.application.queries import (
    CoRegistrations,
    HandoverList,
    HandoverStatistics,
    ReportingQueries,
    Trace,
)
from services.reporting.application.review import Reviews
from services.reporting.application.timeline import MOST_ROWS, PersonTimeline, TimelineAnswer
from services.reporting.entrypoints.dependencies import (
    BAD_MUNICIPALITY_OR_WEEK,
    NOT_IN_REACH,
    InvalidParameter,
    ListedWeek,
    QueriesRead,
    invalid_parameter,
    reading,
)
from services.reporting.entrypoints.review_http import reviews
from shared.auth import AccessControl, guard
from shared.http import from_app, service_api
from shared.runtime import Ctx, ServiceContext

Rebuilds = Annotated[Projection, from_app("projection")]
handover_lists = APIRouter(prefix="/v1/handover")
statistics_router = APIRouter(prefix="/v1/statistics")
traces = APIRouter(prefix="/v1/trace")
persons = APIRouter(prefix="/v1/persons")
admin = APIRouter(prefix="/v1/admin")


def create_http_app(
    ctx: ServiceContext, queries: ReportingQueries, projection: Projection, auth: AccessControl
) -> FastAPI:
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
    responses=BAD_MUNICIPALITY_OR_WEEK,
)
async def handover(
    read: Annotated[QueriesRead, reading(ReportingAction.READ_HANDOVER_LIST)], listed: ListedWeek
) -> Any:
    await read.access.require_listing(listed.municipality_code)
    found = await read.in_store(
        read.reads.handover_for, read.principal, listed.municipality_code, listed.week
    )
    read.access.note(person_keys=[p.person_key for p in found.persons], count=len(found.persons))
    return found


@statistics_router.get(
    "/{municipality_code}/{iso_week}",
    summary="Counts per route, severity and offence for a municipality and ISO week "
    "(aggregates only; counts below 5 and cells that would reveal them suppressed)",
    response_model=HandoverStatistics,
    responses=BAD_MUNICIPALITY_OR_WEEK,
)
async def statistics(
    read: Annotated[QueriesRead, reading(ReportingAction.READ_STATISTICS)], listed: ListedWeek
) -> Any:
    await read.access.require_listing(listed.municipality_code)
    counted = await read.in_store(read.reads.statistics, listed.municipality_code, listed.week)
    read.access.note(count=counted.persons)
    return counted


@traces.get(
    "/{journal_number}",
    summary="Every step each service took for a journal number, in time order (operations: "
    "without person keys; municipal staff: their municipality's persons)",
    response_model=Trace,
    responses={404: {"description": "nothing is known about the journal number"}},
)
async def trace(
    journal_number: str, read: Annotated[QueriesRead, reading(ReportingAction.READ_TRACE)]
) -> Trace:
    shown = await read.answer(read.reads.trace_for, read.principal, journal_number)
    steps = shown.steps
    read.access.note(person_keys={s.person_key for s in steps if s.person_key}, count=len(steps))
    return shown


@persons.get(
    "/{person_key}/co-registered",
    summary="The persons registered in the same police reports as this person, within the "
    "caller's municipalities, most frequent first (the group behind a group-level "
    "intervention); 404 alike for unknown persons and persons out of reach",
    response_model=CoRegistrations,
    responses=NOT_IN_REACH,
)
async def co_registered(
    person_key: str, read: Annotated[QueriesRead, reading(ReportingAction.READ_CO_REGISTRATIONS)]
) -> CoRegistrations:
    found = await read.answer(read.reads.co_registered_for, read.principal, person_key)
    read.access.note(
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
    responses=NOT_IN_REACH,
)
async def person_timeline(
    person_key: Annotated[str, Path(max_length=200)],
    read: Annotated[QueriesRead, reading(ReportingAction.READ_PERSON_TIMELINE)],
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="rows to skip")] = 0,
    limit: Annotated[int, Query(ge=1, le=MOST_ROWS, description="rows on the page")] = 200,
) -> PersonTimeline:
    def page() -> TimelineAnswer:
        return read.reads.timelines.timeline_for(
            read.principal, person_key, offset=offset, limit=limit
        )

    timeline = await read.answer(page)
    read.access.note(person_keys=[person_key], count=len(timeline.rows))
    return timeline


@persons.get(
    "/{person_key}/concerns",
    summary="The concerns that did not come from the police about this person (issue 15): "
    "category and reporter kind as codes, school, registration time and week, most recent "
    "first; those registered in the caller's municipalities (an empty list otherwise)",
)
async def person_concerns(
    person_key: str, read: Annotated[QueriesRead, reading(ReportingAction.READ_PERSON_CONCERNS)]
) -> dict[str, Any]:
    read.access.note(term=person_key[:200], person_keys=[person_key[:200]])
    found = await read.in_store(concerns_for, read.reads.reader, read.principal, person_key)
    read.access.note(count=len(found))
    return {"person_key": person_key, "concerns": found}


@admin.post(
    "/rebuild",
    summary="Rebuild the read models from the event store (operations)",
    dependencies=[guard(ReportingAction.REBUILD_READ_MODELS)],
)
async def rebuild(ctx: Ctx, projection: Rebuilds) -> dict[str, Any]:
    events: int = await ctx.in_store(projection.rebuild)
    return {"rebuilt": True, "events": events}
