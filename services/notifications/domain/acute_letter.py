"""The standard letter of an acute-event procedure (Fredericia's step 4, "parents and staff
informed"): one letter task per procedure, to every family of the group involved.

The courses service runs the procedure and asks for the letter with a course event
(`standard_letter_requested`: task id, deadline, owner); it says when step 4 is done
(`standard_letter_sent`). Notifications alone creates, completes and tracks the task, like
every other letter task: it appears in the letter-task lists, can be completed there, and is
marked overdue by notifications' own check. The letter names no person, so its `person_key`
names the procedure (`acute:<course_id>`); the aggregate id is the task id. A procedure
that follows no police case (000: a director and a head of department start it) gets its
letter task all the same, with no journal number (issue 14, part 3).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from eventsourcing.domain import event

from services.notifications.domain.case_state import TaskClosed
from services.notifications.domain.letters import CLOSED, STATUS_AFTER, TaskStatus
from services.notifications.domain.recipients import GROUP_LETTER_RECIPIENTS
from shared.contracts import CourseEvent, LetterTaskEvent
from shared.contracts.letter_tasks import LetterKind, LetterTaskEventType
from shared.eventstore import TracedAggregate

ACUTE_LETTER_KIND: LetterKind = "akut_standardbrev"
STANDARD_LETTER_REQUESTED = "standard_letter_requested"
STANDARD_LETTER_SENT = "standard_letter_sent"
_LETTER_EVENTS = frozenset({STANDARD_LETTER_REQUESTED, STANDARD_LETTER_SENT})

AcuteLetterOutcome = Literal["task_created", "task_completed", "duplicate", "ignored"]


def acute_letter_task_id(course_event: CourseEvent) -> UUID | None:
    """The letter task a course event is about: the procedure asks for its letter or says it
    was sent (step 4); None for every other course event (the procedure's own reminders
    included: notifications tracks the letter's deadline itself)."""
    if course_event.course_type != "acute_procedure" or course_event.event not in _LETTER_EVENTS:
        return None
    try:
        return UUID(str(course_event.data["task_id"]))
    except (KeyError, ValueError):
        return None


def acute_letter_person_key(course_id: str) -> str:
    """The letter goes to every family of the group, not to one person: the key names the
    procedure."""
    return f"acute:{course_id}"


def is_group_letter(letter: LetterTaskEvent) -> bool:
    """A letter to a group's families, naming no person."""
    return letter.kind == ACUTE_LETTER_KIND


class AcuteLetterTask(TracedAggregate):
    class TaskChanged(TracedAggregate.Event):
        """Every change to the task; `letter` is the `LetterTaskEvent` the relay publishes."""

        letter: dict[str, Any]

    class Requested(TaskChanged, TracedAggregate.Created):
        """The procedure asked for the letter: the task is created."""

    class Completed(TaskChanged):
        pass

    class MarkedOverdue(TaskChanged):
        pass

    @staticmethod
    def create_id(letter: dict[str, Any]) -> UUID:
        return UUID(str(letter["task_id"]))

    @classmethod
    def request(
        cls,
        *,
        task_id: str,
        course_id: str,
        journal_number: str | None,
        municipality_code: str,
        owner_role: str,
        due_at: datetime,
        at: datetime,
    ) -> AcuteLetterTask:
        letter = LetterTaskEvent.model_validate(
            {
                "task_id": task_id,
                "event": "created",
                "journal_number": journal_number,
                "person_key": acute_letter_person_key(course_id),
                "municipality_code": municipality_code,
                "kind": ACUTE_LETTER_KIND,
                "recipients": list(GROUP_LETTER_RECIPIENTS),
                "owner_role": owner_role,
                "due_at": due_at,
                "at": at,
            }
        )
        return cls(letter=letter.model_dump(mode="json"))

    @event(Requested)
    def __init__(self, letter: dict[str, Any]) -> None:
        self._letter = letter

    # --- queries -----------------------------------------------------------------------------
    @property
    def letter(self) -> LetterTaskEvent:
        return LetterTaskEvent.model_validate(self._letter)

    @property
    def status(self) -> TaskStatus:
        event_type: LetterTaskEventType = self._letter["event"]
        return STATUS_AFTER[event_type]

    @property
    def journal_number(self) -> str | None:
        """None when the procedure follows no police case."""
        number = self._letter["journal_number"]
        return None if number is None else str(number)

    @property
    def person_key(self) -> str:
        return str(self._letter["person_key"])

    # --- commands ----------------------------------------------------------------------------
    def complete(self, now: datetime) -> LetterTaskEvent:
        """Raises `TaskClosed` when it was completed before."""
        if self.status in CLOSED:
            raise TaskClosed(f"the task is {self.status}")
        self._complete(letter=self._next("completed", now))
        return self.letter

    def mark_overdue(self, now: datetime) -> bool:
        """Only an open task past its deadline becomes overdue, and only once."""
        if self.status != "open" or now <= self.letter.due_at:
            return False
        self._mark_overdue(letter=self._next("overdue", now))
        return True

    def _next(self, what: LetterTaskEventType, at: datetime) -> dict[str, Any]:
        return self.letter.model_copy(update={"event": what, "at": at}).model_dump(mode="json")

    # --- events ----------------------------------------------------------------------------
    @event(Completed)
    def _complete(self, letter: dict[str, Any]) -> None:
        self._letter = letter

    @event(MarkedOverdue)
    def _mark_overdue(self, letter: dict[str, Any]) -> None:
        self._letter = letter
