"""What every course shares: the facts each event carries for its envelope on
`ssp.courses.events.v1`, the closed state, the rule errors and the deadline policy.

Every event stores the course's public facts as they stood (`course`), so the outbox relay can
publish an event without loading its aggregate, and the index can follow the log alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, ClassVar, Self

from eventsourcing.domain import event

from services.courses.domain.calendar import local_date
from shared.eventstore import TracedAggregate


class CourseRuleViolated(Exception):
    """A command the course's rules do not allow; `code` is machine-readable."""

    code: ClassVar[str] = "rule_violated"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidCommand(CourseRuleViolated):
    """The command itself is wrong whatever the course's state (bad date, unknown item)."""


class UnknownMunicipality(InvalidCommand):
    code = "unknown_municipality"


class MunicipalityNotServed(InvalidCommand):
    code = "municipality_not_served"


class StateConflict(CourseRuleViolated):
    """The command does not fit the course's current state (closed, consent missing)."""


class CourseClosed(StateConflict):
    code = "course_closed"


class CourseErased(StateConflict):
    code = "course_erased"


class DateInFuture(InvalidCommand):
    code = "date_in_future"


class DateInPast(InvalidCommand):
    code = "date_in_past"


class DuplicateId(StateConflict):
    code = "duplicate_id"


class UnknownItem(InvalidCommand):
    code = "unknown_item"


class CourseExists(StateConflict):
    code = "course_exists"


class VersionConflict(StateConflict):
    """The course changed since the version the command names."""

    code = "version_conflict"


@dataclass(frozen=True)
class DeadlinePolicy:
    """How long things may wait before a course raises an overdue event."""

    consent_pending: timedelta = timedelta(days=14)
    acute_letter: timedelta = timedelta(hours=24)


@dataclass(frozen=True)
class CourseFacts:
    """The public facts of a course at one event: its envelope minus the event itself."""

    course_type: str
    person_key: str | None
    municipality_code: str
    journal_number: str | None


class Course(TracedAggregate):
    # Not annotated: an annotation would make eventsourcing turn the aggregate into a dataclass.
    course_type = "course"
    erased = False
    """Issue 18: a class default, so courses (and snapshots) stored before it load unerased."""

    class Event(TracedAggregate.Event):
        at: datetime
        course: dict[str, Any]

        def facts(self) -> CourseFacts:
            return CourseFacts(**self.course)

    class Created(Event, TracedAggregate.Created):
        pass

    class Closing(Event):
        """Marks the event after which the course is closed."""

    class Erased(Event):
        """The course was erased (issue 18): its person was (`person_erased`), or its
        retention deadline passed (`retention_deadline`). It holds no personal data; nothing
        changes after it and no read returns the course. Its free text was sealed under the
        person's and the course's keys, which are destroyed with it."""

        reason: str

    @classmethod
    def _create(cls, event_class: Any, **kwargs: Any) -> Self:
        kwargs.setdefault(
            "course",
            {
                "course_type": cls.course_type,
                "person_key": kwargs.get("person_key"),
                "municipality_code": kwargs["municipality_code"],
                "journal_number": kwargs.get("journal_number"),
            },
        )
        return super()._create(event_class, **kwargs)

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        kwargs.setdefault("course", self.facts_now())
        super().trigger_event(event_class, **kwargs)

    def _open(
        self, person_key: str | None, municipality_code: str, journal_number: str | None
    ) -> None:
        """The state every course has; each course's `__init__` calls it first."""
        self.person_key = person_key
        self.municipality_code = municipality_code
        self.journal_number = journal_number
        self.closed = False

    def facts_now(self) -> dict[str, Any]:
        return {
            "course_type": self.course_type,
            "person_key": self.person_key,
            "municipality_code": self.municipality_code,
            "journal_number": self.journal_number,
        }

    def mark_erased(self, reason: str, at: datetime) -> bool:
        """Record that the course was erased; False when it was already."""
        if self.erased:
            return False
        self._erase(reason=reason, at=at)
        return True

    @event(Erased)
    def _erase(self, reason: str, at: datetime) -> None:
        self.erased = True
        self.closed = True
        self.forget_text()

    def forget_text(self) -> None:
        """Blank the free text the course holds in memory (its kind knows which), so that a
        snapshot taken after the erasure holds none of it."""

    def visible_from(self, municipality_code: str) -> int | None:
        """The first version `municipality_code` may see, or None when it has no access."""
        return 1 if municipality_code == self.municipality_code else None

    def municipalities_with_access(self) -> frozenset[str]:
        """Every municipality that may see the course (from some version on)."""
        return frozenset({self.municipality_code})

    def mark_overdue(self, now: datetime, policy: DeadlinePolicy) -> int:
        """Record an overdue event for each deadline passed before `now` and not raised
        before; return how many. Each course kind knows its own deadlines."""
        return 0

    def require_open(self) -> None:
        if self.erased:
            raise CourseErased(f"course {self.id} was erased")
        if self.closed:
            raise CourseClosed(f"course {self.id} is closed")

    @staticmethod
    def require_not_future(day: date, at: datetime, what: str) -> None:
        if day > local_date(at):
            raise DateInFuture(f"{what} is after today", field=what)

    @staticmethod
    def require_not_past(day: date, at: datetime, what: str) -> None:
        if day < local_date(at):
            raise DateInPast(f"{what} is before today", field=what)
