"""Out: exit-programme referrals on ``ssp.triage.exit-referrals.v1`` (issue 4, part 6; an
extension of the contract, docs/contracts.md). One message per person and journal number,
keyed by ``person_key``.

Exit programmes (domain.md; seeds 001 and 004) are for people from 15 in gang-related crime or
extremist and other destructive milieus. A police report flagged ``bande`` or ``ekstremisme``
about such a person is referred to the exit coordinator, who decides in clarifying talks
whether the person belongs to the target group: a referral is a request to look, not a
programme.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import Field

from shared.contracts.common import (
    Code,
    ContractModel,
    Id,
    IncidentJournalNumber,
    KeyPersonKey,
    MunicipalityCode,
    Revision,
    TeamName,
    Timestamp,
)
from shared.contracts.decisions import DecisionId, PersonWorkflow
from shared.contracts.incidents import OffenceCode

__all__ = [
    "EXIT_REFERRAL_FLAGS",
    "EXIT_REFERRAL_MIN_AGE",
    "EXIT_REFERRAL_OWNER_ROLE",
    "ExitFlag",
    "ExitReferral",
]

#: The flags that point at the exit programmes' target group (gang, extremist milieus).
ExitFlag = Literal["bande", "ekstremisme"]
EXIT_REFERRAL_FLAGS: tuple[ExitFlag, ...] = get_args(ExitFlag)
#: The exit programmes' target group starts at 15 (seed 001 "Exitstrategi", seed 004).
EXIT_REFERRAL_MIN_AGE = 15
EXIT_REFERRAL_OWNER_ROLE = "exit_coordinator"


class ExitReferral(ContractModel):
    """A person referred to the exit coordinator because of a flagged police report."""

    referral_id: Id = Field(
        description="Id of the referral, derived from journal number and person key: one "
        "referral per person and incident, whatever its revisions.",
        examples=["6f1c2b7e-5a4d-5e0b-8c3f-1d2e3f4a5b6c"],
    )
    journal_number: IncidentJournalNumber
    revision: Revision = Field(description="The revision of the incident that made the referral.")
    person_key: KeyPersonKey
    municipality_code: MunicipalityCode = Field(
        description="The person's residence municipality.", examples=["376"]
    )
    age_at_incident: int = Field(
        ge=EXIT_REFERRAL_MIN_AGE,
        description="Age in full years on the date of the incident (15 or more).",
        examples=[16],
    )
    workflow: PersonWorkflow
    flags: list[ExitFlag] = Field(
        min_length=1,
        description="The incident's flags that made the referral: bande and/or ekstremisme.",
        examples=[["bande"]],
    )
    offence_code: OffenceCode = Field(description="Offence category.", examples=["vold"])
    decision_id: DecisionId = Field(
        description="The routing decision made with the referral (its reasons include "
        "exit_referral)."
    )
    owner_role: Code = Field(
        default=EXIT_REFERRAL_OWNER_ROLE,
        description="Who takes the referral: the municipality profile's exit owner, else "
        "exit_coordinator.",
        examples=["exit_coordinator"],
    )
    owner_team: TeamName | None = Field(
        default=None,
        description="The owning team where the profile names one.",
        examples=["Exit-koordinatoren", None],
    )
    referred_at: Timestamp = Field(
        description="When triage made the referral (the decision time).",
        examples=["2026-11-16T08:12:03+01:00"],
    )
