"""The weekly meeting's minutes (issue 15): `GET /v1/meetings/{municipality_code}/{iso_week}`,
and what the meeting agrees: `POST .../actions` (an action with owner and due date) and
`POST .../notes`. Decisions about route and owner are recorded by the meeting-revision command
(meeting_revisions.py). Every change is published on ssp.meetings.events.v1 without its text.
`GET .../concerns`: the concerns on the agenda (issue 15, part 5), each as its reader may see it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict
from datetime import date, datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from services.triage.application.access_policy import TriageAction
from services.triage.application.meetings import (
    ActionToAgree,
    MeetingMinutes,
    Minutes,
    Participant,
    PersonErasedHere,
)
from services.triage.domain.meetings import MAX_TEXT, WeeklyMeeting
from services.triage.entrypoints.meeting_revisions import OwnerRole
from shared.auth import Access, DataKind, Resource, guard
from shared.auth.withheld import withhold_social_services
from shared.contracts.common import JOURNAL_NUMBER_PATTERN
from shared.runtime import ServiceContext

MUNICIPALITY = re.compile(r"[0-9]{3}")
ISO_WEEK = re.compile(r"[0-9]{4}-W(0[1-9]|[1-4][0-9]|5[0-3])")
PERSON_KEY_PATTERN = r"^pk_[0-9a-f]{16,64}$"
T = TypeVar("T")


class AgreeAction(BaseModel):
    journal_number: str = Field(pattern=JOURNAL_NUMBER_PATTERN)
    person_key: str = Field(pattern=PERSON_KEY_PATTERN)
    what: str = Field(min_length=1, max_length=MAX_TEXT, description="What was agreed.")
    owner_role: OwnerRole
    owner_team: str | None = Field(default=None, min_length=1, max_length=120)
    due_on: date


class RecordNote(BaseModel):
    journal_number: str | None = Field(default=None, pattern=JOURNAL_NUMBER_PATTERN)
    person_key: str | None = Field(default=None, pattern=PERSON_KEY_PATTERN)
    text: str = Field(min_length=1, max_length=MAX_TEXT)


def _meeting_of(municipality_code: str, iso_week: str) -> None:
    if MUNICIPALITY.fullmatch(municipality_code) is None or ISO_WEEK.fullmatch(iso_week) is None:
        raise HTTPException(
            422, detail="a meeting is a three-digit municipality code and an ISO week"
        )


def minutes_body(minutes: Minutes, municipality_code: str, iso_week: str) -> dict[str, Any]:
    """The minutes as answered; an action's or note's text is null once erased (issue 18)."""
    meeting, texts = minutes.meeting, minutes.texts
    if meeting is None:
        return {
            "meeting": f"{municipality_code}/{iso_week}",
            "participants": [],
            "items": [],
            "decisions": [],
            "actions": [],
            "notes": [],
        }
    return {
        "meeting": meeting.name,
        "participants": [{"subject": s, "role": r} for s, r in meeting.participants.items()],
        "items": [{"journal_number": j, "person_key": p} for j, p in meeting.items],
        "decisions": [{**d, "at": d["at"].isoformat()} for d in meeting.decisions],
        "actions": [
            {
                "action_id": a.action_id,
                "journal_number": a.journal_number,
                "person_key": a.person_key,
                "what": texts.get(a.action_id),
                "owner_role": a.owner_role,
                "owner_team": a.owner_team,
                "due_on": a.due_on.isoformat(),
                "agreed_by": a.agreed_by,
                "agreed_at": a.agreed_at.isoformat(),
            }
            for a in meeting.actions
        ],
        "notes": [
            {**n, "text": texts.get(n["note_id"]), "at": n["at"].isoformat()} for n in meeting.notes
        ],
    }


def concerns_body(
    meeting: WeeklyMeeting | None, municipality_code: str, access: Access
) -> list[dict[str, Any]]:
    """The agenda's concerns the caller may see (a school representative: their pupils'),
    each without the social-services details the caller may not see (the police: the
    category)."""
    shown = []
    for concern in meeting.concerns if meeting is not None else []:
        resource = Resource.of(municipality_code, school=concern.school)
        if not access.permits(resource):
            continue
        view = asdict(concern)
        if not access.permits(resource.with_kind(DataKind.SOCIAL_SERVICES)):
            view = withhold_social_services(view)
        shown.append(view)
    return shown


def meetings_router(
    ctx: ServiceContext, minutes: MeetingMinutes, clock: Callable[[], datetime]
) -> APIRouter:
    router = APIRouter(
        tags=["weekly meeting"],
        responses={403: {"description": "the municipality is outside your token"}},
    )
    read_responses: dict[int | str, dict[str, Any]] = {
        422: {"description": "bad municipality code or ISO week"}
    }

    async def meeting_read(
        municipality_code: str, iso_week: str, access: Access, reach: Resource
    ) -> Minutes:
        """The meeting, once the caller is found to reach `reach` (403 otherwise)."""
        _meeting_of(municipality_code, iso_week)
        await access.require(reach, conceal=False)
        found: Minutes = await ctx.in_store(minutes.minutes, municipality_code, iso_week)
        return found

    async def record_at_meeting(
        municipality_code: str,
        iso_week: str,
        access: Access,
        person_key: str | None,
        command: Callable[..., T],
        *facts: Any,
    ) -> T:
        """Record at the meeting, audited (the meeting, the child's item if any): the
        caller's municipality only; the caller takes part."""
        _meeting_of(municipality_code, iso_week)
        access.note(
            term=f"{municipality_code}/{iso_week}", person_keys=[person_key] if person_key else []
        )
        await access.require(Resource.of(municipality_code), conceal=False)
        who = Participant(access.principal.subject, access.principal.role)
        try:
            done: T = await ctx.in_store(command, municipality_code, iso_week, *facts, who, clock())
        except PersonErasedHere:
            raise HTTPException(404, detail="erased: nothing more is recorded about them") from None
        access.note(count=1)
        return done

    @router.get(
        "/v1/meetings/{municipality_code}/{iso_week}",
        summary="The weekly meeting's minutes: participants, items taken up, decisions about "
        "route and owner, agreed actions, notes (X-Purpose required; municipal staff)",
        responses=read_responses,
    )
    async def get_minutes(
        municipality_code: str,
        iso_week: str,
        access: Annotated[Access, guard(TriageAction.READ_MEETING)],
    ) -> dict[str, Any]:
        read = await meeting_read(
            municipality_code, iso_week, access, Resource.of(municipality_code)
        )
        body = minutes_body(read, municipality_code, iso_week)
        access.note(
            term=body["meeting"],
            person_keys=sorted({i["person_key"] for i in body["items"]}),
            count=len(body["items"]),
        )
        return body

    @router.get(
        "/v1/meetings/{municipality_code}/{iso_week}/concerns",
        summary="The concerns that do not come from the police on the meeting's agenda: "
        "category and reporter kind as codes, never the text (X-Purpose required; a school "
        "representative sees their pupils', the police see no category)",
        responses=read_responses,
    )
    async def get_concerns(
        municipality_code: str,
        iso_week: str,
        access: Annotated[Access, guard(TriageAction.READ_MEETING_CONCERNS)],
    ) -> dict[str, Any]:
        meeting = (
            await meeting_read(
                municipality_code, iso_week, access, Resource.listing_of(municipality_code)
            )
        ).meeting
        concerns = concerns_body(meeting, municipality_code, access)
        access.note(
            term=f"{municipality_code}/{iso_week}",
            person_keys=sorted({c["person_key"] for c in concerns}),
            count=len(concerns),
        )
        return {
            "meeting": f"{municipality_code}/{iso_week}",
            "held": meeting is not None and meeting.held,
            "concerns": concerns,
        }

    @router.post(
        "/v1/meetings/{municipality_code}/{iso_week}/actions",
        summary="An action the meeting agreed for a child's item, with owner and due date",
        status_code=201,
        responses={
            404: {"description": "the person was erased (issue 18)"},
            422: {"description": "a bad body, municipality code or ISO week"},
        },
    )
    async def agree_action(
        municipality_code: str,
        iso_week: str,
        body: AgreeAction,
        access: Annotated[Access, guard(TriageAction.RECORD_AT_MEETING)],
    ) -> dict[str, Any]:
        agreed = await record_at_meeting(
            municipality_code,
            iso_week,
            access,
            body.person_key,
            minutes.agree_action,
            ActionToAgree(
                body.journal_number,
                body.person_key,
                body.what,
                body.owner_role,
                body.owner_team,
                body.due_on,
            ),
        )
        return {"action_id": agreed.action_id, "due_on": agreed.due_on.isoformat()}

    @router.post(
        "/v1/meetings/{municipality_code}/{iso_week}/notes",
        summary="A note for the minutes, about the meeting or one child's item",
        status_code=201,
        responses={
            404: {"description": "the person was erased (issue 18)"},
            422: {"description": "a bad body, municipality code or ISO week"},
        },
    )
    async def record_note(
        municipality_code: str,
        iso_week: str,
        body: RecordNote,
        access: Annotated[Access, guard(TriageAction.RECORD_AT_MEETING)],
    ) -> dict[str, Any]:
        note_id = await record_at_meeting(
            municipality_code,
            iso_week,
            access,
            body.person_key,
            minutes.record_note,
            body.journal_number,
            body.person_key,
            body.text,
        )
        return {"note_id": note_id}

    return router
