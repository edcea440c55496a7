"""What reporting sees in the messages about a young person's help beyond the police report and
its routing (issue 17): what the weekly meeting recorded about them, the caseworker's
assessment and meeting with the family, the follow-up actions on any route, and the turning-18
handover to PSP/KSP. Each is a
step of the journal it follows, else of the person's timeline only (domain/observations.py
has the steps of a journal's way through the platform).

Codes, dates and staff owners only: the text of a meeting's action or note, the caseworker's
note and a follow-up's note never leave their services."""

from __future__ import annotations

from typing import cast

from services.reporting.domain.observations import Observation, Step, happened, published
from shared.contracts import (
    CaseworkerRecordEvent,
    FollowUpEvent,
    HandoverTaskEvent,
    MeetingEvent,
)

_MEETING_STEPS: dict[str, Step] = {
    "route_or_owner_decided": "meeting_route_or_owner_decided",
    "action_agreed": "meeting_action_agreed",
    "note_recorded": "meeting_note_recorded",
}


_MEETING_FACTS = (
    "meeting",
    "municipality_code",
    "iso_week",
    "event",
    "decision_id",
    "route",
    "owner_role",
    "owner_team",
    "due_on",
)
"""What a step of the meeting keeps: codes, dates and owners, never an action's or a note's
text."""


def meeting_recorded(meeting: MeetingEvent) -> Observation | None:
    """What the weekly meeting recorded about a young person (its decisions, agreed actions
    and notes, without their text); who joined the meeting is no step of a person."""
    step = _MEETING_STEPS.get(meeting.event)
    if step is None or meeting.person_key is None:
        return None
    detail = f"meeting {meeting.meeting} {meeting.event}" + (
        f": {meeting.route or '-'}, owner {meeting.owner_role}" if meeting.owner_role else ""
    )
    facts = published(meeting, *_MEETING_FACTS)
    return happened(meeting, f"meeting:{meeting.event_id}", step, detail, facts)


ASSESSMENT_WORDS = {"inform": "orienter (inform)", "summon": "indkald (summon)"}


def caseworker_recorded(record: CaseworkerRecordEvent) -> Observation:
    """The caseworker's assessment or meeting with the family (issue 17, part 3), as notifications
    recorded it (from a caseworker app's topic or its API)."""
    if record.event == "assessed":
        step: Step = "caseworker_assessed"
        outcome = ASSESSMENT_WORDS.get(record.outcome or "", str(record.outcome))
        detail = f"caseworker {record.caseworker} assessed: {outcome} (via {record.via})"
    else:
        step = "family_meeting_held"
        youth = "with" if record.youth_attended else "without"
        detail = (
            f"caseworker {record.caseworker} met the family on {record.held_on} "
            f"({youth} the young person)"
        )
    facts = published(
        record, "event", "outcome", "caseworker", "via", "held_on", "municipality_code"
    )
    return happened(record, f"caseworker:{record.event_id}", step, detail, facts)


def follow_up_changed(action: FollowUpEvent) -> Observation:
    """A follow-up action on any route (issue 17, part 2) as courses publishes it: which action,
    when, by whom, its outcome and the agreed next step; codes and dates only (the note stays
    encrypted in courses). A step of the journal it follows, else of the person's timeline."""
    step: Step = cast(Step, f"follow_up_{action.event}")
    next_step = action.next_step
    detail = f"{action.kind} {action.event}: {action.outcome}" + (
        f", next {next_step.kind} by {next_step.owner}" if next_step else ""
    )
    facts = published(
        action,
        "event",
        "kind",
        "held_on",
        "held_by",
        "recorded_by_role",
        "outcome",
        "municipality_code",
        "course_id",
    ) | {
        "next_kind": next_step.kind if next_step else None,
        "next_owner": next_step.owner if next_step else None,
        "next_due_on": next_step.due_on.isoformat() if next_step else None,
        "next_status": next_step.status if next_step else None,
    }
    return happened(action, f"follow-up:{action.event_id}", step, detail, facts)


def handover_changed(task: HandoverTaskEvent) -> Observation:
    """The turning-18 handover (issue 14, part 4) as triage publishes it: the PSP/KSP task
    opened on the 18th birthday with the open items, its owner and due date, and its
    completion with where the person was handed over to. A step of the person's timeline
    only (no journal number)."""
    facts = published(
        task,
        "event",
        "municipality_code",
        "turned_18_on",
        "open_items",
        "owner_role",
        "owner_team",
        "due_on",
        "handed_over_to",
    )
    to = f": to {task.handed_over_to}" if task.handed_over_to else ""
    step = cast(Step, f"psp_ksp_handover_{task.event}")
    key = f"psp-ksp-handover:{task.event_id}"
    return Observation(
        key, None, step, task.at, task.person_key, None, f"PSP/KSP {step}{to}", facts
    )
