"""Notifications' use cases: turn routing decisions and caseworker assessments into letter
tasks (contracts.md §5), adjust or cancel them when triage revises, hands over or withdraws a
decision, let owners complete them, and mark those past their deadline overdue. The acute
procedure's standard letter, which courses asks for, is a letter task of notifications too.

Handlers are plain methods; the Kafka, HTTP and scheduler entry points only translate into
these calls. Every call runs in the service's store thread.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from services.notifications.application.app import NotificationsApplication
from services.notifications.application.caseworker_side import record_caseworker_assessment
from services.notifications.application.sending import LetterSender
from services.notifications.application.task_index import LetterTaskIndex
from services.notifications.domain.acute_letter import (
    STANDARD_LETTER_REQUESTED,
    AcuteLetterOutcome,
    AcuteLetterTask,
    acute_letter_task_id,
)
from services.notifications.domain.case_state import (
    AssessmentResult,
    DecisionOutcome,
    WithdrawalOutcome,
)
from services.notifications.domain.caseworker_record import CaseworkerRecord
from services.notifications.domain.letter_task_case import LetterTaskCase
from services.notifications.domain.letters import CLOSED, Deadlines, TaskStatus
from shared.clock import Clock as Clock  # letters.py imports it from here
from shared.clock import utc_now
from shared.contracts import (
    CaseworkerAssessment,
    CourseEvent,
    DecisionWithdrawn,
    LetterTaskEvent,
    RoutingDecision,
)
from shared.contracts.erasures import PersonErased
from shared.eventstore import TracedAggregate, UnitOfWork

log = logging.getLogger(__name__)

Received = RoutingDecision | CaseworkerAssessment | DecisionWithdrawn | CourseEvent
LetterTask = LetterTaskCase | AcuteLetterTask
"""Any letter task: its aggregate id is its task id."""


class TaskNotFound(LookupError):
    """No letter task has this id."""


class NotificationsService:
    def __init__(
        self,
        app: NotificationsApplication,
        *,
        deadlines: Deadlines,
        clock: Clock = utc_now,
        sender: LetterSender | None = None,
    ) -> None:
        self.app = app
        self.deadlines = deadlines
        self.clock = clock
        self.index = LetterTaskIndex(app)
        self.sender = sender
        """Where letters went: an erased person's copies it still holds are discarded."""

    # --- Kafka: the batch's payloads, decoded by the runtime (entrypoints/kafka.py) -----------
    def prefetch(self, uow: UnitOfWork, payloads: Sequence[Received]) -> None:
        """Every case of the batch with one query, not one transaction and query per message."""
        ids: list[UUID] = []
        for payload in payloads:
            if isinstance(payload, CourseEvent):
                task_id = acute_letter_task_id(payload)
                if task_id is not None:
                    ids.append(task_id)
            else:
                ids.append(LetterTaskCase.create_id(payload.journal_number, payload.person_key))
                if isinstance(payload, CaseworkerAssessment):
                    ids.append(
                        CaseworkerRecord.create_id(payload.journal_number, payload.person_key)
                    )
        uow.prefetch(ids)

    # --- use cases, each in its own transaction --------------------------------------------
    def receive_decision(self, decision: RoutingDecision) -> DecisionOutcome:
        return UnitOfWork.run(self.app, self.receive_decision_in, decision)

    def receive_withdrawal(self, withdrawal: DecisionWithdrawn) -> WithdrawalOutcome:
        return UnitOfWork.run(self.app, self.receive_withdrawal_in, withdrawal)

    def receive_assessment(self, assessment: CaseworkerAssessment) -> AssessmentResult:
        return UnitOfWork.run(self.app, self.receive_assessment_in, assessment)

    def receive_course_event(self, course_event: CourseEvent) -> AcuteLetterOutcome:
        return UnitOfWork.run(self.app, self.receive_course_event_in, course_event)

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

    def tasks(
        self,
        municipality_code: str,
        status: TaskStatus | frozenset[TaskStatus] | None,
        escalated_to: str | None = None,
    ) -> list[LetterTaskEvent]:
        """One municipality's tasks in `status`, or any of a set of them (None: all of them),
        the soonest due first; `escalated_to` keeps those escalated to that level."""
        self.index.catch_up()
        wanted = frozenset({status}) if isinstance(status, str) else status
        return self.index.tasks(municipality_code, wanted, escalated_to)

    def escalation_counts(self, municipality_code: str) -> dict[str, int]:
        self.index.catch_up()
        return self.index.escalation_counts(municipality_code)

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
            case = self._task(uow, case_id)
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

    # --- the work, in the caller's unit of work (a Kafka batch's or a use case's own) -----
    def receive_decision_in(self, uow: UnitOfWork, decision: RoutingDecision) -> DecisionOutcome:
        case_id = LetterTaskCase.create_id(decision.journal_number, decision.person_key)
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

    def receive_withdrawal_in(
        self, uow: UnitOfWork, withdrawal: DecisionWithdrawn
    ) -> WithdrawalOutcome:
        case = self._case(uow, withdrawal.journal_number, withdrawal.person_key)
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

    def receive_assessment_in(
        self, uow: UnitOfWork, assessment: CaseworkerAssessment, via: str = "kafka"
    ) -> AssessmentResult:
        """The letter the assessment calls for (`LetterTaskCase`), and the caseworker's record
        of it (`CaseworkerRecord`, published for reporting: issue 17, part 3)."""
        case = self._case(uow, assessment.journal_number, assessment.person_key)
        result = case.receive_assessment(assessment, self.clock(), self.deadlines)
        if result != "duplicate":
            record_caseworker_assessment(uow, case, assessment, via)
        log.info(
            "notifications: assessment %s of %s for %s: %s",
            assessment.outcome,
            assessment.journal_number,
            assessment.person_key,
            result,
        )
        return result

    def forget_person_in(self, uow: UnitOfWork, erased: PersonErased) -> int:
        """Issue 18: the person was erased. Recorded (`ErasedPerson`: the index drops their
        tasks, the consumers and the relay withhold them); each of their letter task cases
        marked erased (`LetterTaskCase.Erased`, without personal data: no read, send or
        escalation finds it again), those still waiting for an assessment and those opened
        earlier in this batch too, and each caseworker record of theirs
        (`CaseworkerRecord.Erased`), so a rebuild cannot bring them back; the copies of their
        letters still in the outbox folder discarded. How many cases were erased."""
        key = erased.person_key
        if not self.app.erased_persons.record(uow, erased):
            return 0  # known already (a redelivery)
        self.index.catch_up()
        case_ids = {UUID(case_id) for case_id in self.index.cases_of(key)}
        case_ids |= {UUID(task.task_id) for task in self.index.tasks_of(key)}
        uow.prefetch(case_ids)
        cases = [c for c in (uow.get(LetterTaskCase, i) for i in sorted(case_ids)) if c]
        cases += [c for c in uow.aggregates(LetterTaskCase) if c.person_key == key]
        erased_cases = 0
        records: dict[UUID, CaseworkerRecord] = {
            r.id: r for r in uow.aggregates(CaseworkerRecord) if r.person_key == key
        }
        for case in {c.id: c for c in cases}.values():
            if case.erase():
                erased_cases += 1
            record_id = CaseworkerRecord.create_id(case.journal_number, key)
            record = records.get(record_id) or uow.get(CaseworkerRecord, record_id)
            if record is not None:
                records[record_id] = record
            discarded = self.sender.discard(str(case.id)) if self.sender is not None else 0
            if discarded:
                log.info("notifications: %d letter copies of task %s discarded", discarded, case.id)
        for record in records.values():
            record.erase()
        log.info(
            "notifications: an erased person's %d letter task cases and %d caseworker records "
            "erased",
            erased_cases,
            len(records),
        )
        return erased_cases

    @staticmethod
    def _case(uow: UnitOfWork, journal_number: str, person_key: str) -> LetterTaskCase:
        case_id = LetterTaskCase.create_id(journal_number, person_key)
        case = uow.get(LetterTaskCase, case_id)
        if case is None:
            case = LetterTaskCase(journal_number, person_key)
            uow.add(case)
        return case

    def receive_course_event_in(
        self, uow: UnitOfWork, course_event: CourseEvent
    ) -> AcuteLetterOutcome:
        """The acute procedure asks for its standard letter (the task is created) and says
        when step 4 is done (the task is completed); every other course event is no letter's
        business. Its deadline is the procedure's (`due_at`). A procedure that follows no
        police case gets its letter all the same, without a journal number (issue 14, part 3:
        000 asks for no police case)."""
        task_id = acute_letter_task_id(course_event)
        if task_id is None:
            return "ignored"
        task = uow.get(AcuteLetterTask, task_id)
        if course_event.event == STANDARD_LETTER_REQUESTED:
            if task is not None:
                return "duplicate"
            data = course_event.data
            uow.add(
                AcuteLetterTask.request(
                    task_id=str(task_id),
                    course_id=course_event.course_id,
                    journal_number=course_event.journal_number,
                    municipality_code=course_event.municipality_code,
                    owner_role=str(data["owner_role"]),
                    due_at=datetime.fromisoformat(str(data["due_at"])),
                    at=course_event.at,
                )
            )
            log.info("notifications: acute letter task %s created", task_id)
            return "task_created"
        if task is None or task.status in CLOSED:
            return "duplicate" if task is not None else "ignored"
        task.complete(course_event.at)
        log.info("notifications: acute letter task %s completed (step 4)", task_id)
        return "task_completed"

    @staticmethod
    def _task(uow: UnitOfWork, task_id: UUID) -> LetterTask | None:
        task = uow.get(TracedAggregate, task_id)
        if task is None or isinstance(task, LetterTaskCase | AcuteLetterTask):
            return task
        return None

    @classmethod
    def _case_of_task(cls, uow: UnitOfWork, task_id: str) -> LetterTask:
        # The task id is the case's aggregate id: one lookup, no scan.
        try:
            case = cls._task(uow, UUID(task_id))
        except (ValueError, TypeError):
            raise TaskNotFound(task_id) from None
        if case is None or case.letter is None:
            raise TaskNotFound(task_id)
        return case
