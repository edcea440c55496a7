"""Every course's public facts and status, every TRIVSEL+ eligibility, every exit referral
and every follow-up action (`follow_up_index`), in memory, followed
from the application's notification log (the same pattern as notifications' task index: the
log holds every event in order, so the index is rebuilt at start by reading it once and kept
current by reading what is new before each use; it is used only from the store thread).

It answers the list endpoints and tells the deadline scheduler which courses are open.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from services.courses.application.follow_up_index import FollowUpIndex
from services.courses.domain.course import Course
from services.courses.domain.eligibility import RANK_COORDINATOR, TrivselEligibility, rank_of
from services.courses.domain.exit_programme import ExitProgramme
from services.courses.domain.exit_referral import ExitReferralRecord
from services.courses.domain.follow_up import FollowUpAction
from services.courses.domain.trivsel import TrivselCourse
from services.courses.domain.workflow import workflow_for_age
from shared.eventstore import ServiceApplication
from shared.eventstore.erasure import ErasedPerson
from shared.eventstore.followed_log import FollowedLog


@dataclass(frozen=True)
class CourseSummary:
    course_id: UUID
    # The course's public facts (`CourseFacts`) as its last event carried them:
    course_type: str
    person_key: str | None
    municipality_code: str
    journal_number: str | None
    status: str  # open | closed
    version: int
    updated_at: datetime
    access: dict[str, int] = field(default_factory=dict)
    """Municipality → the first version it may see (a transfer adds the receiving one)."""
    closed_at: datetime | None = None
    """When it was closed (the retention deadline runs from then, issue 18)."""


@dataclass(frozen=True)
class DecidedPerson:
    """What courses keeps of a triage decision about a person in an incident: whose, which
    incident and revision, where, and the age and workflow it implies. An eligibility and an
    exit referral each follow one."""

    person_key: str
    journal_number: str
    revision: int
    municipality_code: str
    age_at_incident: int
    workflow: str


@dataclass(frozen=True)
class Eligibility(DecidedPerson):
    decided_at: datetime
    course_id: UUID
    course_started: bool
    status: str = "eligible"  # eligible | revoked
    revoked: dict[str, Any] | None = None
    """Why and when the coordinator's decision stopped standing (reason, decision_id,
    revision, revoked_at, course_started) — null while eligible."""
    governing: tuple[int, int] = (0, 0)
    """The rank of the fact that governs (as in `TrivselEligibility`)."""
    has_decision: bool = True
    """False for a record opened by a withdrawal or move that came before the decision it
    replaced: never listed."""


@dataclass(frozen=True)
class ReferralSummary(DecidedPerson):
    referral_id: str
    flags: list[str]
    offence_code: str
    owner_role: str
    owner_team: str | None
    referred_at: datetime
    status: str  # referred | started
    programme_id: str | None = None
    started_at: datetime | None = None


class CourseIndex(FollowedLog):
    def __init__(self, app: ServiceApplication, batch_size: int = 1000) -> None:
        super().__init__(app, batch_size)
        self._courses: dict[UUID, CourseSummary] = {}
        self._eligible: dict[UUID, Eligibility] = {}
        self._referrals: dict[UUID, ReferralSummary] = {}
        self.follow_ups = FollowUpIndex()

    # --- queries -------------------------------------------------------------------------
    def summary(self, course_id: UUID) -> CourseSummary | None:
        return self._courses.get(course_id)

    def courses(
        self, municipality_code: str, course_type: str | None, status: str | None
    ) -> list[CourseSummary]:
        """The courses `municipality_code` has access to, the most recently changed first."""
        found = [
            s
            for s in self._courses.values()
            if municipality_code in s.access
            and (course_type is None or s.course_type == course_type)
            and (status is None or s.status == status)
        ]
        return sorted(found, key=lambda s: (s.updated_at, s.course_id.hex), reverse=True)

    def exit_programme_for(self, person_key: str, journal_number: str) -> CourseSummary | None:
        """The earliest-stored exit programme started for the person and journal number."""
        for summary in self._courses.values():  # in the order the courses were stored
            if (
                summary.course_type == ExitProgramme.course_type
                and summary.person_key == person_key
                and summary.journal_number == journal_number
            ):
                return summary
        return None

    def course_ids_of(self, person_key: str) -> list[UUID]:
        return sorted(i for i, s in self._courses.items() if s.person_key == person_key)

    def closed_courses(self) -> list[CourseSummary]:
        """The closed courses naming a person (retention, issue 18), oldest id first."""
        return sorted(
            (s for s in self._courses.values() if s.closed_at is not None and s.person_key),
            key=lambda s: s.course_id.hex,
        )

    def open_course_ids(self) -> list[UUID]:
        return sorted(i for i, s in self._courses.items() if s.status == "open")

    def eligible(self, municipality_code: str) -> list[Eligibility]:
        """The persons eligible in the municipality, and those whose eligibility was revoked
        after their course started (the coordinator must see that the incident moved)."""
        found = [
            e
            for e in self._eligible.values()
            if e.municipality_code == municipality_code
            and e.has_decision
            and (e.status == "eligible" or e.course_started)
        ]
        return sorted(found, key=lambda e: (e.decided_at, e.person_key), reverse=True)

    def referrals(self, municipality_code: str, status: str | None) -> list[ReferralSummary]:
        """The exit referrals of the municipality, the most recent first."""
        found = [
            r
            for r in self._referrals.values()
            if r.municipality_code == municipality_code and (status is None or r.status == status)
        ]
        return sorted(found, key=lambda r: (r.referred_at, r.referral_id), reverse=True)

    def referral(self, referral_id: str) -> ReferralSummary | None:
        return next((r for r in self._referrals.values() if r.referral_id == referral_id), None)

    def eligibility(self, person_key: str, journal_number: str) -> Eligibility | None:
        return self._eligible.get(TrivselEligibility.create_id(person_key, journal_number))

    # --- following the log -----------------------------------------------------------------
    def apply(self, domain_event: object) -> None:
        if isinstance(domain_event, ErasedPerson.Recorded):  # issue 18
            self._forget(domain_event.person_key)
        elif isinstance(domain_event, Course.Erased):
            self._courses.pop(domain_event.originator_id, None)
        elif isinstance(domain_event, Course.Event):
            self._apply_course_event(domain_event)
        elif isinstance(domain_event, FollowUpAction.Event):
            self.follow_ups.apply(domain_event)
        elif isinstance(
            domain_event, TrivselEligibility.Recorded | TrivselEligibility.DecisionRevised
        ):
            self._apply_eligibility(domain_event)
        elif isinstance(domain_event, TrivselEligibility.Opened):
            course_id = TrivselCourse.create_id(
                domain_event.person_key, domain_event.journal_number
            )
            self._eligible[domain_event.originator_id] = Eligibility(
                person_key=domain_event.person_key,
                journal_number=domain_event.journal_number,
                revision=0,
                municipality_code=domain_event.municipality_code,
                age_at_incident=0,
                workflow="minor",
                decided_at=domain_event.timestamp,
                course_id=course_id,
                course_started=course_id in self._courses,
                has_decision=False,
            )
        elif isinstance(domain_event, TrivselEligibility.Revoked):
            self._apply_revocation(domain_event)
        elif isinstance(domain_event, ExitReferralRecord.Received):
            self._referrals[domain_event.originator_id] = ReferralSummary(
                referral_id=domain_event.referral_id,
                person_key=domain_event.person_key,
                journal_number=domain_event.journal_number,
                revision=domain_event.revision,
                municipality_code=domain_event.municipality_code,
                age_at_incident=domain_event.age_at_incident,
                workflow=domain_event.workflow,
                flags=list(domain_event.flags),
                offence_code=domain_event.offence_code,
                owner_role=domain_event.owner_role,
                owner_team=domain_event.owner_team,
                referred_at=domain_event.referred_at,
                status="referred",
            )
        elif isinstance(domain_event, ExitReferralRecord.ProgrammeStarted):
            referral = self._referrals.get(domain_event.originator_id)
            if referral is not None:
                self._referrals[domain_event.originator_id] = replace(
                    referral,
                    status="started",
                    programme_id=domain_event.programme_id,
                    started_at=domain_event.started_at,
                )

    def _forget(self, person_key: str) -> None:
        """An erased person's courses, eligibilities, referrals and follow-ups leave the index."""
        self._courses = {i: c for i, c in self._courses.items() if c.person_key != person_key}
        self._eligible = {i: e for i, e in self._eligible.items() if e.person_key != person_key}
        self._referrals = {i: r for i, r in self._referrals.items() if r.person_key != person_key}
        self.follow_ups.forget(person_key)

    def _apply_course_event(self, changed: Course.Event) -> None:
        facts = changed.facts()
        course_id = changed.originator_id
        before = self._courses.get(course_id)
        access = dict(before.access) if before else {}
        access.setdefault(facts.municipality_code, changed.originator_version)
        self._courses[course_id] = CourseSummary(
            course_id=course_id,
            **asdict(facts),
            status="closed" if isinstance(changed, Course.Closing) else "open",
            version=changed.originator_version,
            updated_at=changed.at,
            access=access,
            closed_at=changed.at if isinstance(changed, Course.Closing) else None,
        )
        if isinstance(changed, TrivselCourse.Started):
            eligibility_id = TrivselEligibility.create_id(
                changed.person_key, changed.journal_number
            )
            if eligibility_id in self._eligible:
                self._eligible[eligibility_id] = replace(
                    self._eligible[eligibility_id], course_started=True
                )

    def _apply_eligibility(
        self, recorded: TrivselEligibility.Recorded | TrivselEligibility.DecisionRevised
    ) -> None:
        before = self._eligible.get(recorded.originator_id)
        if isinstance(recorded, TrivselEligibility.Recorded):
            person_key, journal_number = recorded.person_key, recorded.journal_number
        elif before is not None:
            person_key, journal_number = before.person_key, before.journal_number
        else:  # pragma: no cover - a revision is always stored after its record
            return
        governing = before.governing if before is not None else (0, 0)
        revoked = before.revoked if before is not None else None
        if rank_of(recorded.revision, RANK_COORDINATOR) > governing:
            governing, revoked = rank_of(recorded.revision, RANK_COORDINATOR), None
        course_id = TrivselCourse.create_id(person_key, journal_number)
        if before is not None and recorded.revision < before.revision:
            # The highest revision's facts stay, as in the aggregate.
            self._eligible[recorded.originator_id] = replace(
                before, governing=governing, revoked=revoked, status=_status(revoked)
            )
            return
        self._eligible[recorded.originator_id] = Eligibility(
            person_key=person_key,
            journal_number=journal_number,
            revision=recorded.revision,
            municipality_code=recorded.municipality_code,
            age_at_incident=recorded.age_at_incident,
            workflow=workflow_for_age(recorded.age_at_incident),
            decided_at=recorded.decided_at,
            course_id=course_id,
            course_started=course_id in self._courses,
            status=_status(revoked),
            revoked=revoked,
            governing=governing,
        )

    def _apply_revocation(self, revoked: TrivselEligibility.Revoked) -> None:
        before = self._eligible.get(revoked.originator_id)
        if before is None:  # pragma: no cover - a revocation is always stored after its record
            return
        rank = rank_of(revoked.revision, revoked.rank)
        if rank <= before.governing:
            return  # arrived after a higher-ranked fact, as in the aggregate
        self._eligible[revoked.originator_id] = replace(
            before,
            governing=rank,
            status="revoked",
            revoked={
                "reason": revoked.reason,
                "decision_id": revoked.decision_id,
                "revision": revoked.revision,
                "revoked_at": revoked.revoked_at,
                "course_started": revoked.course_started,
            },
        )


def _status(revoked: dict[str, Any] | None) -> str:
    return "eligible" if revoked is None else "revoked"
