"""Courses' use cases: record who may get a TRIVSEL+ course (tovholder routing decisions from
Kafka), run the coordinators' commands on courses, list them, and raise overdue deadlines.

Handlers are plain methods; the Kafka, HTTP and scheduler entry points only translate into
these calls. Every call runs in the service's store thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from services.courses.application.app import CoursesApplication
from services.courses.application.commands.base import ChangeCourse, StartCourse
from services.courses.application.course_index import CourseIndex, CourseSummary, Eligibility
from services.courses.domain.course import Course, CourseExists, DeadlinePolicy, VersionConflict
from services.courses.domain.eligibility import TrivselEligibility
from shared.contracts import RoutingDecision
from shared.eventstore import UnitOfWork
from shared.messaging.inbound import Inbound

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class CourseNotFound(LookupError):
    """No course of that kind has this id."""


class CoursesService:
    def __init__(
        self,
        app: CoursesApplication,
        *,
        decisions_topic: str,
        policy: DeadlinePolicy,
        clock: Clock = utc_now,
    ) -> None:
        self.app = app
        self.decisions_topic = decisions_topic
        self.policy = policy
        self.clock = clock
        self.index = CourseIndex(app)

    # --- Kafka -------------------------------------------------------------------------
    def handle_batch(self, messages: Sequence[Inbound]) -> None:
        uow = UnitOfWork(self.app)
        decoded = [
            (m, m.decode(RoutingDecision) if m.topic == self.decisions_topic else None)
            for m in messages
        ]
        uow.prefetch(
            TrivselEligibility.create_id(d.person_key, d.journal_number)
            for _, d in decoded
            if d is not None
        )
        for message, decision in decoded:
            with message.processing_span("courses"):
                if decision is None:
                    log.warning(
                        "courses: ignoring a message from unexpected topic %s", message.topic
                    )
                else:
                    self._receive_decision(uow, decision)
            uow.processed(message.upstream)
        uow.commit()

    def receive_decision(self, decision: RoutingDecision) -> bool:
        uow = UnitOfWork(self.app)
        recorded = self._receive_decision(uow, decision)
        uow.commit()
        return recorded

    def _receive_decision(self, uow: UnitOfWork, decision: RoutingDecision) -> bool:
        if decision.route != "tovholder":
            log.warning(
                "courses: %s for %s routed to %s ignored: only the coordinator route makes a "
                "person eligible for TRIVSEL+",
                decision.journal_number,
                decision.person_key,
                decision.route,
            )
            return False
        eligibility_id = TrivselEligibility.create_id(decision.person_key, decision.journal_number)
        eligibility = uow.get(TrivselEligibility, eligibility_id)
        if eligibility is None:
            uow.add(TrivselEligibility.from_decision(decision))
            recorded = True
        else:
            recorded = eligibility.receive(decision)
        if recorded:
            log.info(
                "courses: %s eligible for TRIVSEL+ after %s revision %d",
                decision.person_key,
                decision.journal_number,
                decision.revision,
            )
        return recorded

    # --- commands, each in its own transaction --------------------------------------------
    def start(self, command: StartCourse) -> Course:
        """Create the course the command names; `CourseExists` when it was started before."""
        uow = UnitOfWork(self.app)
        course_id = command.course_id()
        if self.app.aggregate_exists(course_id):
            raise CourseExists(f"course {course_id} exists", course_id=str(course_id))
        course = command.create(uow, self.clock(), self.policy)
        uow.add(course)
        try:
            uow.commit()
        except IntegrityError:
            # Another process started the same course first.
            raise CourseExists(f"course {course_id} exists", course_id=str(course_id)) from None
        log.info("courses: %s %s started", course.course_type, course.id)
        return course

    def execute(self, course_id: UUID, command: ChangeCourse) -> Course:
        """Run `command` on the course if it is still at the version the command names."""
        uow = UnitOfWork(self.app)
        course = self._load(uow, command.aggregate, course_id)
        if course.version != command.expected_version:
            raise VersionConflict(
                "the course changed since that version",
                expected_version=command.expected_version,
                current_version=course.version,
            )
        command.execute(course, self.clock())
        try:
            uow.commit()
        except IntegrityError:
            # Another process saved the same version first.
            raise VersionConflict(
                "the course was changed concurrently", expected_version=command.expected_version
            ) from None
        log.info(
            "courses: %s %s: %s (version %d)",
            course.course_type,
            course.id,
            type(command).__name__,
            course.version,
        )
        return course

    # --- queries ---------------------------------------------------------------------------
    def course(self, course_id: UUID, kind: type[Course] = Course) -> Course:
        return self._load(UnitOfWork(self.app), kind, course_id)

    def course_events(self, course_id: UUID) -> list[Course.Event]:
        events = [e for e in self.app.events.get(course_id) if isinstance(e, Course.Event)]
        if not events:
            raise CourseNotFound(str(course_id))
        return events

    def summaries(
        self, municipality_code: str, course_type: str | None, status: str | None
    ) -> list[CourseSummary]:
        self.index.catch_up()
        return self.index.courses(municipality_code, course_type, status)

    def eligible(self, municipality_code: str) -> list[Eligibility]:
        self.index.catch_up()
        return self.index.eligible(municipality_code)

    def eligibility(self, person_key: str, journal_number: str) -> Eligibility | None:
        self.index.catch_up()
        return self.index.eligibility(person_key, journal_number)

    # --- deadlines -------------------------------------------------------------------------
    def emit_overdue(self, now: datetime) -> int:
        """Raise every deadline passed before `now` that was not raised before; return how
        many overdue events were recorded. Running it twice raises nothing the second time."""
        self.index.catch_up()
        ids = self.index.open_course_ids()
        if not ids:
            return 0
        uow = UnitOfWork(self.app)
        uow.prefetch(ids)
        raised = 0
        for course_id in ids:
            course = uow.get(Course, course_id)
            if course is None:  # pragma: no cover - the index only lists stored courses
                continue
            count = course.mark_overdue(now, self.policy)
            if count:
                raised += count
                log.warning(
                    "courses: %s %s (%s) has %d new overdue deadline(s)",
                    course.course_type,
                    course.id,
                    course.journal_number or course.person_key or "-",
                    count,
                )
        if raised:
            uow.commit()
        return raised

    @staticmethod
    def _load(uow: UnitOfWork, kind: type[Course], course_id: UUID) -> Course:
        try:
            course = uow.get(kind, course_id)
        except TypeError:  # a course of another kind
            course = None
        if course is None:
            raise CourseNotFound(str(course_id))
        return course
