"""Out: letter tasks on ``ssp.notifications.letter-tasks.v1`` (contracts.md §5): the shape only;
who gets which letter is notifications' rule (services/notifications/domain/).

``owner_team``, ``reason`` and the ``updated`` event extend §5 (docs/contracts.md): optional, so
old messages still parse.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import Field

from shared.contracts.common import (
    MAX_CODE_CHARS,
    MAX_ID_CHARS,
    MAX_TEAM_CHARS,
    ContractModel,
    IncidentJournalNumber,
    KeyPersonKey,
    ResidenceMunicipality,
    Timestamp,
)
from shared.contracts.letter_kinds import LETTER_KINDS, LetterKind, Recipient

__all__ = [
    "LETTER_KINDS",
    "TASK_CHANGE_REASONS",
    "TASK_EVENTS",
    "LetterKind",
    "LetterTaskEvent",
    "LetterTaskEventType",
    "Recipient",
    "TaskChangeReason",
]

LetterTaskEventType = Literal["created", "completed", "cancelled", "overdue", "updated"]
TaskChangeReason = Literal[
    "revised_decision",
    "case_opened_after_routing",
    "person_removed_from_incident",
    "person_out_of_scope",
    "person_not_served",
]

TASK_EVENTS: tuple[LetterTaskEventType, ...] = get_args(LetterTaskEventType)
TASK_CHANGE_REASONS: tuple[TaskChangeReason, ...] = get_args(TaskChangeReason)


class LetterTaskEvent(ContractModel):
    """A change to a letter task for the parents and/or the youth."""

    task_id: str = Field(
        max_length=MAX_ID_CHARS,
        min_length=1,
        description="Id of the letter task; stable across its events.",
        examples=["5d0c2a1e-8f4b-4b8e-9a63-0c7e2d9f1a44"],
    )
    event: LetterTaskEventType = Field(
        description="What happened to the task. updated: owner, recipients or deadline changed "
        "(same task id, never a second task).",
        examples=["created"],
    )
    journal_number: IncidentJournalNumber
    person_key: KeyPersonKey
    municipality_code: ResidenceMunicipality
    kind: LetterKind = Field(description="Kind of letter.", examples=["orientering"])
    recipients: list[Recipient] = Field(
        min_length=1,
        description='Under 15: ["parents"]; 15-17: ["parents", "youth"]; 18 and over: ["youth"]. '
        "15 is the default youth-letter age; a municipality profile may set another.",
        examples=[["parents", "youth"]],
    )
    owner_role: str = Field(
        max_length=MAX_CODE_CHARS,
        min_length=1,
        description="Role that owns the task: the routing decision's owner_role (the "
        "municipality profile), else the route.",
        examples=["tovholder"],
    )
    due_at: Timestamp = Field(
        description="Deadline of the task.", examples=["2026-11-19T16:00:00+01:00"]
    )
    at: Timestamp = Field(
        description="When this event happened.", examples=["2026-11-16T08:12:05+01:00"]
    )
    owner_team: str | None = Field(
        default=None,
        max_length=MAX_TEAM_CHARS,
        description="Team that owns the task, from the routing decision, where the "
        "municipality profile has one.",
        examples=["SSP-medarbejder distrikt nord", None],
    )
    reason: TaskChangeReason | None = Field(
        default=None,
        description="Why the task was updated or cancelled by the platform: revised_decision "
        "(a higher revision changed owner, recipients or deadline), case_opened_after_routing "
        "(handed over to the caseworker), person_removed_from_incident / person_out_of_scope / "
        "person_not_served (the decision was withdrawn). Null on the other events.",
        examples=[None, "case_opened_after_routing"],
    )
