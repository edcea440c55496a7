"""Follow-up actions' use cases (issue 17, part 2): record an action for a person on any route
(linked to a TRIVSEL+ course when it belongs to one), complete or reschedule its next step,
read it with its note opened, list them, and raise overdue next steps.

The note is sealed here, before the aggregate sees it: the store holds only the sealed text.
Every call runs in the service's store thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from uuid import UUID, uuid4

from services.courses.application.commands.follow_up import (
    ChangeFollowUp,
    CompleteNextStep,
    RecordFollowUpAction,
    RescheduleNextStep,
)
from services.courses.application.course_index import CourseIndex
from services.courses.application.follow_up_index import FollowUpQuery, FollowUpSummary
from services.courses.application.record_keys import action_owner, text_owners
from services.courses.application.versions import require_version, saved_once
from services.courses.domain.calendar import local_date
from services.courses.domain.course import UnknownItem
from services.courses.domain.follow_up import FollowUpAction
from services.courses.domain.follow_up_terms import CourseOfAnotherPerson
from services.courses.domain.trivsel import TrivselCourse
from shared.eventstore import ServiceApplication, UnitOfWork

log = logging.getLogger(__name__)


class TextSealer(Protocol):
    """Seals free text under the keys of its owners (the person and the record), and opens
    it (None once a key was destroyed); adapters/texts.py."""

    def seal(self, owners: Sequence[str], text: str) -> str: ...

    def open(self, stored: str | None, legacy_id: UUID | None = None) -> str | None: ...


class FollowUpNotFound(LookupError):
    """No follow-up action has this id."""


@dataclass(eq=False)
class FollowUps:
    app: ServiceApplication
    sealer: TextSealer
    clock: Callable[[], datetime]
    index: CourseIndex
    new_id: Callable[[], UUID] = field(init=False, default_factory=lambda: uuid4)
    """Ids of new actions (random; the golden scenario fixes them)."""

    # --- commands --------------------------------------------------------------------------
    def record(self, command: RecordFollowUpAction, recorded_by_role: str) -> FollowUpAction:
        """Record the action; with `course_id`, the TRIVSEL+ course records the follow-up too,
        in the same transaction (its note stays in the action, sealed)."""
        at = self.clock()
        uow = UnitOfWork(self.app)
        if command.course_id is not None:
            course = self._linked_course(uow, command)
            course.record_follow_up(command.kind, command.held_on or local_date(at), "", at)
            if command.journal_number is None:
                command = command.model_copy(update={"journal_number": course.journal_number})
        action = self.new_action(command, recorded_by_role, at)
        uow.add(action)
        uow.commit()
        log.info("courses: follow-up %s (%s) recorded", action.id, action.kind)
        return action

    def new_action(
        self, command: RecordFollowUpAction, recorded_by_role: str, at: datetime
    ) -> FollowUpAction:
        """The action the command describes, its note sealed with its id (not yet stored)."""
        action_id = self.new_id()
        return FollowUpAction.record(
            action_id=action_id,
            person_key=command.person_key,
            municipality_code=command.municipality_code,
            journal_number=command.journal_number,
            course_id=command.course_id,
            kind=command.kind,
            held_on=command.held_on or local_date(at),
            held_by=command.held_by,
            recorded_by_role=recorded_by_role,
            outcome=command.outcome,
            next_step=command.next_step.as_step() if command.next_step is not None else None,
            note_sealed=self.sealer.seal(
                text_owners(command.person_key, action_owner(action_id)), command.note
            ),
            at=at,
        )

    def change(self, action_id: UUID, command: ChangeFollowUp) -> FollowUpAction:
        uow = UnitOfWork(self.app)
        action = self._load(uow, action_id)
        require_version(action.version, command.expected_version, "action")
        at = self.clock()
        if isinstance(command, CompleteNextStep):
            action.complete_next_step(command.on or local_date(at), command.by, at)
        elif isinstance(command, RescheduleNextStep):
            action.reschedule_next_step(command.owner, command.due_on, at)
        with saved_once(command.expected_version, "action"):
            uow.commit()
        return action

    # --- queries ---------------------------------------------------------------------------
    def action(self, action_id: UUID) -> FollowUpAction:
        return self._load(UnitOfWork(self.app), action_id)

    def note(self, action: FollowUpAction) -> str | None:
        """The note opened; None once a key it was sealed with was destroyed."""
        return self.sealer.open(action.note_sealed, legacy_id=action.id)

    def actions(self, query: FollowUpQuery) -> list[FollowUpSummary]:
        self.index.catch_up()
        return self.index.follow_ups.actions(query, local_date(self.clock()))

    # --- deadlines -------------------------------------------------------------------------
    def mark_overdue_in(self, uow: UnitOfWork, ids: list[UUID], now: datetime) -> int:
        """Raise each next step overdue at `now` (once per due date); return how many."""
        raised = 0
        for action_id in ids:
            action = uow.get(FollowUpAction, action_id)
            if action is not None and action.mark_overdue(now):
                raised += 1
                log.warning(
                    "courses: follow-up %s: next step owned by %s overdue",
                    action.id,
                    action.next_step["owner"] if action.next_step else "-",
                )
        return raised

    # --- helpers ---------------------------------------------------------------------------
    @staticmethod
    def _linked_course(uow: UnitOfWork, command: RecordFollowUpAction) -> TrivselCourse:
        assert command.course_id is not None
        try:
            course = uow.get(TrivselCourse, command.course_id)
        except TypeError:  # a course of another kind
            course = None
        if course is None or command.municipality_code not in course.municipalities_with_access():
            raise UnknownItem("no TRIVSEL+ course with that id in reach", field="course_id")
        if course.person_key != command.person_key:
            raise CourseOfAnotherPerson("the course is about another person", field="course_id")
        return course

    @staticmethod
    def _load(uow: UnitOfWork, action_id: UUID) -> FollowUpAction:
        try:
            action = uow.get(FollowUpAction, action_id)
        except TypeError:  # another kind of aggregate
            action = None
        if action is None or action.erased:
            raise FollowUpNotFound(str(action_id))
        return action


__all__ = ["FollowUpNotFound", "FollowUpSummary", "FollowUps", "TextSealer"]
