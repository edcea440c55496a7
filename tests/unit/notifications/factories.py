"""Documents notifications consumes, with defaults a test overrides only where it matters,
and a clock the test moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from services.notifications.domain.letter_task_case import LetterTaskCase
from services.notifications.domain.letters import Deadlines
from shared.contracts import CaseworkerAssessment, DecisionWithdrawn, RoutingDecision

JOURNAL = "3700-80123-00456-26"
START = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
DEADLINES = Deadlines.in_hours(tovholder=48, caseworker=72)


def new_case() -> LetterTaskCase:
    """A fresh case for JOURNAL and pk_a, its opening already collected."""
    case = LetterTaskCase(JOURNAL, "pk_a")
    case.collect_events()
    return case


def recorded(case: LetterTaskCase) -> list[str]:
    """The names of the events recorded since the last look."""
    return [type(e).__name__ for e in case.collect_events()]


def letter_of(case: LetterTaskCase) -> dict[str, Any]:
    assert case.letter is not None
    return case.letter.model_dump(mode="json")


class FakeClock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, hours: float) -> datetime:
        self.now += timedelta(hours=hours)
        return self.now


def decision_doc(
    route: str = "tovholder",
    age: int = 14,
    revision: int = 1,
    key: str = "pk_a",
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
        "reasons": ["active_case" if route == "caseworker" else "no_active_case"],
        "case_id": "DUBU-2026-001234" if route == "caseworker" else None,
        "occurred_at": "2026-11-15T22:40:00+01:00",
        "decided_at": "2026-11-16T08:12:03+01:00",
        **overrides,
    }


def assessment_doc(
    outcome: str = "inform",
    key: str = "pk_a",
    at: str = "2026-11-17T10:00:00+01:00",
    **overrides: Any,
) -> dict[str, Any]:
    return {
        "journal_number": JOURNAL,
        "person_key": key,
        "outcome": outcome,
        "caseworker": "ABJ",
        "at": at,
        "note": "Forældre orienteres.",
        **overrides,
    }


def decision(**kwargs: Any) -> RoutingDecision:
    return RoutingDecision.model_validate(decision_doc(**kwargs))


def assessment(**kwargs: Any) -> CaseworkerAssessment:
    return CaseworkerAssessment.model_validate(assessment_doc(**kwargs))


def withdrawal_doc(
    revision: int = 2, key: str = "pk_a", decided_revision: int = 1, **overrides: Any
) -> dict[str, Any]:
    return {
        "withdrawal_id": f"withdrawal-{JOURNAL}-{revision}-{key}",
        "decision_id": f"decision-{JOURNAL}-{decided_revision}-{key}",
        "journal_number": JOURNAL,
        "revision": revision,
        "person_key": key,
        "municipality_code": "607",
        "reason": "person_removed_from_incident",
        "withdrawn_at": "2026-11-17T09:00:00+01:00",
        **overrides,
    }


def withdrawal(**kwargs: Any) -> DecisionWithdrawn:
    return DecisionWithdrawn.model_validate(withdrawal_doc(**kwargs))


def handover_doc(revision: int = 1, key: str = "pk_a", **overrides: Any) -> dict[str, Any]:
    """The caseworker takes over the tovholder decision of `revision` (triage, part 5)."""
    return decision_doc(
        route="caseworker",
        revision=revision,
        key=key,
        **{
            "decision_id": f"handover-{JOURNAL}-{revision}-{key}",
            "decision_kind": "handover",
            "revises_decision_id": f"decision-{JOURNAL}-{revision}-{key}",
            "reasons": ["active_case", "case_opened_after_routing"],
            "owner_role": "caseworker",
            "owner_team": "Børn og Familie Team Nord",
            "due_at": "2026-11-21T08:12:00+01:00",
            "decided_at": "2026-11-17T10:00:00+01:00",
            **overrides,
        },
    )
