"""Out: follow-up actions on ``ssp.courses.follow-ups.v1`` (docs/contracts.md): every change to
a follow-up action for a young person on any route — a concern talk, a letter of concern, a
home or school visit, a GUSA dialogue, the police's talk, a network meeting, a referral to
another measure — keyed by ``person_key`` so one person's actions stay in order.

Codes, dates, ids and staff owners only: the note is kept encrypted in the courses service and
is never published. Every message carries the action as it stands after the event (kind, when,
outcome, the next step and its status), so a reader needs only the latest message per action.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, get_args

from pydantic import Field

from shared.contracts.common import (
    Code,
    ContractModel,
    EventId,
    Id,
    IdReference,
    JournalNumber,
    KeyPersonKey,
    MunicipalityCode,
    StaffInitials,
    Timestamp,
)

__all__ = [
    "FOLLOW_UP_EVENTS",
    "FOLLOW_UP_KINDS",
    "FOLLOW_UP_OUTCOMES",
    "FollowUpEvent",
    "FollowUpEventName",
    "FollowUpKind",
    "FollowUpOutcome",
    "NextStepState",
]

FollowUpKind = Literal[
    "bekymringssamtale",
    "bekymringsbrev",
    "hjemmebesoeg",
    "skolebesoeg",
    "gusa_dialog",
    "politiets_samtale",
    "netvaerksmoede",
    "henvisning",
    "opfoelgningssamtale",
]
FOLLOW_UP_KINDS: tuple[FollowUpKind, ...] = get_args(FollowUpKind)

FollowUpOutcome = Literal[
    "held",
    "no_show",
    "declined",
    "postponed",
    "referred",
    "concern_resolved",
]
FOLLOW_UP_OUTCOMES: tuple[FollowUpOutcome, ...] = get_args(FollowUpOutcome)

FollowUpEventName = Literal[
    "recorded", "next_step_completed", "next_step_rescheduled", "next_step_overdue", "erased"
]
FOLLOW_UP_EVENTS: tuple[FollowUpEventName, ...] = get_args(FollowUpEventName)


class NextStepState(ContractModel):
    """The agreed next step as it stands after the event."""

    kind: FollowUpKind = Field(description="What is to be done next.", examples=["hjemmebesoeg"])
    owner: StaffInitials
    due_on: date = Field(
        description="When it is due (Danish calendar date).", examples=["2026-11-23"]
    )
    status: Literal["open", "overdue", "done"] = Field(
        description="open | overdue (not done by due_on; raised once per due date) | done.",
        examples=["open"],
    )
    completed_on: date | None = Field(
        default=None, description="When it was done (status done).", examples=["2026-11-20"]
    )


class FollowUpEvent(ContractModel):
    """One change to a follow-up action."""

    event_id: EventId
    action_id: Id = Field(
        description="Id of the follow-up action.",
        examples=["4b1e7c2a-9d3f-4e5a-8b6c-7d8e9f0a1b2c"],
    )
    event: FollowUpEventName = Field(
        description="recorded | next_step_completed | next_step_rescheduled | next_step_overdue "
        "| erased (issue 18: its retention deadline passed; the action's codes as they stood, "
        "nothing more follows).",
        examples=["recorded"],
    )
    person_key: KeyPersonKey
    municipality_code: MunicipalityCode = Field(
        description="The municipality that recorded the action."
    )
    journal_number: JournalNumber | None = Field(
        default=None,
        description="The police journal number the action follows, if any.",
        examples=["3700-80123-00456-26"],
    )
    course_id: IdReference | None = Field(
        default=None,
        description="The TRIVSEL+ course the action belongs to (ssp.courses.events.v1), if any.",
        examples=["0f3e2d1c-4b5a-5968-8776-a5b4c3d2e1f0"],
    )
    kind: FollowUpKind = Field(description="Which action.", examples=["hjemmebesoeg"])
    held_on: date = Field(description="When it was held (sent, made).", examples=["2026-11-16"])
    held_by: StaffInitials
    recorded_by_role: Code = Field(
        description="The role of the user who recorded it (from their token).",
        examples=["tovholder"],
    )
    outcome: FollowUpOutcome = Field(
        description="held | no_show | declined | postponed | referred | concern_resolved.",
        examples=["held"],
    )
    next_step: NextStepState | None = Field(
        default=None,
        description="The agreed next step, if any, as it stands now.",
        examples=[
            {"kind": "skolebesoeg", "owner": "tovholder", "due_on": "2026-11-23", "status": "open"}
        ],
    )
    at: Timestamp = Field(
        description="When it was recorded or changed.", examples=["2026-11-16T10:15:00+01:00"]
    )
