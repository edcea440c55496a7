"""Out: the weekly meeting's events on ``ssp.meetings.events.v1`` (issue 15), one message per
event of triage's `WeeklyMeeting` aggregate, keyed by the meeting (``607/2026-W49``).

Codes, pseudonyms and dates only: the text of an agreed action and of a note never leaves
triage's store (they are free text about a child)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from shared.contracts.common import (
    MAX_ID_CHARS,
    Code,
    ContractModel,
    Id,
    IdReference,
    IsoWeekCode,
    JournalNumber,
    MunicipalityCode,
    PersonKey,
    TeamName,
    Timestamp,
    when_set,
)

__all__ = ["MeetingEvent", "MeetingEventType"]

MeetingEventType = Literal[
    "opened",
    "participant_joined",
    "route_or_owner_decided",
    "action_agreed",
    "note_recorded",
    "concern_placed",
]


class MeetingEvent(ContractModel):
    """Something recorded at a municipality's weekly meeting (overleveringsmøde,
    indsatsmøde, mandagsmøde, samordningsmøde, §115-møde)."""

    event_id: Id = Field(
        description="Unique id of the event (the meeting's id and its version).",
        examples=["3f0c2a5e-9b1d-5c4e-8a7f-1b2c3d4e5f60:3"],
    )
    meeting: str = Field(
        pattern=r"^[0-9]{3}/[0-9]{4}-W[0-9]{2}$",
        description="The meeting: municipality code and ISO week; the message key.",
        examples=["607/2026-W49"],
    )
    municipality_code: MunicipalityCode = Field(description="The meeting's municipality.")
    iso_week: IsoWeekCode = Field(
        description="The meeting's ISO week (the police reports of that week)."
    )
    event: MeetingEventType = Field(
        description="opened: the first thing recorded at the meeting; participant_joined: a "
        "person recorded something for the first time (by, role); route_or_owner_decided: the "
        "meeting kept or changed a child's route or owner (decision_id names triage's revised "
        "decision, null when kept); action_agreed: an agreed action with owner and due date; "
        "note_recorded: a note was added to the minutes (its text is not published); "
        "concern_placed: a concern that does not come from the police was put on the agenda "
        "(concern_id, person_key; by `triage`).",
        examples=["action_agreed"],
    )
    at: Timestamp = Field(
        description="When it was recorded.", examples=["2026-12-07T10:15:00+01:00"]
    )
    by: str = Field(
        min_length=1,
        max_length=MAX_ID_CHARS * 2,
        description="Who recorded it (the `sub` of their token).",
        examples=["ABJ"],
    )
    role: Code | None = when_set("Their role (participant_joined).", examples=["tovholder"])
    journal_number: JournalNumber | None = when_set(
        "The agenda item's police report.", examples=["3700-80123-00456-26"]
    )
    person_key: PersonKey | None = when_set(
        "The agenda item's young person.", examples=["pk_9f2c4e1a7b3d5e6f"]
    )
    decision_id: IdReference | None = when_set(
        "route_or_owner_decided: triage's revised decision; null when the meeting "
        "kept the route and owner.",
        examples=[None, "6c1f2a7e-0d4b-5e8f-9a3c-2b1d0e4f6a70"],
    )
    route: Code | None = when_set(
        "route_or_owner_decided: the route decided (caseworker | tovholder).",
        examples=["tovholder"],
    )
    owner_role: Code | None = when_set(
        "route_or_owner_decided: the owner decided; action_agreed: who does it.",
        examples=["team_leader"],
    )
    owner_team: TeamName | None = when_set("The owning team, if any.", examples=[None, "Team Syd"])
    action_id: IdReference | None = when_set(
        "action_agreed: its id.", examples=["0f7e6d5c-4b3a-4291-8f7e-6d5c4b3a2910"]
    )
    due_on: date | None = when_set("action_agreed: when it is due.", examples=["2026-12-14"])
    note_id: IdReference | None = when_set(
        "note_recorded: its id.", examples=["1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"]
    )
    concern_id: IdReference | None = Field(
        default=None,
        # Absent (not null) from every other event: their bytes stay as they were.
        exclude_if=lambda value: value is None,
        description="concern_placed: the concern (ssp.intake.concerns.v1); absent otherwise.",
        examples=["3b1f6e0a-4c2d-4e8f-9a1b-2c3d4e5f6a7b"],
    )
