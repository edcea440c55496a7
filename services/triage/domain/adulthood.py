"""Turning 18 with an open item (issue 14, part 4): the handover from SSP to the PSP/KSP
cooperation on the young person's 18th birthday.

Seed 004 l.347-373 (Vejen, "PSP- og KSP-samarbejde"): "SSP spiller en vigtig rolle i
overgangen mellem unge og voksne målgrupper ... Overdragelse af unge med komplekse
problemstillinger fra SSP til PSP/KSP-systemerne". 000 l.95-97 names a "+18 år" workflow.

- `Turns18Calendar` (one per date): the persons triage routed who turn 18 that day (intake
  gives `turns_18_on` for minors). A scheduled check reads the calendar of each day up to today.
- `PspKspHandovers` (one per municipality): the handover tasks. A person gets at most one,
  opened on (or, after downtime, soon after) their birthday when they still have an open item
  as triage sees it; completing it records where they were handed over to. One stream per
  municipality, a task keyed by person: opening twice (a second check, a restart, a second
  replica) finds the task and adds nothing.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from eventsourcing.domain import event

from services.triage.domain.erasure import ErasableAggregate
from services.triage.domain.ids import aggregate_id
from shared.contracts.handovers import HandedOverTo as HandedOverTo
from shared.eventstore import TracedAggregate
from shared.eventstore.ids import keyed_id

# HandedOverTo (the published contract's): PSP (police, social services, psychiatry), KSP
# (Kriminalforsorgen, social services, police), the municipality's adult social services, or
# nothing further needed.

OpenItem = Literal[
    "active_case",
    "recent_decision",
    "exit_referral",
    "letter_task",
    "trivsel_plus",
    "exit_programme",
]

#: The letter-task events after which a task is no longer open; the course events after which a
#: course is over (TRIVSEL+ and acute procedure `closed`, exit programme `declined`/`ended`).
CLOSING_TASK_EVENTS = frozenset({"completed", "cancelled", "waived"})
CLOSING_COURSE_EVENTS = frozenset({"closed", "declined", "ended"})


class PersonOpenItems(ErasableAggregate):
    """A person's letter tasks and courses as their topics tell triage (issue 14, part 4):
    which are still open. Closing is final: a task or course once closed stays closed."""

    create_id = keyed_id(aggregate_id, "person_key", prefix="open-items")

    @event("Started")
    def __init__(self, person_key: str) -> None:
        self.person_key = person_key
        self.open_tasks: set[str] = set()
        self.closed_tasks: set[str] = set()
        self.open_courses: dict[str, str] = {}
        self.closed_courses: set[str] = set()

    def forget(self, person_key: str) -> None:
        """Erased (issue 18): nothing is open any more, and nothing is followed."""
        self.open_tasks, self.closed_tasks = set(), set()
        self.open_courses, self.closed_courses = {}, set()

    def task_seen(self, task_id: str, event: str) -> None:
        if self.erased:
            return
        closing = event in CLOSING_TASK_EVENTS
        if task_id in self.closed_tasks or (not closing and task_id in self.open_tasks):
            return
        self._task_seen(task_id=task_id, closing=closing)

    def course_seen(self, course_id: str, course_type: str, event: str) -> None:
        if self.erased:
            return
        closing = event in CLOSING_COURSE_EVENTS
        if course_id in self.closed_courses or (not closing and course_id in self.open_courses):
            return
        self._course_seen(course_id=course_id, course_type=course_type, closing=closing)

    def items(self) -> list[OpenItem]:
        found: list[OpenItem] = ["letter_task"] if self.open_tasks else []
        types = set(self.open_courses.values())
        found += [t for t in ("trivsel_plus", "exit_programme") if t in types]
        return found

    @event("TaskSeen")
    def _task_seen(self, task_id: str, closing: bool) -> None:
        if closing:
            self.open_tasks.discard(task_id)
            self.closed_tasks.add(task_id)
        else:
            self.open_tasks.add(task_id)

    @event("CourseSeen")
    def _course_seen(self, course_id: str, course_type: str, closing: bool) -> None:
        if closing:
            self.open_courses.pop(course_id, None)
            self.closed_courses.add(course_id)
        else:
            self.open_courses[course_id] = course_type


class Turns18Calendar(TracedAggregate):
    """Who turns 18 on one day: person key -> residence municipality."""

    # Not `keyed_id` (shared/eventstore/ids.py), whose keys are text: `day` may be a date.
    @staticmethod
    def create_id(day: date | str) -> UUID:
        text = day if isinstance(day, str) else day.isoformat()
        return aggregate_id(f"turns-18:{text}")

    @event("Started")
    def __init__(self, day: str) -> None:
        """`day`: ISO date (the store keeps dates as text)."""
        self.day = day
        self.persons: dict[str, str] = {}

    def note(self, person_key: str, municipality_code: str) -> bool:
        if self.persons.get(person_key) == municipality_code:
            return False
        self._noted(person_key=person_key, municipality_code=municipality_code)
        return True

    @event("Noted")
    def _noted(self, person_key: str, municipality_code: str) -> None:
        self.persons[person_key] = municipality_code


class TaskNotFound(LookupError):
    pass


class TaskAlreadyCompleted(ValueError):
    pass


class PspKspHandovers(ErasableAggregate):
    """The PSP/KSP handover tasks of one municipality, by person key."""

    create_id = keyed_id(aggregate_id, "municipality_code", prefix="psp-ksp-handovers")

    @event("Started")
    def __init__(self, municipality_code: str) -> None:
        self.municipality_code = municipality_code
        self.tasks: dict[str, dict[str, Any]] = {}

    def open(
        self,
        person_key: str,
        turned_18_on: date,
        open_items: list[OpenItem],
        owner_role: str,
        owner_team: str | None,
        due_on: date,
        at: datetime,
    ) -> bool:
        """A task for the person, unless they have one (or were erased): exactly once."""
        if person_key in self.tasks or person_key in self.erased:
            return False
        self._opened(
            person_key=person_key,
            turned_18_on=turned_18_on.isoformat(),
            open_items=list(open_items),
            owner_role=owner_role,
            owner_team=owner_team,
            due_on=due_on.isoformat(),
            at=at,
            municipality_code=self.municipality_code,
        )
        return True

    def mentions(self, person_key: str) -> bool:
        return person_key in self.tasks

    def forget(self, person_key: str) -> None:
        """Erased (issue 18): the person's task is no longer listed, nor opened again."""
        self.tasks.pop(person_key, None)

    def complete(self, person_key: str, handed_over_to: HandedOverTo, at: datetime) -> None:
        task = self.tasks.get(person_key)
        if task is None:
            raise TaskNotFound(person_key)
        if task["status"] == "completed":
            raise TaskAlreadyCompleted(person_key)
        self._completed(
            person_key=person_key,
            handed_over_to=handed_over_to,
            at=at,
            municipality_code=self.municipality_code,
        )

    @event("Opened")
    def _opened(
        self,
        person_key: str,
        turned_18_on: str,
        open_items: list[str],
        owner_role: str,
        owner_team: str | None,
        due_on: str,
        at: datetime,
        municipality_code: str | None = None,
    ) -> None:
        """`municipality_code` (the aggregate's) is carried so the event can be published on
        ssp.triage.handovers.v1; events stored before it lack it and are not published."""
        self.tasks[person_key] = {
            "person_key": person_key,
            "municipality_code": self.municipality_code,
            "turned_18_on": turned_18_on,
            "open_items": open_items,
            "owner_role": owner_role,
            "owner_team": owner_team,
            "due_on": due_on,
            "opened_at": at,
            "status": "open",
            "handed_over_to": None,
            "completed_at": None,
        }

    @event("Completed")
    def _completed(
        self,
        person_key: str,
        handed_over_to: str,
        at: datetime,
        municipality_code: str | None = None,
    ) -> None:
        self.tasks[person_key] = {
            **self.tasks[person_key],
            "status": "completed",
            "handed_over_to": handed_over_to,
            "completed_at": at,
        }


#: The handover task's stored events that triage publishes on ssp.triage.handovers.v1 (the
#: decorator makes the classes, so mypy does not see them).
HANDOVER_OPENED: type[Any] = PspKspHandovers.Opened  # type: ignore[attr-defined]
HANDOVER_COMPLETED: type[Any] = PspKspHandovers.Completed  # type: ignore[attr-defined]
