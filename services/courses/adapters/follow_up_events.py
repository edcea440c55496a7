"""Each stored follow-up event as the message published on `ssp.courses.follow-ups.v1`, keyed
by person key: the action's codes, dates and owners as they stand after the event. The sealed
note is never part of it."""

from __future__ import annotations

from typing import Any

from services.courses.domain.follow_up import FollowUpAction
from shared.contracts.follow_ups import FollowUpEvent, FollowUpEventName, NextStepState
from shared.eventstore.ids import published_event_id

F = FollowUpAction

NAMES: dict[type[FollowUpAction.Event], FollowUpEventName] = {
    F.Recorded: "recorded",
    F.NextStepCompleted: "next_step_completed",
    F.NextStepRescheduled: "next_step_rescheduled",
    F.NextStepOverdue: "next_step_overdue",
    F.Erased: "erased",
}


def follow_up_event(event: object) -> FollowUpEvent | None:
    """The message of a stored follow-up event; None for anything else."""
    if not isinstance(event, FollowUpAction.Event):
        return None
    name = NAMES.get(type(event))
    if name is None:
        return None
    facts = event.facts
    return FollowUpEvent(
        event_id=published_event_id(event),
        action_id=str(event.originator_id),
        event=name,
        person_key=facts["person_key"],
        municipality_code=facts["municipality_code"],
        journal_number=facts.get("journal_number"),
        course_id=facts.get("course_id"),
        kind=facts["kind"],
        held_on=facts["held_on"],
        held_by=facts["held_by"],
        recorded_by_role=facts["recorded_by_role"],
        outcome=facts["outcome"],
        next_step=_next_step_after(event),
        at=event.at,
    )


def _next_step_after(event: FollowUpAction.Event) -> NextStepState | None:
    """The next step as the event leaves it (`facts` holds it as it stood before)."""
    before: dict[str, Any] | None = (
        event.next_step if isinstance(event, F.Recorded) else event.facts.get("next_step")
    )
    if before is None:
        return None
    step = {"kind": before["kind"], "owner": before["owner"], "due_on": before["due_on"]}
    if isinstance(event, F.NextStepCompleted):
        return NextStepState(**step, status="done", completed_on=event.completed_on)
    if isinstance(event, F.NextStepRescheduled):
        step.update(owner=event.owner, due_on=event.due_on)
        return NextStepState(**step, status="open")
    if isinstance(event, F.NextStepOverdue):
        return NextStepState(**step, status="overdue")
    return NextStepState(**step, status="open")
