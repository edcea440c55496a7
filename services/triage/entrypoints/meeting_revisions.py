"""The weekly meeting's decisions about a route or an owner (issue 15): `POST
/v1/decisions/{journal_number}/persons/{person_key}/meeting-revision`. A change becomes a
revised routing decision with reason `meeting_decision` and the deciding user (`decided_by`),
published on the topic of its route like every decision."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from services.triage.application.access_policy import TriageAction
from services.triage.application.service import MeetingRevision, TriageService
from services.triage.domain.incident_triage import NoCurrentDecision
from shared.auth import Access, Resource, guard
from shared.contracts import RoutingDecision
from shared.contracts.decisions import Route
from shared.runtime import ServiceContext

OwnerRole = Literal[
    "tovholder", "caseworker", "team_leader", "police_ssp_coordinator", "exit_coordinator"
]


class MeetingRevisionRequest(BaseModel):
    meeting: str = Field(
        pattern=r"^[0-9]{3}/[0-9]{4}-W[0-9]{2}$",
        description="The meeting that decided: municipality code and ISO week (`607/2026-W49`).",
    )
    route: Route = Field(description="caseworker | tovholder (keep it to change the owner only)")
    owner_role: OwnerRole = Field(description="The role that owns the item from now on.")
    owner_team: str | None = Field(
        default=None, min_length=1, max_length=120, description="The owning team, if any."
    )


class MeetingRevisionAnswer(BaseModel):
    revised: bool = Field(description="false: the meeting kept the route and owner as they were")
    decision: dict[str, Any] = Field(description="The person's current decision after it.")


def meeting_revisions_router(ctx: ServiceContext, service: TriageService) -> APIRouter:
    router = APIRouter(tags=["decisions"])

    @router.post(
        "/v1/decisions/{journal_number}/persons/{person_key}/meeting-revision",
        summary="The weekly meeting keeps or changes a person's route or owner; a change is "
        "published as a revised decision (reason meeting_decision, decided_by the caller)",
        response_model=MeetingRevisionAnswer,
        responses={
            404: {"description": "no current decision for the person in the journal number, "
                  "or none in your reach"},
            422: {"description": "a bad body, or a meeting of another municipality"},
        },
    )  # fmt: skip
    async def revise_at_meeting(
        journal_number: str,
        person_key: str,
        body: MeetingRevisionRequest,
        access: Annotated[Access, guard(TriageAction.REVISE_DECISION_AT_MEETING)],
    ) -> MeetingRevisionAnswer:
        access.note(term=f"meeting {body.meeting}", person_keys=[person_key])
        latest = await ctx.in_store(service.latest_triage, journal_number)
        current = (
            next((d for d in latest.decisions if d.person_key == person_key), None)
            if latest is not None
            else None
        )
        if current is None:
            raise access.not_found()
        await access.require(Resource.of(current.municipality_code), conceal=True)
        if body.meeting[:3] != current.municipality_code:
            raise HTTPException(422, detail="the meeting is of another municipality")
        revision = MeetingRevision(
            route=body.route,
            owner_role=body.owner_role,
            owner_team=body.owner_team,
            decided_by=access.principal.subject,
            decider_role=access.principal.role,
            municipality_code=body.meeting[:3],
            iso_week=body.meeting[4:],
        )
        try:
            kept, revised = await ctx.in_store(
                service.revise_at_meeting, journal_number, person_key, revision
            )
        except NoCurrentDecision:
            raise access.not_found() from None
        decision: RoutingDecision = revised if revised is not None else kept
        access.note(count=1)
        return MeetingRevisionAnswer(
            revised=revised is not None, decision=decision.model_dump(mode="json")
        )

    return router
