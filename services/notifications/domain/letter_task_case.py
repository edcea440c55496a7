"""The letter task of one person in one incident (contracts.md §5): at most one, ever.

Routing decisions and caseworker assessments arrive in any order; both are recorded, and the
task is created as soon as what it needs is there. The aggregate id is the task id, so a task
is found by its id without scanning, and a second task for the same person and incident
cannot exist.

A decision that replaces the governing one (it names it in `revises_decision_id`, or decides a
higher revision) governs from then on (issue 4, parts 4-5): an open task whose owner,
recipients or deadline change is `updated` (a handover to the caseworker transfers the same
task); a completed or cancelled task only records it, so no letter is ever sent twice. A
withdrawn decision (the person left the incident) cancels an open task, and a case whose
decision is withdrawn never creates one.

What the case knows of its messages is in `case_state`, the letters it makes in
`task_letter`. This module is over 400 lines because it is one aggregate: its event classes
are stored under their `module:Class` topic, so they stay nested in the class.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import event

from services.notifications.domain.case_state import (
    Assessment,
    AssessmentResult,
    CaseOf,
    DecisionOutcome,
    GoverningDecision,
    NoTask,
    RecordedDecision,
    TaskClosed,
    Withdrawal,
    WithdrawalOutcome,
    assessment_key,
    governing,
)
from services.notifications.domain.erasure import ForgetsErasedPerson
from services.notifications.domain.letters import (
    CLEARED_ON_NEXT_EVENT,
    CLOSED,
    STATUS_AFTER,
    Deadlines,
    TaskStatus,
    owner_role,
)
from services.notifications.domain.task_letter import (
    decision_fields,
    letter_of,
    new_letter,
    recipients_of,
    stored,
)
from shared.contracts import (
    AssessmentOutcome,
    CaseworkerAssessment,
    DecisionWithdrawn,
    LetterTaskEvent,
    RoutingDecision,
    TaskChangeReason,
    WithdrawalReason,
)
from shared.contracts.letter_tasks import LetterTaskEventType
from shared.eventstore import TracedAggregate
from shared.eventstore.ids import IdSpace, keyed_id

_IDS = IdSpace("urn:ssp:notifications")


class LetterTaskCase(ForgetsErasedPerson, TracedAggregate):
    class Opened(TracedAggregate.Created):
        """The case opened by an assessment or a withdrawal (the first routing decision
        opens it with `OpenedWithDecision`)."""

        journal_number: str
        person_key: str

    class DecisionRecorded(RecordedDecision, TracedAggregate.Event):
        def apply(self, aggregate: Any) -> None:
            revises = getattr(self, "revises_decision_id", None)  # absent before revisions
            cast(LetterTaskCase, aggregate)._take_decision(governing(self), revises)

    class OpenedWithDecision(RecordedDecision, CaseOf, TracedAggregate.Created):
        """The case opened by its first routing decision: what `Opened` and `DecisionRecorded`
        record, in one event (cases opened by an assessment or a withdrawal, and every case
        stored before this event existed, have the two)."""

        def apply(self, aggregate: Any) -> None:
            # `__init__` has run (journal number and person key); then the decision, as
            # `DecisionRecorded` records it.
            cast(LetterTaskCase, aggregate)._take_decision(
                governing(self), self.revises_decision_id
            )

    class WithdrawalRecorded(TracedAggregate.Event):
        withdrawal_id: str
        decision_id: str
        revision: int
        reason: str

    class AssessmentRecorded(TracedAggregate.Event):
        outcome: str
        caseworker: str
        assessed_at: datetime

    class TaskChanged(TracedAggregate.Event):
        """Every change to the task; `letter` is the `LetterTaskEvent` the relay publishes."""

        letter: dict[str, Any]

        def apply(self, aggregate: Any) -> None:
            cast(LetterTaskCase, aggregate).letter = letter_of(self.letter)

    class TaskCreated(TaskChanged):
        pass

    class TaskCompleted(TaskChanged):
        pass

    class TaskCancelled(TaskChanged):
        pass

    class TaskMarkedOverdue(TaskChanged):
        pass

    class TaskUpdated(TaskChanged):
        pass

    # Issue 16: the endings `sent` and `waived`, and escalations (rules: domain/endings.py).
    class TaskSent(TaskChanged):
        pass

    class TaskWaived(TaskChanged):
        pass

    class TaskEscalated(TaskChanged):
        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            cast(LetterTaskCase, aggregate)._escalated(str(self.letter["escalated_to"]))

    class OpenedWithTask(OpenedWithDecision, TaskChanged):
        """The case opened by a decision that creates the task at once (the tovholder route):
        what `OpenedWithDecision` and `TaskCreated` record, in one event. It is a task change,
        so the relay publishes its `letter` (the `created` task) exactly as it published
        `TaskCreated`'s; cases stored before it existed have the two, and still load."""

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            cast(LetterTaskCase, aggregate).letter = letter_of(self.letter)

    class Erased(TracedAggregate.Event):
        """Issue 18: the person was erased. The event holds nothing about them; from here on
        the case has no task to list, read, send, waive or escalate, and loading its events
        again (a restart, a rebuild) ends the same way."""

        def apply(self, aggregate: Any) -> None:
            cast(LetterTaskCase, aggregate)._forget()

    create_id = keyed_id(_IDS, "journal_number", "person_key", prefix="letter-task")

    @event(Opened)
    def __init__(self, journal_number: str, person_key: str) -> None:
        self.journal_number = journal_number
        self.person_key = person_key
        self.decision_ids: set[str] = set()
        self.decision: GoverningDecision | None = None
        # Decisions some recorded decision replaces: they never govern, whatever the order.
        self.superseded: set[str] = set()
        self.withdrawal_ids: set[str] = set()
        self.withdrawal: Withdrawal | None = None
        self.assessment_keys: set[tuple[str, str, str]] = set()
        self.assessment: Assessment | None = None
        self.letter: LetterTaskEvent | None = None

    @property
    def task_id(self) -> str:
        return str(self.id)

    @property
    def status(self) -> TaskStatus | None:
        return STATUS_AFTER[self.letter.event] if self.letter is not None else None

    @property
    def withdrawn(self) -> bool:
        """The governing decision (if any) was withdrawn: no task may be created."""
        return self.withdrawal is not None and (
            self.decision is None or self.decision.revision < self.withdrawal.revision
        )

    # --- commands ------------------------------------------------------------------------
    @classmethod
    def open_with_decision(
        cls,
        decision: RoutingDecision,
        now: datetime,
        deadlines: Deadlines,
        id: UUID | None = None,
    ) -> tuple[LetterTaskCase, DecisionOutcome]:
        """A new case whose first message is `decision`: the same state, outcome and letter as
        `LetterTaskCase(...)` followed by `receive_decision`, stored as one event
        (`OpenedWithTask` when the decision creates the task, else `OpenedWithDecision`)
        instead of two or three."""
        fields = decision_fields(decision)
        id = id or cls.create_id(decision.journal_number, decision.person_key)
        # A new case has no assessment and no withdrawal: the decision alone says whether the
        # task is created now (unless it names itself as the decision it replaces, and so
        # never governs).
        letter = (
            new_letter(
                str(id),
                decision.journal_number,
                decision.person_key,
                governing(decision),
                None,
                now,
                deadlines,
            )
            if decision.revises_decision_id != decision.decision_id
            else None
        )
        if letter is None:
            case = cls._create(
                cls.OpenedWithDecision,
                id=id,
                journal_number=decision.journal_number,
                person_key=decision.person_key,
                **fields,
            )
            return case, "awaiting_assessment"
        case = cls._create(
            cls.OpenedWithTask,
            id=id,
            journal_number=decision.journal_number,
            person_key=decision.person_key,
            letter=stored(letter),
            **fields,
        )
        return case, "task_created"

    def receive_decision(
        self, decision: RoutingDecision, now: datetime, deadlines: Deadlines
    ) -> DecisionOutcome:
        if self.erased or decision.decision_id in self.decision_ids:
            return "duplicate"  # an erased person's case takes nothing more
        self.trigger_event(self.DecisionRecorded, **decision_fields(decision))
        return self._follow_recorded_decision(now, deadlines)

    def receive_withdrawal(self, withdrawal: DecisionWithdrawn, now: datetime) -> WithdrawalOutcome:
        if self.erased or withdrawal.withdrawal_id in self.withdrawal_ids:
            return "duplicate"
        self.record_withdrawal(
            withdrawal_id=withdrawal.withdrawal_id,
            decision_id=withdrawal.decision_id,
            revision=withdrawal.revision,
            reason=withdrawal.reason,
        )
        if not self.withdrawn:
            return "recorded"  # a decision of a later revision brought the person back
        return "task_cancelled" if self._cancel_withdrawn(now) else "withdrawn"

    def receive_assessment(
        self, assessment: CaseworkerAssessment, now: datetime, deadlines: Deadlines
    ) -> AssessmentResult:
        key = assessment_key(assessment.outcome, assessment.caseworker, assessment.at)
        if self.erased or key in self.assessment_keys:
            return "duplicate"
        # The note is free text that may name people: it is deliberately not stored.
        self.record_assessment(
            outcome=assessment.outcome,
            caseworker=assessment.caseworker,
            assessed_at=assessment.at,
        )
        if self.decision is not None and self.decision.route == "tovholder":
            return "tovholder_routed"
        if self.letter is not None:
            return "recorded"
        if self.decision is None:
            return "awaiting_decision"
        if self.withdrawn:
            return "withdrawn"
        self._create_task_if_ready(now, deadlines)
        return "task_created"

    def complete(self, now: datetime) -> LetterTaskEvent:
        self._require_open_task()
        self.change_task(self.TaskCompleted, self._next_letter("completed", now))
        assert self.letter is not None
        return self.letter

    def cancel(self, now: datetime, reason: TaskChangeReason | None = None) -> LetterTaskEvent:
        self._require_open_task()
        self.change_task(self.TaskCancelled, self._next_letter("cancelled", now, reason=reason))
        assert self.letter is not None
        return self.letter

    def mark_overdue(self, now: datetime) -> bool:
        """Only an open task past its deadline becomes overdue, and only once."""
        if self.letter is None or self.status != "open" or now <= self.letter.due_at:
            return False
        self.change_task(self.TaskMarkedOverdue, self._next_letter("overdue", now))
        return True

    @property
    def erased(self) -> bool:
        return bool(getattr(self, "_erased", False))

    # --- rules -----------------------------------------------------------------------------
    def _follow_recorded_decision(self, now: datetime, deadlines: Deadlines) -> DecisionOutcome:
        """What a newly recorded decision does to the task."""
        if self.withdrawn:
            return "task_cancelled" if self._cancel_withdrawn(now) else "withdrawn"
        if self.letter is not None:
            # Never a second task: the one there is follows the governing decision.
            return "task_updated" if self._follow_decision(now) else "recorded"
        if self._create_task_if_ready(now, deadlines):
            return "task_created"
        return "awaiting_assessment"

    def _create_task_if_ready(self, now: datetime, deadlines: Deadlines) -> bool:
        decision = self.decision
        if decision is None or self.letter is not None:
            return False
        outcome = self.assessment.outcome if self.assessment is not None else None
        letter = new_letter(
            self.task_id, self.journal_number, self.person_key, decision, outcome, now, deadlines
        )
        if letter is None:
            return False
        self.change_task(self.TaskCreated, stored(letter))
        return True

    def _cancel_withdrawn(self, now: datetime) -> bool:
        if self.letter is None or self.status in CLOSED or self.withdrawal is None:
            return False
        self.cancel(now, reason=self.withdrawal.reason)
        return True

    def _follow_decision(self, now: datetime) -> bool:
        """An open task takes the governing decision's owner, recipients and deadline; True
        when that changed the task."""
        decision, letter = self.decision, self.letter
        if decision is None or letter is None or self.status in CLOSED:
            return False
        changes: dict[str, Any] = {
            "municipality_code": decision.municipality_code,
            "recipients": recipients_of(decision, letter.kind),
            "owner_role": decision.owner_role or owner_role(decision.route),
            "owner_team": decision.owner_team,
            "due_at": decision.due_at or letter.due_at,
        }
        if all(getattr(letter, name) == value for name, value in changes.items()):
            return False
        reason: TaskChangeReason = (
            "case_opened_after_routing" if decision.kind == "handover" else "revised_decision"
        )
        updated = letter.model_copy(
            update={
                **CLEARED_ON_NEXT_EVENT,
                **changes,
                "event": "updated",
                "at": now,
                "reason": reason,
            }
        )
        self.change_task(self.TaskUpdated, stored(updated))
        return True

    def _require_open_task(self) -> None:
        if self.letter is None:
            raise NoTask(self.task_id)
        if self.status in CLOSED:
            raise TaskClosed(f"task {self.task_id} is already {self.status}")

    def _next_letter(
        self, what: LetterTaskEventType, now: datetime, reason: TaskChangeReason | None = None
    ) -> dict[str, Any]:
        assert self.letter is not None
        update = {**CLEARED_ON_NEXT_EVENT, "event": what, "at": now, "reason": reason}
        return stored(self.letter.model_copy(update=update))

    # --- events ----------------------------------------------------------------------------
    def _take_decision(self, decision: GoverningDecision, revises_decision_id: str | None) -> None:
        """The state a recorded decision leaves (`DecisionRecorded`, `OpenedWithDecision`)."""
        self.decision_ids.add(str(decision.decision_id))
        if revises_decision_id is not None:
            self.superseded.add(revises_decision_id)
        if decision.decision_id in self.superseded:
            return  # arrived after the decision that replaces it
        current = self.decision
        # Decisions arrive on two topics in any order: the one that replaces the governing
        # decision, or decides a higher revision, governs.
        if (
            current is None
            or current.decision_id in self.superseded
            or decision.revision > current.revision
        ):
            self.decision = decision

    @event(WithdrawalRecorded)
    def record_withdrawal(
        self, withdrawal_id: str, decision_id: str, revision: int, reason: str
    ) -> None:
        self.withdrawal_ids.add(withdrawal_id)
        if self.withdrawal is None or revision > self.withdrawal.revision:
            self.withdrawal = Withdrawal(revision, cast(WithdrawalReason, reason))

    @event(AssessmentRecorded)
    def record_assessment(self, outcome: str, caseworker: str, assessed_at: datetime) -> None:
        self.assessment_keys.add(assessment_key(outcome, caseworker, assessed_at))
        # The latest assessment by its own time counts, whatever order they arrived in.
        if self.assessment is None or assessed_at >= self.assessment.assessed_at:
            self.assessment = Assessment(cast(AssessmentOutcome, outcome), assessed_at)

    def change_task(self, change: type[TaskChanged], letter: dict[str, Any]) -> None:
        """Record a change of the task, one of `TaskChanged`'s kinds; `letter` is the
        `LetterTaskEvent` (as stored) that the relay publishes."""
        self.trigger_event(change, letter=letter)

    def _forget(self) -> None:
        self._erased = True
        self.letter = None
        self.decision = None
        self.assessment = None
        self.withdrawal = None

    def _escalated(self, level: str) -> None:
        self.escalations = self.escalated_to | {level}

    @property
    def escalated_to(self) -> frozenset[str]:
        """The levels this task was escalated to (each once: domain/endings.py)."""
        return frozenset(getattr(self, "escalations", ()))
