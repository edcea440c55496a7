"""Out: withdrawn routing decisions on ``ssp.triage.withdrawals.v1`` (extends contracts.md §4).

A higher revision of an incident that no longer lists a person (or lists them out of scope)
withdraws their current decision: consumers stop acting on it (notifications cancels an open
letter task and never creates one). Keyed by ``person_key``, like the decisions.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from shared.contracts.common import (
    ContractModel,
    Id,
    IncidentJournalNumber,
    KeyPersonKey,
    MunicipalityCode,
    Revision,
    Timestamp,
)
from shared.contracts.decisions import DecisionId

__all__ = ["DecisionWithdrawn", "WithdrawalReason"]

WithdrawalReason = Literal[
    "person_removed_from_incident", "person_out_of_scope", "person_not_served"
]


class DecisionWithdrawn(ContractModel):
    """A routing decision no longer stands: the incident's revision dropped the person."""

    withdrawal_id: Id = Field(
        description="Unique id of this withdrawal.",
        examples=["7a1d5c0e-2b8f-4e3a-9c61-5d4f3e2a1b09"],
    )
    decision_id: DecisionId = Field(description="The routing decision withdrawn.")
    journal_number: IncidentJournalNumber
    revision: Revision = Field(
        description="The revision of the incident that withdrew the decision.", examples=[2]
    )
    person_key: KeyPersonKey
    municipality_code: MunicipalityCode = Field(
        description="The person's residence municipality (from the withdrawn decision)."
    )
    reason: WithdrawalReason = Field(
        description="person_removed_from_incident: the revision no longer lists the person; "
        "person_out_of_scope: it lists them with an age outside 10-25; person_not_served: it "
        "lists them living in a municipality this deployment does not serve.",
        examples=["person_removed_from_incident"],
    )
    withdrawn_at: Timestamp = Field(
        description="When triage withdrew the decision.", examples=["2026-11-17T09:00:00+01:00"]
    )
