"""What the courses tests share: a routing decision, a clock the test moves, and courses at
the state a test starts from ("given"), with the events that got them there collected."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from services.courses.domain.acute_procedure import AcuteProcedure
from services.courses.domain.course import Course, DeadlinePolicy
from services.courses.domain.exit_programme import ExitProgramme
from services.courses.domain.follow_up import FollowUpAction
from services.courses.domain.trivsel import TrivselCourse
from shared.contracts import DecisionWithdrawn, ExitReferral, RoutingDecision

JOURNAL = "3700-80123-00456-26"
T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # a Monday
DAY0 = date(2026, 11, 16)
POLICY = DeadlinePolicy(consent_pending=timedelta(days=14), acute_letter=timedelta(hours=24))
PRIVATE_TEXT = "Privat note om familien Jensen"  # free text that must never be published


def at(days: float = 0, hours: float = 0) -> datetime:
    return T0 + timedelta(days=days, hours=hours)


def day(days: int) -> date:
    return DAY0 + timedelta(days=days)


class FakeClock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, days: float = 0, hours: float = 0) -> datetime:
        self.now += timedelta(days=days, hours=hours)
        return self.now


def decision_doc(
    key: str = "pk_a",
    age: int = 14,
    revision: int = 1,
    route: str = "tovholder",
    municipality_code: str = "607",
    **overrides: Any,
) -> dict[str, Any]:
    return {
        "decision_id": f"decision-{JOURNAL}-{revision}-{key}",
        "journal_number": JOURNAL,
        "revision": revision,
        "person_key": key,
        "municipality_code": municipality_code,
        "route": route,
        "workflow": "minor" if age < 18 else "adult",
        "age_at_incident": age,
        "role": "sigtet",
        "offence_code": "butikstyveri",
        "severity": "low",
        "reasons": ["no_active_case"],
        "case_id": None,
        "occurred_at": "2026-11-15T22:40:00+01:00",
        "decided_at": "2026-11-16T08:12:03+01:00",
        **overrides,
    }


def decision(**kwargs: Any) -> RoutingDecision:
    return RoutingDecision.model_validate(decision_doc(**kwargs))


def event_names(course: Course) -> list[str]:
    """The events recorded since the last call (and forgets them)."""
    return [type(e).__name__ for e in course.collect_events()]


def trivsel(age: int = 14) -> TrivselCourse:
    """Given: a TRIVSEL+ course just started (its events already collected)."""
    course = new_trivsel(age)
    course.collect_events()
    return course


def new_trivsel(age: int = 14) -> TrivselCourse:
    """A TRIVSEL+ course just started, its events not yet collected (to be saved)."""
    return TrivselCourse.start(
        person_key="pk_a",
        journal_number=JOURNAL,
        municipality_code="607",
        age_at_incident=age,
        step=2,
        rationale=PRIVATE_TEXT,
        coordinator="ABJ",
        local_leader="KLM",
        at=at(),
    )


def trivsel_with_consent(age: int = 14) -> TrivselCourse:
    """Given: a course with consent given, goal g1 and planned measure m1."""
    course = trivsel(age)
    course.record_consent("given", DAY0, at())
    course.add_goal("g1", PRIVATE_TEXT, "ABJ", day(30), at())
    course.add_measure("m1", "g1", "mentor", PRIVATE_TEXT, "KLM", day(20), at())
    course.collect_events()
    return course


def exit_programme(referred_on: date = date(2026, 1, 5)) -> ExitProgramme:
    """Given: a person referred by the police (in Guldborgsund, 376)."""
    programme = ExitProgramme.refer(
        person_key="pk_x",
        referred_on=referred_on,
        municipality_code="376",
        journal_number=None,
        age_at_referral=17,
        referred_by="police",
        coordinator="EXK",
        at=datetime.combine(referred_on, datetime.min.time(), tzinfo=UTC),
    )
    programme.collect_events()
    return programme


def active_programme(accepted_on: date = date(2026, 1, 15)) -> ExitProgramme:
    """Given: accepted after a talk that found target group and motivation."""
    programme = exit_programme()
    when = datetime.combine(accepted_on, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
    programme.record_clarifying_talk(
        held_on=accepted_on,
        with_police=True,
        in_target_group="yes",
        motivated="yes",
        note=PRIVATE_TEXT,
        at=when,
    )
    programme.accept(accepted_on, when)
    programme.collect_events()
    return programme


def acute() -> AcuteProcedure:
    """Given: an acute procedure started at T0 (its letter task created)."""
    procedure = AcuteProcedure.start(
        municipality_code="607",
        reference="2026-11-brand-skole",
        journal_number=JOURNAL,
        director="DIR",
        head_of_department="FCH",
        at=at(),
        policy=POLICY,
    )
    procedure.collect_events()
    return procedure


def withdrawal_doc(
    key: str = "pk_a",
    revision: int = 2,
    withdrawn: str | None = None,
    reason: str = "person_removed_from_incident",
    municipality_code: str = "607",
) -> dict[str, Any]:
    """Triage withdrawing `key`'s decision (by default the revision-1 one of `decision_doc`)."""
    return {
        "withdrawal_id": f"withdrawal-{JOURNAL}-{revision}-{key}",
        "decision_id": withdrawn or f"decision-{JOURNAL}-1-{key}",
        "journal_number": JOURNAL,
        "revision": revision,
        "person_key": key,
        "municipality_code": municipality_code,
        "reason": reason,
        "withdrawn_at": "2026-11-17T09:00:00+01:00",
    }


def withdrawal(**kwargs: Any) -> DecisionWithdrawn:
    return DecisionWithdrawn.model_validate(withdrawal_doc(**kwargs))


def handover(key: str = "pk_a", revision: int = 1, age: int = 14) -> RoutingDecision:
    """The caseworker taking over `key` after a case opened (replaces the tovholder decision)."""
    return decision(
        key=key,
        revision=revision,
        age=age,
        route="caseworker",
        case_id="DUBU-2026-001234",
        reasons=["active_case", "case_opened_after_routing"],
        decision_id=f"handover-{JOURNAL}-{revision}-{key}",
        decision_kind="handover",
        revises_decision_id=f"decision-{JOURNAL}-{revision}-{key}",
        decided_at="2026-11-18T10:00:00+01:00",
    )


def referral_doc(
    key: str = "pk_x", age: int = 16, municipality_code: str = "376", **overrides: Any
) -> dict[str, Any]:
    return {
        "referral_id": f"referral-{JOURNAL}-{key}",
        "journal_number": JOURNAL,
        "revision": 1,
        "person_key": key,
        "municipality_code": municipality_code,
        "age_at_incident": age,
        "workflow": "minor" if age < 18 else "adult",
        "flags": ["bande"],
        "offence_code": "vold",
        "decision_id": f"decision-{JOURNAL}-1-{key}",
        "owner_role": "exit_coordinator",
        "owner_team": "Exit-koordinatoren",
        "referred_at": "2026-11-16T08:12:03+01:00",
        **overrides,
    }


def referral(**kwargs: Any) -> ExitReferral:
    return ExitReferral.model_validate(referral_doc(**kwargs))


def follow_up_action(**overrides: Any) -> FollowUpAction:
    """A home visit for pk_a held on DAY0, without a next step or a note (`overrides`: any
    argument of `FollowUpAction.record`)."""
    fields: dict[str, Any] = {
        "person_key": "pk_a",
        "municipality_code": "607",
        "journal_number": None,
        "course_id": None,
        "kind": "hjemmebesoeg",
        "held_on": DAY0,
        "held_by": "ABJ",
        "recorded_by_role": "caseworker",
        "outcome": "held",
        "next_step": None,
        "note_sealed": "",
        "at": T0,
    }
    return FollowUpAction.record(**(fields | overrides))
