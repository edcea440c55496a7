"""The rules of the handover list: which facts win when messages arrive late or out of order,
and what the meeting sees as a person's letter status."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

Route = Literal["caseworker", "tovholder", "out_of_scope"]
LetterStatus = Literal[
    "none", "awaiting_assessment", "open", "completed", "cancelled", "overdue", "sent", "waived"
]
TaskStatus = Literal["open", "completed", "cancelled", "overdue", "sent", "waived"]

TASK_STATUS_FOR_EVENT: dict[str, TaskStatus] = {
    "created": "open",
    "updated": "open",
    "overdue": "overdue",
    "completed": "completed",
    "cancelled": "cancelled",
    "sent": "sent",
    "waived": "waived",
    # Escalated only once past its deadline (issue 16, part 6): still to do, and late.
    "escalated": "overdue",
}
# Topics are partitioned separately, so "created" may arrive after "completed"; a task never
# goes back, so a later stage wins whatever order its events come in.
_STAGE: dict[TaskStatus, int] = {
    "open": 0,
    "overdue": 1,
    "completed": 2,
    "cancelled": 2,
    "sent": 2,
    "waived": 2,
}


def utc_text(moment: datetime) -> str:
    """A sortable text form: the same instant always gives the same string, whatever offset
    the producer wrote it with."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def task_status_wins(
    new: TaskStatus, new_at_utc: str, current: TaskStatus, current_at_utc: str
) -> bool:
    if _STAGE[new] != _STAGE[current]:
        return _STAGE[new] > _STAGE[current]
    return new_at_utc >= current_at_utc


def decision_wins(
    new_revision: int,
    new_decided_at_utc: str,
    current_revision: int,
    current_decided_at_utc: str,
    *,
    new_replaces_current: bool = False,
    current_replaces_new: bool = False,
) -> bool:
    """A decision that names the other as the one it revises wins, whatever their times;
    otherwise the decision on the latest revision counts, and on one revision the latest."""
    if new_replaces_current or current_replaces_new:
        return new_replaces_current
    return (new_revision, new_decided_at_utc) >= (current_revision, current_decided_at_utc)


def letter_status(route: Route | None, task_status: TaskStatus | None) -> LetterStatus:
    if task_status is not None:
        return task_status
    if route == "caseworker":
        # The caseworker's assessment decides which letter (contracts.md §5): none until then.
        return "awaiting_assessment"
    return "none"
