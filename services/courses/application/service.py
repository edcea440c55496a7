"""Courses' use cases: record who may get a TRIVSEL+ course (tovholder routing decisions from
Kafka; withdrawals, handovers and revisions to the caseworker revoke it) and the exit
referrals triage makes, run the coordinators' commands on courses, list them, and raise
overdue deadlines.

Handlers are plain methods; the Kafka, HTTP and scheduler entry points only translate into
these calls. Every call runs in the service's store thread.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from services.courses.application.app import CoursesApplication
from services.courses.application.commands.base import ChangeCourse, Command, StartCourse
from services.courses.application.course_index import (
    CourseIndex,
    CourseSummary,
    Eligibility,
    ReferralSummary,
)
from services.courses.application.erasure import RecordEraser
from services.courses.application.follow_ups import FollowUps, TextSealer
from services.courses.application.record_keys import sealed
from services.courses.application.retention import CourseRetention
from services.courses.application.versions import require_version, saved_once
from services.courses.domain.course import (
    Course,
    CourseExists,
    DeadlinePolicy,
    InvalidCommand,
    MunicipalityNotServed,
    UnknownMunicipality,
)
from services.courses.domain.eligibility import TrivselEligibility
from services.courses.domain.exit_referral import ExitReferralRecord
from services.courses.domain.retention import RetentionRules
from services.courses.domain.trivsel import TrivselCourse
from shared.clock import Clock, utc_now
from shared.contracts import (
    DecisionWithdrawn,
    ExitReferral,
    PersonErased,
    RoutingDecision,
)
from shared.contracts.municipalities import (
    DEFAULT_SERVED_MUNICIPALITIES,
    UNKNOWN_MUNICIPALITY,
    served_problem,
)
from shared.eventstore import UnitOfWork
from shared.keys.keyring import PersonKeyring

log = logging.getLogger(__name__)

Received = RoutingDecision | DecisionWithdrawn | ExitReferral


class CourseNotFound(LookupError):
    """No course of that kind has this id (or it was erased: the same answer)."""


class PersonWasErased(InvalidCommand):
    code = "person_erased"


class CoursesService:
    def __init__(
        self,
        app: CoursesApplication,
        *,
        policy: DeadlinePolicy,
        clock: Clock = utc_now,
        served_municipalities: Iterable[str] = DEFAULT_SERVED_MUNICIPALITIES,
        texts: TextSealer,
        keyring: PersonKeyring,
        retention_rules: RetentionRules | None = None,
    ) -> None:
        self.app = app
        self.served = frozenset(served_municipalities)
        self.policy = policy
        self.clock = clock
        self.texts = texts
        self.keyring = keyring
        self.index = CourseIndex(app)
        self.follow_ups = FollowUps(app, texts, clock, self.index)
        self.eraser = RecordEraser(app, self.index, keyring, clock)
        self.retention = CourseRetention(self.eraser, retention_rules or RetentionRules())
        """The daily job's step (issue 18): erases the courses and actions past their
        deadline."""

    # --- Kafka: the batch's payloads, decoded by the runtime (entrypoints/kafka.py) -----------
    def prefetch(self, uow: UnitOfWork, payloads: Sequence[Received]) -> None:
        """Every record and course the batch touches, with one query."""
        ids: list[UUID] = []
        for received in payloads:
            if isinstance(received, ExitReferral):
                ids.append(
                    ExitReferralRecord.create_id(received.person_key, received.journal_number)
                )
            else:
                ids.append(
                    TrivselEligibility.create_id(received.person_key, received.journal_number)
                )
                ids.append(TrivselCourse.create_id(received.person_key, received.journal_number))
        uow.prefetch(ids)

    def receive(self, received: Received) -> bool:
        """One message's use case in its own transaction (tests and tools)."""
        return UnitOfWork.run(self.app, self._receive, received)

    def receive_decision(self, decision: RoutingDecision) -> bool:
        return self.receive(decision)

    def _receive(self, uow: UnitOfWork, received: Received) -> bool:
        if isinstance(received, ExitReferral):
            return self.receive_referral_in(uow, received)
        if isinstance(received, DecisionWithdrawn):
            return self.receive_withdrawal_in(uow, received)
        return self.receive_routing_in(uow, received)

    # --- the work, in the caller's unit of work (a Kafka batch's or a use case's own) -----
    def receive_routing_in(self, uow: UnitOfWork, decision: RoutingDecision) -> bool:
        """A decision on the tovholder route may make the person eligible; one on the
        caseworker route may move them away from TRIVSEL+."""
        if decision.route == "tovholder":
            return self._receive_decision(uow, decision)
        return self._receive_move_to_caseworker(uow, decision)

    def _receive_decision(self, uow: UnitOfWork, decision: RoutingDecision) -> bool:
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

    def _receive_move_to_caseworker(self, uow: UnitOfWork, decision: RoutingDecision) -> bool:
        """A handover, or a revision on the caseworker route, replaces the person's earlier
        decision; an initial caseworker decision concerns courses not at all (nothing kept)."""
        if decision.decision_kind == "initial":
            return False
        eligibility = self._eligibility_or_opened(
            uow, decision.person_key, decision.journal_number, decision.municipality_code
        )
        revoked = eligibility.receive_move_to_caseworker(
            decision, self._course_started(uow, decision.person_key, decision.journal_number)
        )
        if revoked:
            log.info(
                "courses: %s of %s moved to the caseworker (%s, revision %d): TRIVSEL+ "
                "eligibility %s",
                decision.person_key,
                decision.journal_number,
                decision.decision_kind,
                decision.revision,
                "revoked" if not eligibility.eligible else "unchanged (a later decision governs)",
            )
        return revoked

    def receive_withdrawal_in(self, uow: UnitOfWork, withdrawal: DecisionWithdrawn) -> bool:
        eligibility = self._eligibility_or_opened(
            uow, withdrawal.person_key, withdrawal.journal_number, withdrawal.municipality_code
        )
        revoked = eligibility.receive_withdrawal(
            withdrawal,
            self._course_started(uow, withdrawal.person_key, withdrawal.journal_number),
        )
        if revoked:
            log.info(
                "courses: decision for %s of %s withdrawn (%s, revision %d)",
                withdrawal.person_key,
                withdrawal.journal_number,
                withdrawal.reason,
                withdrawal.revision,
            )
        return revoked

    def receive_referral_in(self, uow: UnitOfWork, referral: ExitReferral) -> bool:
        record_id = ExitReferralRecord.create_id(referral.person_key, referral.journal_number)
        record = uow.get(ExitReferralRecord, record_id)
        if record is not None:
            if record.referral_id != referral.referral_id:
                log.warning(
                    "courses: a second exit referral %s for %s of %s ignored (one per person "
                    "and incident)",
                    referral.referral_id,
                    referral.person_key,
                    referral.journal_number,
                )
            return False
        record = ExitReferralRecord.from_referral(referral)
        # The exit coordinator may have started the programme (for this journal number) before
        # triage's referral arrived: then it is taken up already.
        self.index.catch_up()
        programme = self.index.exit_programme_for(referral.person_key, referral.journal_number)
        if programme is not None:
            record.mark_started(programme.course_id, self.clock())
        uow.add(record)
        log.info(
            "courses: %s of %s referred to the exit coordinator (%s)",
            referral.person_key,
            referral.journal_number,
            record.status,
        )
        return True

    @staticmethod
    def _eligibility_or_opened(
        uow: UnitOfWork, person_key: str, journal_number: str, municipality_code: str
    ) -> TrivselEligibility:
        """The person's record; opened without a decision when the replacing message came
        first (triage's topics are not ordered among each other), so the replaced decision
        cannot make the person eligible when it arrives."""
        eligibility_id = TrivselEligibility.create_id(person_key, journal_number)
        eligibility = uow.get(TrivselEligibility, eligibility_id)
        if eligibility is None:
            eligibility = TrivselEligibility.without_decision(
                person_key, journal_number, municipality_code
            )
            uow.add(eligibility)
        return eligibility

    @staticmethod
    def _course_started(uow: UnitOfWork, person_key: str, journal_number: str) -> bool:
        try:
            course = uow.get(TrivselCourse, TrivselCourse.create_id(person_key, journal_number))
        except TypeError:  # pragma: no cover - ids of different kinds never collide
            return False
        return course is not None

    # --- commands, each in its own transaction --------------------------------------------
    def start(self, command: StartCourse) -> Course:
        """Create the course the command names; `CourseExists` when it was started before."""
        self._check_municipalities(command)
        uow = UnitOfWork(self.app)
        course_id = command.course_id()
        if self.app.aggregate_exists(course_id):
            raise CourseExists(f"course {course_id} exists", course_id=str(course_id))
        person_key: str | None = getattr(command, "person_key", None)
        if person_key is not None and person_key in self.app.erased_persons:
            raise PersonWasErased("nothing more is kept about an erased person")
        command = sealed(self.texts, command, person_key, course_id)
        course = command.create(uow, self.clock(), self.policy)
        uow.add(course)
        try:
            uow.commit()
        except IntegrityError:
            # Another process started the same course first.
            raise CourseExists(f"course {course_id} exists", course_id=str(course_id)) from None
        log.info("courses: %s %s started", course.course_type, course.id)
        return course

    def _check_municipalities(self, command: Command) -> None:
        """Every municipality a command names is official and served (issue 14, part 1)."""
        for field, code in command.municipality_codes().items():
            problem = served_problem(code, self.served)
            if problem is not None:
                raise _refusal(field, problem)

    def execute(self, course_id: UUID, command: ChangeCourse) -> Course:
        """Run `command` on the course if it is still at the version the command names."""
        self._check_municipalities(command)
        uow = UnitOfWork(self.app)
        course = self._load(uow, command.aggregate, course_id)
        require_version(course.version, command.expected_version, "course")
        at = self.clock()
        sealed(self.texts, command, course.person_key, course_id).execute(course, at)
        for action in command.also_records(course, at, self.follow_ups.new_action):
            uow.add(action)
        with saved_once(command.expected_version, "course"):
            uow.commit()
        log.info(
            "courses: %s %s: %s (version %d)",
            course.course_type,
            course.id,
            type(command).__name__,
            course.version,
        )
        return course

    # --- erasure (issue 18) ----------------------------------------------------------------
    def erase_person_in(self, uow: UnitOfWork, erased: PersonErased) -> bool:
        """Intake erased the person (application/erasure.py)."""
        return self.eraser.erase_person_in(uow, erased)

    def open_text(self, stored: str | None) -> str | None:
        """A course's free text, opened (None once a key it was sealed with is gone)."""
        return self.texts.open(stored)

    # --- queries ---------------------------------------------------------------------------
    def course(self, course_id: UUID, kind: type[Course] = Course) -> Course:
        return self._load(UnitOfWork(self.app), kind, course_id)

    def course_events(self, course_id: UUID) -> list[Course.Event]:
        events = [e for e in self.app.events.get(course_id) if isinstance(e, Course.Event)]
        if not events or isinstance(events[-1], Course.Erased):
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

    def referrals(self, municipality_code: str, status: str | None) -> list[ReferralSummary]:
        self.index.catch_up()
        return self.index.referrals(municipality_code, status)

    def referral(self, referral_id: str) -> ReferralSummary | None:
        self.index.catch_up()
        return self.index.referral(referral_id)

    # --- deadlines -------------------------------------------------------------------------
    def emit_overdue(self, now: datetime) -> int:
        """Raise every deadline passed before `now` that was not raised before; return how
        many overdue events were recorded. Running it twice raises nothing the second time."""
        self.index.catch_up()
        ids = self.index.open_course_ids()
        action_ids = self.index.follow_ups.with_open_next_step()
        if not ids and not action_ids:
            return 0
        uow = UnitOfWork(self.app)
        uow.prefetch([*ids, *action_ids])
        raised = self.follow_ups.mark_overdue_in(uow, action_ids, now)
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
        if course is None or course.erased:
            raise CourseNotFound(str(course_id))
        return course


def _refusal(field: str, problem: str) -> InvalidCommand:
    if problem == UNKNOWN_MUNICIPALITY:
        return UnknownMunicipality(f"{field} is not a Danish municipality code", field=field)
    return MunicipalityNotServed(
        f"{field} names a municipality this deployment does not serve (SSP_MUNICIPALITIES): "
        "nobody there could own the course's deadlines",
        field=field,
    )
