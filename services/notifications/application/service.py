"""Notifications' use cases: turn routing decisions and caseworker assessments into letter
tasks (contracts.md §5), adjust or cancel them when triage revises, hands over or withdraws a
decision, let owners complete them, and mark those past their deadline overdue.

Handlers are plain methods; the Kafka, HTTP and scheduler entry points only translate into
these calls. Every call runs in the service's store thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from uuid import UUID

from services.notifications.application.app import NotificationsApplication
from services.notifications.application.task_index import LetterTaskIndex
from services.notifications.domain.case_state import (
    AssessmentResult,
    DecisionOutcome,
    WithdrawalOutcome,
)
from services.notifications.domain.letter_task_case import LetterTaskCase
from services.notifications.domain.letters import Deadlines, TaskStatus
from shared.contracts import (
    CaseworkerAssessment,
    DecisionWithdrawn,
    LetterTaskEvent,
    RoutingDecision,
)
from shared.eventstore import UnitOfWork
from shared.messaging.inbound import Inbound

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class TaskNotFound(LookupError):
    """No letter task has this id."""


class NotificationsService:
    def __init__(
        self,
        app: NotificationsApplication,
        *,
        decision_topics: Sequence[str],
        assessments_topic: str,
        withdrawals_topic: str | None = None,
        deadlines: Deadlines,
        clock: Clock = utc_now,
    ) -> None:
        self.app = app
        self.decision_topics = frozenset(decision_topics)
        self.assessments_topic = assessments_topic
        self.withdrawals_topic = withdrawals_topic
        self.deadlines = deadlines
        self.clock = clock
        self.index = LetterTaskIndex(app)

    # --- Kafka -------------------------------------------------------------------------
    def handle_batch(self, messages: Sequence[Inbound]) -> None:
        uow = UnitOfWork(self.app)
        received = [(message, self._decode(message)) for message in messages]
        # Every case of the batch with one query, not one transaction and query per message.
        case_ids = [
            None if doc is None else LetterTaskCase.create_id(doc.journal_number, doc.person_key)
            for _, doc in received
        ]
        uow.prefetch(case_id for case_id in case_ids if case_id is not None)
        for (message, doc), case_id in zip(received, case_ids, strict=True):
            with message.processing_span("notifications"):
                if isinstance(doc, RoutingDecision):
                    self._receive_decision(uow, doc, case_id)
                elif isinstance(doc, CaseworkerAssessment):
                    self._receive_assessment(uow, doc, case_id)
                elif isinstance(doc, DecisionWithdrawn):
                    self._receive_withdrawal(uow, doc, case_id)
                else:
                    log.warning(
                        "notifications: ignoring a message from unexpected topic %s",
                        message.topic,
                    )
            uow.processed(message.upstream)
        uow.commit()

    def _decode(
        self, message: Inbound
    ) -> RoutingDecision | CaseworkerAssessment | DecisionWithdrawn | None:
        """The message as what its topic carries; None for a topic notifications ignores."""
        if message.topic in self.decision_topics:
            return message.decode(RoutingDecision)
        if message.topic == self.assessments_topic:
            return message.decode(CaseworkerAssessment)
        if message.topic == self.withdrawals_topic:
            return message.decode(DecisionWithdrawn)
        return None

    # --- use cases, each in its own transaction --------------------------------------------
    def receive_decision(self, decision: RoutingDecision) -> DecisionOutcome:
        uow = UnitOfWork(self.app)
        outcome = self._receive_decision(uow, decision)
        uow.commit()
        return outcome

    def receive_withdrawal(self, withdrawal: DecisionWithdrawn) -> WithdrawalOutcome:
        uow = UnitOfWork(self.app)
        outcome = self._receive_withdrawal(uow, withdrawal)
        uow.commit()
        return outcome

    def receive_assessment(self, assessment: CaseworkerAssessment) -> AssessmentResult:
        uow = UnitOfWork(self.app)
        result = self._receive_assessment(uow, assessment)
        uow.commit()
        return result

    def complete_task(self, task_id: str) -> LetterTaskEvent:
        """Raises `TaskNotFound`, or `TaskClosed` when it was completed or cancelled before."""
        uow = UnitOfWork(self.app)
        case = self._case_of_task(uow, task_id)
        letter = case.complete(self.clock())
        uow.commit()
        log.info(
            "notifications: %s task %s for %s/%s completed",
            letter.kind,
            letter.task_id,
            letter.journal_number,
            letter.person_key,
        )
        return letter

    def tasks(self, municipality_code: str, status: TaskStatus | None) -> list[LetterTaskEvent]:
        self.index.catch_up()
        return self.index.tasks(municipality_code, status)

    def task(self, task_id: str) -> LetterTaskEvent | None:
        """The task's latest event (the HTTP API decides from it who may complete it)."""
        self.index.catch_up()
        return self.index.task(task_id)

    def overdue_counts(self) -> dict[str, int]:
        """Overdue tasks per municipality (for the `ssp.letter_tasks.overdue` metric)."""
        self.index.catch_up()
        return self.index.overdue_by_municipality()

    def mark_overdue(self, now: datetime) -> int:
        """Mark every open task whose deadline passed before `now` overdue; return how many."""
        self.index.catch_up()
        due = self.index.open_past_due(now)
        if not due:
            return 0
        uow = UnitOfWork(self.app)
        case_ids = [UUID(task_id) for task_id in due]
        uow.prefetch(case_ids)  # one query for all of them
        marked = 0
        for task_id, case_id in zip(due, case_ids, strict=True):
            case = uow.get(LetterTaskCase, case_id)
            if case is not None and case.mark_overdue(now):
                marked += 1
                log.warning(
                    "notifications: task %s for %s/%s is overdue",
                    task_id,
                    case.journal_number,
                    case.person_key,
                )
        uow.commit()
        return marked

    # --- the work ------------------------------------------------------------------------
    def _receive_decision(
        self, uow: UnitOfWork, decision: RoutingDecision, case_id: UUID | None = None
    ) -> DecisionOutcome:
        case_id = case_id or LetterTaskCase.create_id(decision.journal_number, decision.person_key)
        case = uow.get(LetterTaskCase, case_id)
        if case is None:
            # The common case: the decision opens the case (one event, not two).
            case, outcome = LetterTaskCase.open_with_decision(
                decision, self.clock(), self.deadlines, id=case_id
            )
            uow.add(case)
        else:
            outcome = case.receive_decision(decision, self.clock(), self.deadlines)
        log.info(
            "notifications: %s revision %d for %s routed to %s (%s): %s",
            decision.journal_number,
            decision.revision,
            decision.person_key,
            decision.route,
            decision.decision_kind,
            outcome,
        )
        return outcome

    def _receive_withdrawal(
        self, uow: UnitOfWork, withdrawal: DecisionWithdrawn, case_id: UUID | None = None
    ) -> WithdrawalOutcome:
        case = self._case(uow, withdrawal.journal_number, withdrawal.person_key, case_id)
        outcome = case.receive_withdrawal(withdrawal, self.clock())
        log.info(
            "notifications: %s revision %d withdrew the decision for %s (%s): %s",
            withdrawal.journal_number,
            withdrawal.revision,
            withdrawal.person_key,
            withdrawal.reason,
            outcome,
        )
        return outcome

    def _receive_assessment(
        self, uow: UnitOfWork, assessment: CaseworkerAssessment, case_id: UUID | None = None
    ) -> AssessmentResult:
        case = self._case(uow, assessment.journal_number, assessment.person_key, case_id)
        result = case.receive_assessment(assessment, self.clock(), self.deadlines)
        log.info(
            "notifications: assessment %s of %s for %s: %s",
            assessment.outcome,
            assessment.journal_number,
            assessment.person_key,
            result,
        )
        return result

    @staticmethod
    def _case(
        uow: UnitOfWork, journal_number: str, person_key: str, case_id: UUID | None = None
    ) -> LetterTaskCase:
        case_id = case_id or LetterTaskCase.create_id(journal_number, person_key)
        case = uow.get(LetterTaskCase, case_id)
        if case is None:
            case = LetterTaskCase(journal_number, person_key)
            uow.add(case)
        return case

    @staticmethod
    def _case_of_task(uow: UnitOfWork, task_id: str) -> LetterTaskCase:
        # The task id is the case's aggregate id: one lookup, no scan.
        try:
            case = uow.get(LetterTaskCase, UUID(task_id))
        except (ValueError, TypeError):
            raise TaskNotFound(task_id) from None
        if case is None or case.letter is None:
            raise TaskNotFound(task_id)
        return case
