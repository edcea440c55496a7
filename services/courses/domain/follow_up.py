"""A follow-up action for a young person on any route (issue 17, part 2): a concern talk, a
letter of concern, a home or school visit, a GUSA dialogue, the police's talk, a network
meeting or a referral to another measure — recorded with who held it and when, what came of
it (an outcome code), an optional next step with an owner and a due date, and a note.

Rules the aggregate keeps:
- an action happened: `held_on` is not after today;
- a next step is not due before the action was held; it is completed once, not before the
  action was held and not in the future; a rescheduled step is not due in the past;
- a next step still open after its due date is overdue: `NextStepOverdue` is raised once per
  due date (`mark_overdue`), so rescheduling and missing it again raises it again;
- the note is stored sealed (`note_sealed`, encrypted by the application before the aggregate
  sees it): the store never holds its text, and it is never published.

Every event carries the action's public facts (`facts`: person, municipality, kind, journal
number, course), so the outbox relay publishes it on `ssp.courses.follow-ups.v1` without
loading the aggregate. A TRIVSEL+ follow-up is such an action with the course's id.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Self
from uuid import UUID, uuid4

from eventsourcing.domain import event

from services.courses.domain.calendar import local_date
from services.courses.domain.course import Course, CourseErased
from services.courses.domain.follow_up_terms import (
    CompletedBeforeHeld,
    DueBeforeHeld,
    NextStep,
    NextStepDone,
    NextStepStatus,
    NoNextStep,
    overdue_key,
)
from shared.eventstore import TracedAggregate

FACTS = (
    "person_key",
    "municipality_code",
    "journal_number",
    "course_id",
    "kind",
    "held_on",
    "held_by",
    "recorded_by_role",
    "outcome",
    "next_step",
)
"""What every event carries of the action as it stood (its envelope on the topic)."""

require_not_future = Course.require_not_future
require_not_past = Course.require_not_past


class FollowUpAction(TracedAggregate):
    erased = False
    """Issue 18: a class default, so actions stored before it load unerased."""

    class Event(TracedAggregate.Event):
        at: datetime
        facts: dict[str, Any]

    class Recorded(Event, TracedAggregate.Created):
        action_id: str
        person_key: str
        municipality_code: str
        journal_number: str | None
        course_id: str | None
        kind: str
        held_on: date
        held_by: str
        recorded_by_role: str
        outcome: str
        next_step: dict[str, Any] | None
        note_sealed: str

    class NextStepCompleted(Event):
        completed_on: date
        completed_by: str

    class NextStepRescheduled(Event):
        owner: str
        due_on: date

    class NextStepOverdue(Event):
        owner: str
        due_on: date

    class Erased(Event):
        """The action was erased (issue 18): its person was (`person_erased`), or its
        retention deadline passed (`retention_deadline`). No personal data; nothing changes
        after it and no read returns the action."""

        reason: str

    @classmethod
    def _create(cls, event_class: Any, **kwargs: Any) -> Self:
        kwargs.setdefault("facts", {name: kwargs.get(name) for name in FACTS})
        return super()._create(event_class, **kwargs)

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        kwargs.setdefault("facts", self.facts_now())
        super().trigger_event(event_class, **kwargs)

    @classmethod
    def record(
        cls,
        *,
        person_key: str,
        municipality_code: str,
        journal_number: str | None,
        course_id: UUID | None,
        kind: str,
        held_on: date,
        held_by: str,
        recorded_by_role: str,
        outcome: str,
        next_step: NextStep | None,
        note_sealed: str,
        at: datetime,
        action_id: UUID | None = None,
    ) -> FollowUpAction:
        """`action_id`: chosen before (the note is sealed with it); a new one when None."""
        require_not_future(held_on, at, "held_on")
        if next_step is not None and next_step["due_on"] < held_on:
            raise DueBeforeHeld(
                "next_step.due_on must be on or after held_on", field="next_step.due_on"
            )
        return cls(
            action_id=str(action_id or uuid4()),
            person_key=person_key,
            municipality_code=municipality_code,
            journal_number=journal_number,
            course_id=str(course_id) if course_id is not None else None,
            kind=kind,
            held_on=held_on,
            held_by=held_by,
            recorded_by_role=recorded_by_role,
            outcome=outcome,
            next_step=dict(next_step) if next_step is not None else None,
            note_sealed=note_sealed,
            at=at,
        )

    @staticmethod
    def create_id(action_id: str) -> UUID:
        return UUID(action_id)

    @event(Recorded)
    def __init__(
        self,
        action_id: str,
        person_key: str,
        municipality_code: str,
        journal_number: str | None,
        course_id: str | None,
        kind: str,
        held_on: date,
        held_by: str,
        recorded_by_role: str,
        outcome: str,
        next_step: dict[str, Any] | None,
        note_sealed: str,
        at: datetime,
    ) -> None:
        self.person_key = person_key
        self.municipality_code = municipality_code
        self.journal_number = journal_number
        self.course_id = course_id
        self.kind = kind
        self.held_on = held_on
        self.held_by = held_by
        self.recorded_by_role = recorded_by_role
        self.outcome = outcome
        self.next_step: NextStep | None = (
            NextStep(kind=next_step["kind"], owner=next_step["owner"], due_on=next_step["due_on"])
            if next_step is not None
            else None
        )
        self.next_step_status: NextStepStatus = "open" if next_step is not None else "none"
        self.next_step_completed_on: date | None = None
        self.note_sealed = note_sealed
        self.overdue_flags: list[str] = []
        self.recorded_at = at

    def facts_now(self) -> dict[str, Any]:
        facts = {name: getattr(self, name) for name in FACTS}
        facts["next_step"] = dict(self.next_step) if self.next_step is not None else None
        return facts

    # --- commands ------------------------------------------------------------------------
    def complete_next_step(self, on: date, by: str, at: datetime) -> None:
        self._open_step()
        require_not_future(on, at, "completed_on")
        if on < self.held_on:
            raise CompletedBeforeHeld(
                "completed_on must be on or after the action's held_on", field="completed_on"
            )
        self._complete(completed_on=on, completed_by=by, at=at)

    def reschedule_next_step(self, owner: str, due_on: date, at: datetime) -> None:
        self._open_step()
        require_not_past(due_on, at, "due_on")
        self._reschedule(owner=owner, due_on=due_on, at=at)

    def is_overdue(self, today: date) -> bool:
        """The next step is open and its due date has passed."""
        step = self.next_step
        return self.next_step_status == "open" and step is not None and step["due_on"] < today

    def mark_overdue(self, now: datetime) -> int:
        """Raise `NextStepOverdue` once for the current due date once it has passed."""
        step = self.next_step
        if step is None or not self.is_overdue(local_date(now)):
            return 0
        if overdue_key(step["due_on"]) in self.overdue_flags:
            return 0
        self._overdue(owner=step["owner"], due_on=step["due_on"], at=now)
        return 1

    def mark_erased(self, reason: str, at: datetime) -> bool:
        """Record that the action was erased; False when it was already."""
        if self.erased:
            return False
        self._erase(reason=reason, at=at)
        return True

    def _open_step(self) -> NextStep:
        if self.erased:
            raise CourseErased("this action was erased")
        if self.next_step is None:
            raise NoNextStep("this action has no next step")
        if self.next_step_status == "done":
            raise NextStepDone(
                "the next step was completed",
                completed_on=self.next_step_completed_on,
            )
        return self.next_step

    # --- events ----------------------------------------------------------------------------
    @event(NextStepCompleted)
    def _complete(self, completed_on: date, completed_by: str, at: datetime) -> None:
        self.next_step_status = "done"
        self.next_step_completed_on = completed_on

    @event(NextStepRescheduled)
    def _reschedule(self, owner: str, due_on: date, at: datetime) -> None:
        assert self.next_step is not None
        self.next_step = NextStep(kind=self.next_step["kind"], owner=owner, due_on=due_on)

    @event(Erased)
    def _erase(self, reason: str, at: datetime) -> None:
        self.erased = True
        self.note_sealed = ""

    @event(NextStepOverdue)
    def _overdue(self, owner: str, due_on: date, at: datetime) -> None:
        self.overdue_flags.append(overdue_key(due_on))
