"""Out: letter tasks on ``ssp.notifications.letter-tasks.v1`` (contracts.md §5): the shape only;
who gets which letter is notifications' rule (services/notifications/domain/).

``owner_team``, ``reason`` and the ``updated`` event extend §5 (docs/contracts.md): optional, so
old messages still parse. Issue 16 adds the endings ``sent`` (``channel``, ``letter_version``)
and ``waived`` (``waiver_reason``), and ``escalated`` (``escalated_to``), all optional fields.
Issue 14, part 3: the acute-event standard letter needs no police journal number, so
``journal_number`` is null on that kind when the procedure follows no police case; it stays a
required key, and every other kind still carries one (a message that had one keeps its bytes).
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer, model_validator

from shared.contracts.common import (
    Code,
    ContractModel,
    Id,
    JournalNumber,
    KeyPersonKey,
    ResidenceMunicipality,
    Timestamp,
    when_set,
)
from shared.contracts.decisions import DecisionOwnerTeam
from shared.contracts.letter_kinds import LETTER_KINDS, LetterKind, Recipient, Recipients

#: The only kind whose task may name no incident: the acute-event standard letter (000:
#: "forældre og medarbejdere lokalt", sent without a police case).
WITHOUT_JOURNAL_NUMBER: frozenset[LetterKind] = frozenset({"akut_standardbrev"})

__all__ = [
    "LETTER_KINDS",
    "SEND_CHANNELS",
    "WAIVER_REASONS",
    "EscalationLevel",
    "LetterKind",
    "LetterTaskEvent",
    "LetterTaskEventType",
    "Recipient",
    "SendChannel",
    "TaskChangeReason",
    "WaiverReason",
]

LetterTaskEventType = Literal[
    "created", "completed", "cancelled", "overdue", "updated", "sent", "waived", "escalated"
]
TaskChangeReason = Literal[
    "revised_decision",
    "case_opened_after_routing",
    "person_removed_from_incident",
    "person_out_of_scope",
    "person_not_served",
]
SendChannel = Literal["outbox", "digital_post"]
WaiverReason = Literal["not_in_childs_interest", "already_informed", "police_informs"]
EscalationLevel = Literal["team_leader", "management"]

SEND_CHANNELS: tuple[SendChannel, ...] = get_args(SendChannel)
WAIVER_REASONS: tuple[WaiverReason, ...] = get_args(WaiverReason)


#: Issue 16's fields, left out of a message (and a stored document) while null, so the events
#: that do not carry them keep the bytes they always had.
OMITTED_WHEN_NULL = (
    "channel",
    "letter_version",
    "copies",
    "waiver_reason",
    "by_role",
    "escalated_to",
)


class LetterTaskEvent(ContractModel):
    """A change to a letter task for the parents and/or the youth."""

    @model_serializer(mode="wrap")
    def _without_null_endings(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        document: dict[str, Any] = handler(self)
        for name in OMITTED_WHEN_NULL:
            if document.get(name, 0) is None:
                del document[name]
        return document

    task_id: Id = Field(
        description="Id of the letter task; stable across its events.",
        examples=["5d0c2a1e-8f4b-4b8e-9a63-0c7e2d9f1a44"],
    )
    event: LetterTaskEventType = Field(
        description="What happened to the task. updated: owner, recipients or deadline changed "
        "(same task id, never a second task). sent: the letter went out (channel, "
        "letter_version); waived: not sent, for a waiver_reason (not cancelled); escalated: "
        "past its deadline, escalated_to the owner team's team leader or, at twice its "
        "deadline, to management's count. A task ends as completed, sent, waived or cancelled.",
        examples=["created"],
    )
    journal_number: JournalNumber | None = Field(
        description="Journal number of the incident. Null only on an akut_standardbrev task "
        "whose acute-event procedure follows no police case (it needs no journal number); "
        "every other kind has one.",
        examples=["3700-80123-00456-26"],
    )
    person_key: KeyPersonKey
    municipality_code: ResidenceMunicipality
    kind: LetterKind = Field(description="Kind of letter.", examples=["orientering"])
    recipients: Recipients = Field(
        description='Under 15: ["parents"]; 15-17: ["parents", "youth"]; 18 and over: ["youth"]. '
        "15 is the default youth-letter age; a municipality profile may set another.",
    )
    owner_role: Code = Field(
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
    owner_team: DecisionOwnerTeam = Field(
        description="Team that owns the task, from the routing decision, where the "
        "municipality profile has one."
    )
    reason: TaskChangeReason | None = when_set(
        "Why the task was updated or cancelled by the platform: revised_decision "
        "(a higher revision changed owner, recipients or deadline), case_opened_after_routing "
        "(handed over to the caseworker), person_removed_from_incident / person_out_of_scope / "
        "person_not_served (the decision was withdrawn). Null on the other events.",
        examples=[None, "case_opened_after_routing"],
    )
    channel: SendChannel | None = when_set(
        "sent: the channel the letter went by: outbox (printed and posted) or "
        "digital_post. Null on the other events.",
        examples=[None, "outbox"],
    )
    letter_version: Code | None = when_set(
        "sent: the version (hash) of the template and profile letter section the "
        "letter was rendered from, so the very letter can be rendered again on demand.",
        examples=[None, "tpl-3f2a9c1e0b7d"],
    )
    copies: int | None = when_set(
        "sent: how many copies went out (one per recipient set, e.g. parents "
        "living apart get one each).",
        examples=[None, 2],
        ge=1,
    )
    waiver_reason: WaiverReason | None = when_set(
        "waived: why no letter is sent: not_in_childs_interest, already_informed, "
        "police_informs. Null on the other events.",
        examples=[None, "already_informed"],
    )
    by_role: Code | None = when_set(
        "waived, sent: the role of the user who did it (owner or team leader); no "
        "person's name or id.",
        examples=[None, "team_leader"],
    )
    escalated_to: EscalationLevel | None = when_set(
        "escalated: team_leader (past the deadline: the team leader of owner_team) "
        "or management (still open at twice the deadline: counted, never named).",
        examples=[None, "team_leader"],
    )

    @model_validator(mode="after")
    def _names_its_incident(self) -> LetterTaskEvent:
        if self.journal_number is None and self.kind not in WITHOUT_JOURNAL_NUMBER:
            raise ValueError(f"a {self.kind} task names its incident: journal_number required")
        return self
