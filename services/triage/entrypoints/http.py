"""Triage's HTTP API: the routing decisions of an incident's latest revision, the
municipality profiles they were made by, and (for operations) the persons of municipalities not
served here, with rerouting once one is served. Every route is guarded (shared/auth) and
audited."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import partial
from typing import Annotated, Any, Concatenate, ParamSpec, TypeVar

from fastapi import APIRouter, Depends, FastAPI, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from services.triage.application.access_policy import TriageAction
from services.triage.application.meetings import MeetingMinutes
from services.triage.application.service import (
    MunicipalityNotServed,
    TriageService,
)
from services.triage.domain.adulthood import HandedOverTo, TaskAlreadyCompleted, TaskNotFound
from services.triage.entrypoints.meeting_revisions import meeting_revisions_router
from services.triage.entrypoints.meetings import meetings_router
from shared.auth import Access, AccessControl, DataKind, Resource, guard
from shared.auth.withheld import withhold_social_services
from shared.contracts import RoutingDecision
from shared.contracts.common import MUNICIPALITY_CODE_PATTERN
from shared.contracts.municipalities import is_municipality_code
from shared.errors import ApiError, error_body
from shared.http import from_app, service_api
from shared.keys.report import erasure_report_router
from shared.runtime import Ctx, ServiceContext

MUNICIPALITY_CODE = re.compile(MUNICIPALITY_CODE_PATTERN)
P = ParamSpec("P")
T = TypeVar("T")


def _decision_body(
    decision: RoutingDecision, access: Access, in_reach: Callable[[str], bool]
) -> dict[str, Any]:
    """The decision as the caller may see it: without what reveals social services'
    involvement (shared/auth/withheld.py, the list reporting's handover list uses too) when
    the policy withholds it; else with only the co-registered persons in the caller's reach."""
    body = decision.model_dump(mode="json")
    resource = Resource.of(decision.municipality_code, kind=DataKind.SOCIAL_SERVICES)
    if not access.permits(resource):
        return withhold_social_services(body)
    body["co_registered_person_keys"] = [
        key for key in decision.co_registered_person_keys if in_reach(key)
    ]
    return body


Service = Annotated[TriageService, from_app("service")]


@dataclass(frozen=True)
class InStore:
    """What the routes that read or change the store take together: triage's service and the
    context whose store thread runs its use cases (`ServiceContext.in_store`)."""

    ctx: Ctx
    service: Service

    async def run(
        self,
        use_case: Callable[Concatenate[TriageService, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """`use_case(service, *args, **kwargs)` in the store's thread."""
        done: T = await self.ctx.in_store(partial(use_case, self.service, *args, **kwargs))
        return done


Triage = Annotated[InStore, Depends()]
# The guard of each route, by what it lets the caller do (shared/auth; TriageAction).
ReadTriage = Annotated[Access, guard(TriageAction.READ_TRIAGE)]
ReadNotServed = Annotated[Access, guard(TriageAction.READ_NOT_SERVED)]
Reroute = Annotated[Access, guard(TriageAction.REROUTE_NOT_SERVED)]
ReadHandovers = Annotated[Access, guard(TriageAction.READ_PSP_KSP_HANDOVERS)]
CompletesHandover = Annotated[Access, guard(TriageAction.COMPLETE_PSP_KSP_HANDOVER)]
decisions = APIRouter(prefix="/v1/decisions")
profiles = APIRouter(prefix="/v1/profiles")
not_served = APIRouter(prefix="/v1/not-served")
psp_ksp = APIRouter(prefix="/v1/psp-ksp-handovers")
admin = APIRouter(prefix="/v1/admin")


class RerouteRequest(BaseModel):
    municipality_code: str = Field(pattern=MUNICIPALITY_CODE_PATTERN)
    since: date | datetime = Field(
        description="Incidents reported at or after this day (00:00 UTC) or instant."
    )


def _official(code: str) -> None:
    """422 unless one of the 98 official municipality codes (issue 14, part 1)."""
    if not MUNICIPALITY_CODE.fullmatch(code):
        raise ApiError(
            422, "invalid_request", "a municipality code is three digits", "municipality_code"
        )
    if not is_municipality_code(code):
        raise ApiError(
            422, "unknown_municipality", "not a Danish municipality code", "municipality_code"
        )


def _official_in_path(municipality_code: str) -> str:
    _official(municipality_code)
    return municipality_code


OfficialCode = Annotated[str, Depends(_official_in_path)]
"""A path's `{municipality_code}`, one of the 98 official codes (422 otherwise). Declare it
after the route's guard: dependencies run in order, so a refused caller is answered first."""
NOT_A_MUNICIPALITY_CODE: dict[int | str, dict[str, Any]] = {
    422: {"description": "not a three-digit municipality code"}
}


def _since(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            raise ApiError(
                422, "invalid_request", "since needs an offset from UTC, like +01:00", "since"
            )
        return value
    return datetime.combine(value, time.min, tzinfo=UTC)


def create_http_app(ctx: ServiceContext, service: TriageService, auth: AccessControl) -> FastAPI:
    """Triage's whole HTTP API, each resource its own router."""
    return service_api(
        "SSP triage",
        "Routing decisions: caseworker or SSP coordinator (tovholder) stream.",
        auth,
        [
            decisions,
            not_served,
            admin,
            profiles,
            psp_ksp,
            meeting_revisions_router(ctx, service),
            meetings_router(ctx, MeetingMinutes(service.app), service.clock),
            # Triage's part of `ssp erasure-report`: kinds person, meeting_minutes, concern.
            erasure_report_router(TriageAction.READ_ERASURE_REPORT, service.app.keyring),
        ],
        ctx=ctx,
        service=service,
    )


@decisions.get(
    "/{journal_number}",
    summary="The routing decisions of an incident's latest revision (contracts.md §4), "
    "those of persons in the caller's municipalities (X-Purpose required; the police "
    "without social-services details)",
    responses={
        404: {"description": "no revision of this journal number was triaged, or none of "
              "its persons is in your reach"}
    },
)  # fmt: skip
async def get_decisions(journal_number: str, access: ReadTriage, triage: Triage) -> dict[str, Any]:
    latest = access.found(await triage.run(TriageService.latest_triage, journal_number))
    placed = {k: m for k, m in latest.out_of_scope_municipalities.items() if m is not None}
    everyone = frozenset(d.municipality_code for d in latest.decisions) | set(placed.values())
    journal = access.decide(Resource(municipalities=everyone))
    if not journal.allowed:
        # The refused attempt is found under each person it tried to read.
        access.note(person_keys=[d.person_key for d in latest.decisions] + list(placed))
        await access.refuse(journal, conceal=True)
    shown = [d for d in latest.decisions if access.permits(Resource.of(d.municipality_code))]
    # An out-of-scope person recorded before triage kept their municipality is covered by
    # nobody's reach but a grant for records without one (need-to-know fails closed).
    unplaced = access.permits(Resource(municipalities=frozenset()))
    out_of_scope = [
        key
        for key in latest.out_of_scope
        if (access.permits(Resource.of(placed[key])) if key in placed else unplaced)
    ]
    # A co-registered person is named only when the caller may see them too.
    residence = {d.person_key: d.municipality_code for d in latest.decisions} | placed

    def in_reach(person_key: str) -> bool:
        code = residence.get(person_key)
        return access.permits(Resource.of(code)) if code is not None else unplaced

    bodies = [_decision_body(d, access, in_reach) for d in shown]
    named = [key for body in bodies for key in body["co_registered_person_keys"]]
    access.note(
        person_keys=list(dict.fromkeys([d.person_key for d in shown] + out_of_scope + named)),
        count=len(shown) + len(out_of_scope),
    )
    return {
        "journal_number": latest.journal_number,
        "revision": latest.revision,
        "decisions": bodies,
        "out_of_scope": out_of_scope,
    }


@profiles.get(
    "",
    summary="The municipality profiles in force, the default profile last",
    dependencies=[guard(TriageAction.READ_PROFILES)],
)
async def list_profiles(service: Service) -> list[dict[str, Any]]:
    # Profiles are read once at start and never change: no store access needed.
    return [p.model_dump(mode="json") for p in service.profiles.all()]


@profiles.get(
    "/{code}",
    summary="The profile applied to a municipality code (its own, else the default)",
    responses=NOT_A_MUNICIPALITY_CODE,
    dependencies=[guard(TriageAction.READ_PROFILES)],
)
async def get_profile(code: str, service: Service) -> dict[str, Any]:
    _official(code)
    return service.profiles.for_municipality(code).model_dump(mode="json")


@not_served.get(
    "/{municipality_code}",
    summary="Operations: the incidents in which persons of a municipality not served here "
    "were recorded (journal number, revision, reported_at, rerouted), never person keys",
    responses=NOT_A_MUNICIPALITY_CODE,
)
async def list_not_served(
    access: ReadNotServed, municipality_code: OfficialCode, triage: Triage
) -> dict[str, Any]:
    recorded = await triage.run(TriageService.not_served, municipality_code)
    access.note(count=len(recorded))
    return {
        "municipality_code": municipality_code,
        "served": municipality_code in triage.service.served,
        "persons": [
            {
                "journal_number": r.journal_number,
                "revision": r.revision,
                "reported_at": r.reported_at.isoformat(),
                "rerouted": r.rerouted,
            }
            for r in recorded
        ],
    }


REROUTE_REFUSED: dict[int | str, dict[str, Any]] = {
    409: {"description": "the municipality is not served by this deployment (yet)"},
    422: {"description": "unknown municipality code or bad date"},
}


@admin.post(
    "/reroute",
    summary="Operations: route the persons of a now-served municipality recorded as not "
    "served in incidents reported since a date (`ssp reroute`)",
    responses=REROUTE_REFUSED,
)
async def reroute(request: RerouteRequest, access: Reroute, triage: Triage) -> Any:
    try:
        result = await triage.run(
            TriageService.reroute, request.municipality_code, _since(request.since)
        )
    except MunicipalityNotServed as refused:
        status = 422 if refused.problem == "unknown_municipality" else 409
        return JSONResponse(
            status_code=status,
            content=error_body(
                refused.problem,
                "the municipality is not a Danish municipality code"
                if status == 422
                else "the municipality is not served here: add it to SSP_MUNICIPALITIES "
                "and restart first",
                "municipality_code",
            ),
        )
    access.note(person_keys=[d.person_key for d in result.decisions], count=result.routed)
    return {
        "municipality_code": result.municipality_code,
        "routed": result.routed,
        "skipped": result.skipped,
    }


class CompleteHandover(BaseModel):
    handed_over_to: HandedOverTo = Field(
        description="psp, ksp, adult_social_services or no_further_action"
    )


def _task_body(task: dict[str, Any]) -> dict[str, Any]:
    return {
        name: (value.isoformat() if isinstance(value, (date, datetime)) else value)
        for name, value in task.items()
    }


@psp_ksp.get(
    "/{municipality_code}",
    summary="PSP/KSP handover tasks: young people of the municipality who turned 18 with an "
    "open item (owner, due date, where they were handed over to); X-Purpose required",
    responses=NOT_A_MUNICIPALITY_CODE,
)
async def list_psp_ksp_handovers(
    access: ReadHandovers, municipality_code: OfficialCode, triage: Triage
) -> dict[str, Any]:
    await access.require_listing(municipality_code)
    tasks = await triage.run(TriageService.psp_ksp_handovers, municipality_code)
    access.note(person_keys=[t["person_key"] for t in tasks], count=len(tasks))
    return {"municipality_code": municipality_code, "tasks": [_task_body(t) for t in tasks]}


COMPLETION_REFUSED: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such task, or not in your reach"},
    409: {"description": "the task was completed already"},
}


@psp_ksp.post(
    "/{municipality_code}/{person_key}/complete",
    summary="Record where the young person was handed over to (completes the task)",
    responses=COMPLETION_REFUSED,
)
async def complete_psp_ksp_handover(
    municipality_code: str,
    person_key: str,
    body: CompleteHandover,
    access: CompletesHandover,
    triage: Triage,
) -> dict[str, Any]:
    access.note(person_keys=[person_key])
    if not MUNICIPALITY_CODE.fullmatch(municipality_code):
        raise access.not_found()
    await access.require(Resource.of(municipality_code), conceal=True)
    try:
        task = await triage.run(
            TriageService.complete_psp_ksp_handover,
            municipality_code,
            person_key,
            body.handed_over_to,
        )
    except TaskNotFound:
        raise access.not_found() from None
    except TaskAlreadyCompleted:
        raise HTTPException(status_code=409, detail="the handover is completed already") from None
    access.note(count=1)
    return _task_body(task)
