"""The terms of a follow-up action (issue 17, part 2): the actions the municipalities' SSP
descriptions name, what came of one, and the rule errors it raises.

The kinds (codes, with the Danish words the console shows):

The kinds and outcomes are the contract's (`shared/contracts/follow_ups.py`):

| code | Danish | used by |
|---|---|---|
| `bekymringssamtale` | bekymringssamtale (with the young person, parents, SSP, police) | all five |
| `bekymringsbrev` | bekymringsbrev to the parents | Fredericia |
| `hjemmebesoeg` | hjemmebesøg | Fredericia |
| `skolebesoeg` | skolebesøg | Fredericia |
| `gusa_dialog` | GUSA-dialog (Guldborgsund's model of cooperation) | Guldborgsund |
| `politiets_samtale` | politiets samtale (FNT, the police's prevention officers) | Herning |
| `netvaerksmoede` | netværksmøde with the professionals around the young person | Vejen, Herning |
| `henvisning` | henvisning til anden indsats (mentor, club, talks, social services) | Vejen |
| `opfoelgningssamtale` | opfølgningssamtale (a TRIVSEL+ follow-up) | Fredericia |
"""

from __future__ import annotations

from datetime import date
from typing import Literal, TypedDict

from services.courses.domain.course import InvalidCommand, StateConflict
from shared.contracts.follow_ups import (
    FOLLOW_UP_KINDS,
    FOLLOW_UP_OUTCOMES,
    FollowUpKind,
    FollowUpOutcome,
)

__all__ = [
    "FOLLOW_UP_KINDS",
    "FOLLOW_UP_OUTCOMES",
    "CompletedBeforeHeld",
    "CourseOfAnotherPerson",
    "DueBeforeHeld",
    "FollowUpKind",
    "FollowUpOutcome",
    "NextStep",
    "NextStepDone",
    "NextStepStatus",
    "NoNextStep",
    "overdue_key",
]

NextStepStatus = Literal["none", "open", "done"]


class NextStep(TypedDict):
    kind: str
    owner: str
    due_on: date


class NoNextStep(StateConflict):
    code = "no_next_step"


class NextStepDone(StateConflict):
    code = "next_step_done"


class DueBeforeHeld(InvalidCommand):
    code = "due_before_held"


class CompletedBeforeHeld(InvalidCommand):
    code = "completed_before_held"


class CourseOfAnotherPerson(InvalidCommand):
    """An action linked to a course must be about the course's person."""

    code = "course_of_another_person"


def overdue_key(due_on: date) -> str:
    return f"next_step@{due_on.isoformat()}"
