"""The terms of a TRIVSEL+ course: the step scale, consent, the plan's goals and measures,
follow-ups and outcomes, and the rule errors the course raises."""

from __future__ import annotations

from datetime import date
from typing import Literal, TypedDict

from services.courses.domain.course import InvalidCommand, StateConflict
from shared.contracts.follow_ups import FollowUpKind

__all__ = ["FollowUpKind"]  # a TRIVSEL+ follow-up is a follow-up action (issue 17, part 2)

MIN_STEP, MAX_STEP = 1, 5  # the municipality's step model; Fredericia's concept fixes no scale

ConsentStatus = Literal["not_requested", "requested", "given", "refused", "not_required"]
ConsentAnswer = Literal["given", "refused", "not_required"]
TrivselOutcome = Literal["completed", "dropped", "handed_to_social_services"]
TrivselMeasureKind = Literal[
    "mentor",
    "fritidsaktivitet",
    "samtaleforloeb",
    "skole_og_fritid",
    "familieinddragelse",
    "netvaerksmoede",
    "politisamtale",
    "andet",
]
MeasureStatus = Literal["planned", "started", "completed"]
SETTLED: frozenset[str] = frozenset({"given", "not_required"})


class NotAnAdult(InvalidCommand):
    code = "consent_required_for_minor"


class MeasuresStillOpen(StateConflict):
    """A course is completed when its measures are: one still started blocks it (issue 14,
    part 6)."""

    code = "measures_still_open"


class ConsentMissing(StateConflict):
    code = "consent_missing"


class ConsentAlreadySettled(StateConflict):
    code = "consent_settled"


class ConsentAlreadyRequested(StateConflict):
    code = "consent_already_requested"


class InvalidStep(InvalidCommand):
    code = "invalid_step"


class MeasureNotInProgress(StateConflict):
    code = "measure_state"


class Goal(TypedDict):
    goal_id: str
    description: str
    owner: str
    review_on: date | None


class Measure(TypedDict):
    measure_id: str
    goal_id: str
    kind: str
    description: str
    owner: str
    review_on: date | None
    status: str
    started_on: date | None
    completed_on: date | None


def check_step(step: int) -> None:
    if not MIN_STEP <= step <= MAX_STEP:
        raise InvalidStep(f"step must be {MIN_STEP}-{MAX_STEP}", field="step")


def review_key(item_id: str, review_on: date) -> str:
    return f"review:{item_id}@{review_on.isoformat()}"
