"""How a letter task ends and when it is escalated (issues 16 and 14, part 2).

A task ends once: `completed` (by hand), `sent` (with its channel), `waived` (with a reason
code, by its owner or the team leader) or `cancelled` (the platform withdrew it). Waiving is not
cancelling: a waived task was looked at and decided on; the difference stays visible. A task
past its deadline is escalated once to the team leader of its owner's team, and once more, to
management's count, if it is still open at twice its deadline. The case's own events decide
each of these, so a check that runs again (after a restart, or twice at once) records nothing
twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.notifications.domain.case_state import NoTask, TaskClosed
from services.notifications.domain.letter_task_case import LetterTaskCase
from services.notifications.domain.letters import CLEARED_ON_NEXT_EVENT, CLOSED
from shared.contracts import LetterTaskEvent
from shared.contracts.letter_tasks import (
    EscalationLevel,
    LetterTaskEventType,
    SendChannel,
    WaiverReason,
)

TEAM_LEADER = "team_leader"


class NotAllowedToWaive(PermissionError):
    """Only the task's owner role or the team leader may waive it."""


def may_waive(task: LetterTaskEvent, role: str) -> bool:
    """Issue 14, part 2: the owner (its role) or the team leader."""
    return role in (task.owner_role, TEAM_LEADER)


def open_letter(case: LetterTaskCase) -> LetterTaskEvent:
    """The task's letter, if it is still to do; else `NoTask` or `TaskClosed`."""
    if case.letter is None:
        raise NoTask(case.task_id)
    if case.status in CLOSED:
        raise TaskClosed(f"task {case.task_id} is already {case.status}")
    return case.letter


def send(
    case: LetterTaskCase,
    now: datetime,
    *,
    channel: SendChannel,
    letter_version: str,
    copies: int,
    by_role: str | None,
) -> LetterTaskEvent:
    """The letter went out. A second send finds the task closed (`TaskClosed`): never twice."""
    case.change_task(
        case.TaskSent,
        _next(
            case,
            "sent",
            now,
            channel=channel,
            letter_version=letter_version,
            copies=copies,
            by_role=by_role,
        ),
    )
    assert case.letter is not None
    return case.letter


def waive(
    case: LetterTaskCase, now: datetime, *, reason: WaiverReason, by_role: str
) -> LetterTaskEvent:
    letter = open_letter(case)
    if not may_waive(letter, by_role):
        raise NotAllowedToWaive(f"only {letter.owner_role} or {TEAM_LEADER} may waive it")
    case.change_task(
        case.TaskWaived, _next(case, "waived", now, waiver_reason=reason, by_role=by_role)
    )
    assert case.letter is not None
    return case.letter


def escalation_due(
    letter: LetterTaskEvent, escalated_to: frozenset[str], created_at: datetime, now: datetime
) -> EscalationLevel | None:
    """The next escalation the task calls for at `now`, if any: the team leader once it is past
    its deadline, management once it is still open at twice its deadline (the deadline counted
    from the task's creation: `due_at + (due_at - created_at)`)."""
    if now <= letter.due_at:
        return None
    if TEAM_LEADER not in escalated_to:
        return "team_leader"
    if "management" not in escalated_to and now >= letter.due_at + (letter.due_at - created_at):
        return "management"
    return None


def escalate(case: LetterTaskCase, now: datetime, created_at: datetime) -> list[EscalationLevel]:
    """Every escalation the task calls for now, each recorded once; [] for a closed task."""
    if case.letter is None or case.status in CLOSED:
        return []
    done: list[EscalationLevel] = []
    while (level := escalation_due(case.letter, case.escalated_to, created_at, now)) is not None:
        case.change_task(case.TaskEscalated, _next(case, "escalated", now, escalated_to=level))
        done.append(level)
    return done


def _next(case: LetterTaskCase, what: LetterTaskEventType, now: datetime, **fields: Any) -> Any:
    letter = open_letter(case)
    update = {**CLEARED_ON_NEXT_EVENT, "event": what, "at": now, "reason": None, **fields}
    return letter.model_copy(update=update).model_dump(mode="json")
