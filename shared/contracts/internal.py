"""Internal topics ``ssp.intake.incidents.v1`` and ``ssp.intake.case-events.v1``.

Intake pseudonymises the two input topics that carry CPR numbers by nature. These models have
no CPR number, name, address, narrative or other free-text field (contracts.md §6).
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

from shared.contracts.cases import CaseCaseworker, CaseEvent, CaseEventTime, CaseId, CaseTeam
from shared.contracts.common import (
    MAX_PLACE_NAME_CHARS,
    ContractModel,
    IncidentTime,
    KeyJournalNumber,
    KeyPersonKey,
    MunicipalityCode,
    PersonKey,
    ResidenceMunicipality,
    Revision,
    Timestamp,
)
from shared.contracts.incidents import (
    IncidentFlags,
    IncidentOffenceCode,
    IncidentReportedAt,
    IncidentRole,
    IncidentSource,
)

__all__ = ["AcceptedIncident", "PseudonymisedCaseEvent", "PseudonymousPerson"]


class PseudonymousPerson(ContractModel):
    """A person of an accepted incident, without CPR number or name."""

    person_key: PersonKey = Field(description="Pseudonym of the person.")
    role: IncidentRole
    municipality_code: ResidenceMunicipality
    age_at_incident: int = Field(
        description="Age in full years on the date of occurred_at, in its own offset.",
        examples=[16],
    )
    in_scope: bool = Field(
        description="True when age_at_incident is 0-25; out-of-scope persons are recorded, not "
        "dropped.",
        examples=[True],
    )
    school: str | None = Field(
        default=None,
        max_length=MAX_PLACE_NAME_CHARS,
        description="School, for school representatives' need-to-know access.",
        examples=["Kirstinebjergskolen"],
    )
    turns_18_on: date | None = Field(
        default=None,
        description="The day a minor turns 18 (from the CPR birth date; 29 February -> 1 March); "
        "null for adults. Only the 18th birthday leaves intake, for the scheduled PSP/KSP "
        "handover check (issue 14, part 4).",
        examples=["2027-03-12"],
    )
    served: bool = Field(
        default=True,
        description="False when the person lives in a municipality this deployment does not "
        "serve (a neighbouring municipality of the police district): recorded as not served, "
        "never routed, until `ssp reroute` routes them once the municipality is served.",
        examples=[True],
    )


class AcceptedIncident(ContractModel):
    """An accepted police incident, pseudonymised: no CPR, names, addresses or free text."""

    journal_number: KeyJournalNumber
    revision: Revision = Field(description="Revision of the incident.")
    source: IncidentSource
    police_district: str | None = Field(
        default=None,
        max_length=MAX_PLACE_NAME_CHARS,
        description="Reporting police district.",
        examples=["Sydøstjyllands Politi"],
    )
    reported_at: IncidentReportedAt
    occurred_at: IncidentTime
    offence_code: IncidentOffenceCode
    location_municipality_code: MunicipalityCode = Field(
        description="Municipality where the incident took place."
    )
    flags: IncidentFlags
    accepted_at: Timestamp = Field(
        description="When intake accepted the incident.", examples=["2026-11-16T08:12:01+01:00"]
    )
    persons: list[PseudonymousPerson] = Field(
        min_length=1,
        description="The persons, pseudonymised, in the order of the police incident.",
        examples=[
            [
                {
                    "person_key": "pk_9f2c4e1a7b3d5e6f",
                    "role": "sigtet",
                    "municipality_code": "607",
                    "age_at_incident": 16,
                    "in_scope": True,
                    "school": "Kirstinebjergskolen",
                }
            ]
        ],
    )


class PseudonymisedCaseEvent(ContractModel):
    """A case-register event with the CPR number replaced by the person_key."""

    event: CaseEvent
    case_id: CaseId = Field(description="Case id in the case system.")
    person_key: KeyPersonKey
    municipality_code: MunicipalityCode = Field(description="Municipality that owns the case.")
    team: CaseTeam = Field(description="Team that owns the case.")
    caseworker: CaseCaseworker = Field(description="Initials of the responsible caseworker.")
    at: CaseEventTime = Field(description="When the event took effect.")
