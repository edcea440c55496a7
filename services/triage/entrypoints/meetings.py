"""The weekly meeting's minutes (issue 15): `GET /v1/meetings/{municipality_code}/{iso_week}`,
and what the meeting agrees: `POST .../actions` (an action with owner and due date) and
`POST .../notes`. Decisions about route and owner are recorded by the meeting-revision command
(meeting_revisions.py). Every change is published on ssp.meetings.events.v1 without its text.
`GET .../concerns`: the concerns on the agenda (issue 15, part 5), each as its reader may see it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, HTTPException
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
from shared.contracts.common import JOURNAL_NUMBER_PATTERN, MUNICIPALITY_CODE_PATTERN
from shared.http_responses import described
from shared.runtime import ServiceContext

MUNICIPALITY_CODE = re.compile(MUNICIPALITY_CODE_PATTERN)
ISO_WEEK = re.compile(r"[0-9]{4}-W(0[1-9]|[1-4][0-9]|5[0-3])")
PERSON_KEY_PATTERN = r"^pk_[0-9a-f]{16,64}$"
T = TypeVar("T")
Route = TypeVar("Route", bound=Callable[..., Any])


class AgreeAction(BaseModel):
    journal_number: str = Field(pattern=JOURNAL_NUMBER_PATTERN)
    person_key: str = Field(pattern=PERSON_KEY_PATTERN)
    what: str = Field(min_length=1, max_length=MAX_TEXT, description="What was agreed.")
    owner_role: OwnerRole
    owner_team: str | None = Field(default=None, min_length=1, max_length=120)
    due_on: date

    def to_action(self) -> ActionToAgree:
        return ActionToAgree(
            self.journal_number,
            self.person_key,
            self.what,
            self.owner_role,
            self.owner_team,
            self.due_on,
        )


class RecordNote(BaseModel):
    journal_number: str | None = Field(default=None, pattern=JOURNAL_NUMBER_PATTERN)
    person_key: str | None = Field(default=None, pattern=PERSON_KEY_PATTERN)
    text: str = Field(min_length=1, max_length=MAX_TEXT)


@dataclass(frozen=True)
class MeetingInPath:
    """The meeting a route's path names (`{municipality_code}/{iso_week}`), as given. A route
    `check`s it in its body, so a refused caller and a bad body are answered first, as a
    check in the dependency would not."""

    municipality_code: str
    iso_week: str

    def check(self) -> None:
        """422 unless a three-digit municipality code and an ISO week."""
        if (
            MUNICIPALITY_CODE.fullmatch(self.municipality_code) is None
            or ISO_WEEK.fullmatch(self.iso_week) is None
        ):
            raise HTTPException(
                422, detail="a meeting is a three-digit municipality code and an ISO week"
            )

    @property
    def name(self) -> str:
        return f"{self.municipality_code}/{self.iso_week}"


Meeting = Annotated[MeetingInPath, Depends()]
# The guard of each route, by what it lets the caller do (shared/auth; TriageAction).
ReadsMeeting = Annotated[Access, guard(TriageAction.READ_MEETING)]
ReadsMeetingConcerns = Annotated[Access, guard(TriageAction.READ_MEETING_CONCERNS)]
RecordsAtMeeting = Annotated[Access, guard(TriageAction.RECORD_AT_MEETING)]
BAD_MEETING = described({422: "bad municipality code or ISO week"})
RECORDED_AT_MEETING = described(
    {404: "the person was erased (issue 18)", 422: "a bad body, municipality code or ISO week"}
)


def minutes_body(minutes: Minutes, asked: MeetingInPath) -> dict[str, Any]:
    """The minutes as answered; an action's or note's text is null once erased (issue 18)."""
    meeting, texts = minutes.meeting, minutes.texts
    if meeting is None:
        return {
            "meeting": asked.name,
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
        prefix="/v1/meetings/{municipality_code}/{iso_week}",
        tags=["weekly meeting"],
        responses={403: {"description": "the municipality is outside your token"}},
    )

    async def meeting_read(meeting: MeetingInPath, access: Access, reach: Resource) -> Minutes:
        """The meeting, once the caller is found to reach `reach` (403 otherwise)."""
        meeting.check()
        await access.require(reach, conceal=False)
        found: Minutes = await ctx.in_store(
            minutes.minutes, meeting.municipality_code, meeting.iso_week
        )
        return found

    async def record_at_meeting(
        meeting: MeetingInPath,
        access: Access,
        person_key: str | None,
        command: Callable[..., T],
        *facts: Any,
    ) -> T:
        """Record at the meeting, audited (the meeting, the child's item if any): the
        caller's municipality only; the caller takes part."""
        meeting.check()
        access.note(term=meeting.name, person_keys=[person_key] if person_key else [])
        await access.require(Resource.of(meeting.municipality_code), conceal=False)
        who = Participant(access.principal.subject, access.principal.role)
        try:
            done: T = await ctx.in_store(
                command, meeting.municipality_code, meeting.iso_week, *facts, who, clock()
            )
        except PersonErasedHere:
            raise HTTPException(404, detail="erased: nothing more is recorded about them") from None
        access.note(count=1)
        return done

    @router.get(
        "",
        summary="The weekly meeting's minutes: participants, items taken up, decisions about "
        "route and owner, agreed actions, notes (X-Purpose required; municipal staff)",
        responses=BAD_MEETING,
    )
    async def get_minutes(meeting: Meeting, access: ReadsMeeting) -> dict[str, Any]:
        read = await meeting_read(meeting, access, Resource.of(meeting.municipality_code))
        body = minutes_body(read, meeting)
        access.note(
            term=body["meeting"],
            person_keys=sorted({i["person_key"] for i in body["items"]}),
            count=len(body["items"]),
        )
        return body

    @router.get(
        "/concerns",
        summary="The concerns that do not come from the police on the meeting's agenda: "
        "category and reporter kind as codes, never the text (X-Purpose required; a school "
        "representative sees their pupils', the police see no category)",
        responses=BAD_MEETING,
    )
    async def get_concerns(meeting: Meeting, access: ReadsMeetingConcerns) -> dict[str, Any]:
        reach = Resource.listing_of(meeting.municipality_code)
        held = (await meeting_read(meeting, access, reach)).meeting
        concerns = concerns_body(held, meeting.municipality_code, access)
        access.note(
            term=meeting.name,
            person_keys=sorted({c["person_key"] for c in concerns}),
            count=len(concerns),
        )
        return {
            "meeting": meeting.name,
            "held": held is not None and held.held,
            "concerns": concerns,
        }

    def recorded_at_meeting(path: str, summary: str) -> Callable[[Route], Route]:
        """A command recorded at the meeting: 201 Created, 404 once the person was erased."""
        return router.post(path, summary=summary, status_code=201, responses=RECORDED_AT_MEETING)

    @recorded_at_meeting(
        "/actions", "An action the meeting agreed for a child's item, with owner and due date"
    )
    async def agree_action(
        meeting: Meeting, body: AgreeAction, access: RecordsAtMeeting
    ) -> dict[str, Any]:
        agreed = await record_at_meeting(
            meeting, access, body.person_key, minutes.agree_action, body.to_action()
        )
        return {"action_id": agreed.action_id, "due_on": agreed.due_on.isoformat()}

    @recorded_at_meeting("/notes", "A note for the minutes, about the meeting or one child's item")
    async def record_note(
        meeting: Meeting, body: RecordNote, access: RecordsAtMeeting
    ) -> dict[str, Any]:
        facts = (body.journal_number, body.person_key, body.text)
        note_id = await record_at_meeting(
            meeting, access, body.person_key, minutes.record_note, *facts
        )
        return {"note_id": note_id}

    return router
