"""The terms of an exit programme: who may refer and why it ends, the contract's measures,
the calendar of monthly cooperation meetings, and the rule errors the programme raises."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Literal, TypedDict

from services.courses.domain.calendar import month_label, month_of, next_month
from services.courses.domain.course import InvalidCommand, StateConflict

EXIT_MIN_AGE = 15

ReferredBy = Literal["police", "pet", "kriminalforsorgen", "municipal_department"]
Clarification = Literal["yes", "no", "unclear"]
DeclineReason = Literal["not_target_group", "not_motivated", "declined_by_person", "other"]
ExitOutcome = Literal["completed", "dropped_out"]
EndReason = Literal[
    "goals_met",
    "left_milieu",
    "lost_contact",
    "new_crime",
    "withdrew",
    "moved_abroad",
    "other",
]
#: Which end reasons fit which outcome (issue 14, part 6): a programme is `completed` when its
#: goals are met or the person has left the milieu (001 l.244: the contract's goals, "træde ud
#: af det destruktive miljø"); it is `dropped_out` when contact is lost, new crime is committed,
#: the person withdraws or moves abroad. `other` fits both (explained in the note).
REASONS_FOR_OUTCOME: dict[ExitOutcome, frozenset[EndReason]] = {
    "completed": frozenset({"goals_met", "left_milieu", "other"}),
    "dropped_out": frozenset({"lost_contact", "new_crime", "withdrew", "moved_abroad", "other"}),
}

InfohusReason = Literal["concern_level", "safety", "other"]
ExitMeasureKind = Literal[
    "safety_plan",
    "mentor",
    "school_support",
    "job_support",
    "housing_support",
    "treatment",
    "other",
]
Stage = Literal["clarifying", "active", "declined", "ended"]


class BelowTargetAge(InvalidCommand):
    code = "below_target_age"


class WrongStage(StateConflict):
    code = "wrong_stage"


class NotClarified(StateConflict):
    code = "not_clarified"


class SameMunicipality(InvalidCommand):
    code = "same_municipality"


class AlreadyEscalated(StateConflict):
    code = "already_escalated"


class EmptyContract(InvalidCommand):
    code = "empty_contract"


class ReasonDoesNotFitOutcome(InvalidCommand):
    code = "reason_does_not_fit_outcome"


class ClarifyingTalk(TypedDict):
    """A clarifying talk: when, whether the police's exit officer took part, and what it
    found."""

    held_on: date
    with_police: bool
    in_target_group: Clarification
    motivated: Clarification
    note: str


class ContractMeasure(TypedDict):
    measure_id: str
    department: str
    kind: str
    due_on: date
    completed_on: date | None


def measure_key(measure_id: str, due_on: date) -> str:
    return f"measure:{measure_id}@{due_on.isoformat()}"


def months_without_meeting(
    accepted_on: date, meetings_held_on: Iterable[date], today: date
) -> list[str]:
    """Every full calendar month of activity (from the first month that starts on or after
    `accepted_on`) that is over by `today` and had no meeting."""
    first = month_of(accepted_on)
    if accepted_on != first:
        first = next_month(first)
    met = {month_of(held_on) for held_on in meetings_held_on}
    missed = []
    month = first
    while next_month(month) <= today:
        if month not in met:
            missed.append(month_label(month))
        month = next_month(month)
    return missed
