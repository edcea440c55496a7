"""What a letter task case knows of the messages it received: the governing routing decision,
the latest withdrawal and assessment, and the outcomes and errors of its commands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, cast

from shared.contracts import AssessmentOutcome, DecisionKind, Route, WithdrawalReason
from shared.contracts.decisions import LetterPlan

DecisionOutcome = Literal[
    "duplicate",
    "task_created",
    "awaiting_assessment",
    "recorded",
    "task_updated",
    "task_cancelled",
    "withdrawn",
]
AssessmentResult = Literal[
    "duplicate", "task_created", "awaiting_decision", "tovholder_routed", "recorded", "withdrawn"
]
WithdrawalOutcome = Literal["duplicate", "task_cancelled", "withdrawn", "recorded"]


class NoTask(LookupError):
    """The person has no letter task (yet) for this incident."""


class TaskClosed(ValueError):
    """The task was already completed or cancelled."""


@dataclass(frozen=True)
class GoverningDecision:
    """The routing decision a task is (or will be) created from. Owner, deadline and
    youth-letter age come from the municipality profile triage applied; decisions made before
    profiles existed have none, and the task falls back to the route and the settings."""

    revision: int
    route: Route
    municipality_code: str
    age_at_incident: int
    owner_role: str | None = None
    owner_team: str | None = None
    due_at: datetime | None = None
    youth_letter_age: int | None = None
    decision_id: str | None = None
    kind: DecisionKind = "initial"
    letters: tuple[LetterPlan, ...] | None = None
    """The letters the decision calls for (triage's profile table and the person's role);
    None for decisions made before letter plans."""


@dataclass(frozen=True)
class Withdrawal:
    """The decisions of this revision and before no longer stand."""

    revision: int
    reason: WithdrawalReason


@dataclass(frozen=True)
class Assessment:
    outcome: AssessmentOutcome
    assessed_at: datetime


@dataclass(frozen=True)
class CaseOf:
    """Whose case: the fields that open a letter task case (before any other of its event)."""

    journal_number: str
    person_key: str


@dataclass(frozen=True)
class RecordedDecision:
    """The fields of an event that records a routing decision (`DecisionRecorded`,
    `OpenedWithDecision`), after the event's own."""

    decision_id: str
    revision: int
    route: str
    municipality_code: str
    age_at_incident: int
    # Since the municipality profiles (issue 4); absent from events stored before.
    owner_role: str | None
    owner_team: str | None
    due_at: datetime | None
    youth_letter_age: int | None
    # Since revised and handover decisions (issue 4, parts 4-5).
    decision_kind: str | None
    revises_decision_id: str | None
    # Since letter plans (issue 14, parts 2-3); absent from events stored before.
    letters: list[dict[str, Any]] | None


def governing(decided: Any) -> GoverningDecision:
    """The decision a `RoutingDecision`, or an event that recorded one (`DecisionRecorded`,
    `OpenedWithDecision`: the same names), says governs the task. Decisions recorded before
    the municipality profiles and the revised decisions lack the later fields."""

    def later(name: str) -> Any:
        return getattr(decided, name, None)

    return GoverningDecision(
        decided.revision,
        cast(Route, decided.route),
        decided.municipality_code,
        decided.age_at_incident,
        later("owner_role"),
        later("owner_team"),
        later("due_at"),
        later("youth_letter_age"),
        decided.decision_id,
        cast(DecisionKind, later("decision_kind") or "initial"),
        _plans(later("letters")),
    )


def assessment_key(outcome: str, caseworker: str, at: datetime) -> tuple[str, str, str]:
    """The same assessment delivered twice (the external producer may resend it): the same
    outcome, by the same caseworker, at the same instant (whatever the offset)."""
    return (outcome, caseworker, at.astimezone(UTC).isoformat())


def _plans(letters: Any) -> tuple[LetterPlan, ...] | None:
    """Letter plans as a decision carries them, or as an event stored them (JSON data)."""
    if letters is None:
        return None
    return tuple(LetterPlan.model_validate(plan) for plan in letters)
