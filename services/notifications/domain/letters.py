"""The letter rules (contracts.md §5): which letter a routing decision and an assessment call
for, who owns it and when it is due. Pure functions. Owner, team, deadline and youth-letter age
normally come with the decision (triage's municipality profiles); these are the fallbacks for
decisions that carry none."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from shared.contracts import AssessmentOutcome, LetterKind, Route
from shared.contracts.letter_tasks import LetterTaskEventType

OwnerRole = Literal["tovholder", "caseworker"]
TaskStatus = Literal["open", "completed", "cancelled", "overdue", "sent", "waived"]

#: A task's status is named by its latest event.
STATUS_AFTER: dict[LetterTaskEventType, TaskStatus] = {
    "created": "open",
    "completed": "completed",
    "cancelled": "cancelled",
    "overdue": "overdue",
    "updated": "open",
    "sent": "sent",
    "waived": "waived",
    # Escalated only once past its deadline: still to do, and late.
    "escalated": "overdue",
}
#: What one event says only about itself (issue 16): the next event does not carry it on.
CLEARED_ON_NEXT_EVENT: dict[str, None] = {
    "channel": None,
    "letter_version": None,
    "copies": None,
    "waiver_reason": None,
    "by_role": None,
    "escalated_to": None,
}
CLOSED: frozenset[TaskStatus] = frozenset({"completed", "cancelled", "sent", "waived"})

#: Caseworker route: the task follows the assessment.
KIND_FOR_OUTCOME: dict[AssessmentOutcome, LetterKind] = {
    "inform": "orientering",
    "summon": "indkaldelse",
}


def owner_role(route: Route) -> OwnerRole:
    """Without an owner on the decision, the stream a person was routed to owns the letter."""
    return route


def letter_kind(route: Route, outcome: AssessmentOutcome | None) -> LetterKind | None:
    """Tovholder route: an orientering at once. Caseworker route: what the assessment says,
    and nothing until there is one."""
    if route == "tovholder":
        return "orientering"
    return KIND_FOR_OUTCOME[outcome] if outcome is not None else None


@dataclass(frozen=True)
class Deadlines:
    tovholder: timedelta
    caseworker: timedelta

    @classmethod
    def in_hours(cls, tovholder: float, caseworker: float) -> Deadlines:
        return cls(timedelta(hours=tovholder), timedelta(hours=caseworker))

    def due_at(self, owner: OwnerRole, created_at: datetime) -> datetime:
        return created_at + (self.tovholder if owner == "tovholder" else self.caseworker)
