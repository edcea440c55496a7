"""In: caseworker assessments on ``ssp.caseworker.assessments.v1`` (contracts.md §3).

Required: journal_number, person_key, outcome, caseworker, at. Optional: note.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from shared.contracts.common import (
    MAX_INITIALS_CHARS,
    MAX_NOTE_CHARS,
    ContractModel,
    JournalNumber,
    PersonKey,
    StaffInitials,
    Timestamp,
)

__all__ = ["AssessmentOutcome", "CaseworkerAssessment"]

AssessmentOutcome = Literal["inform", "summon"]


class CaseworkerAssessment(ContractModel):
    """A caseworker's assessment of an incident for one person."""

    journal_number: JournalNumber = Field(description="Journal number of the assessed incident.")
    person_key: PersonKey = Field(
        description="Pseudonym of the assessed person (from the routing decision); the message key."
    )
    outcome: AssessmentOutcome = Field(
        description="inform: no further action, parents (and the youth when 15 or older) are "
        "informed | summon: parents and youth are summoned to a meeting.",
        examples=["inform"],
    )
    caseworker: StaffInitials = Field(
        description=f"Initials of the caseworker (at most {MAX_INITIALS_CHARS} characters)."
    )
    at: Timestamp = Field(
        description="When the assessment was made (RFC 3339 with offset).",
        examples=["2026-11-17T10:00:00+01:00"],
    )
    note: str | None = Field(
        default=None,
        max_length=MAX_NOTE_CHARS,
        description=f"Free-text note by the caseworker (at most {MAX_NOTE_CHARS} characters).",
        examples=["Forældre orienteres."],
        repr=False,
    )
