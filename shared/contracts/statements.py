"""Out: triage's statements about a person where it makes no routing decision, on
``ssp.triage.statements.v1`` (extends contracts.md §4). Keyed by ``person_key``.

- ``not_served``: the person lives in a municipality this deployment does not serve (a
  neighbouring municipality of the police district): recorded, pseudonymised, never routed, no
  letter task (issue 14, part 1). `ssp reroute` routes them once the municipality is served.
- ``decision_confirmed``: a higher revision re-evaluated the person and changed nothing
  material: their current decision (``decision_id``) stands for this revision too, so the
  handover list and the trace show "confirmed in revision N" (issue 14, part 7). Never a new
  decision, never a new letter task.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from shared.contracts.common import (
    ContractModel,
    Id,
    IdReference,
    IncidentJournalNumber,
    KeyPersonKey,
    ResidenceMunicipality,
    Revision,
    Timestamp,
    when_set,
)

__all__ = ["PersonStatement", "Statement"]

Statement = Literal["not_served", "decision_confirmed"]


class PersonStatement(ContractModel):
    """What triage states about a person for an incident revision, without a decision."""

    statement_id: Id = Field(
        description="Unique id of this statement (the same statement re-published has the same).",
        examples=["5c0e7a1d-2b8f-4e3a-9c61-5d4f3e2a1b09"],
    )
    statement: Statement = Field(
        description="not_served: the person's municipality is not served here (recorded, not "
        "routed); decision_confirmed: the revision left the current decision unchanged.",
        examples=["decision_confirmed"],
    )
    journal_number: IncidentJournalNumber
    revision: Revision = Field(description="The incident revision stated about.", examples=[2])
    person_key: KeyPersonKey
    municipality_code: ResidenceMunicipality
    decision_id: IdReference | None = when_set(
        "decision_confirmed: the decision that stands; None for not_served.",
        examples=["0b8e4f8e-3c1e-4f7a-9d51-2f3b7a1c9e20"],
    )
    stated_at: Timestamp = Field(
        description="When triage made the statement.", examples=["2026-11-17T09:00:00+01:00"]
    )
