"""Out: routing decisions on ``ssp.triage.caseworker.v1`` / ``ssp.triage.tovholder.v1``
(contracts.md §4). One message per person in an incident, keyed by ``person_key``.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import Field

from shared.contracts.common import (
    ContractModel,
    JournalNumber,
    MunicipalityCode,
    PersonKey,
    Revision,
    Timestamp,
)
from shared.contracts.incidents import OffenceCode, Role

__all__ = [
    "ADULT_AGE",
    "ROUTES",
    "SEVERITIES",
    "WORKFLOWS",
    "Route",
    "RoutingDecision",
    "Severity",
    "Workflow",
    "workflow_for_age",
]

Route = Literal["caseworker", "tovholder"]
Workflow = Literal["minor", "adult"]
Severity = Literal["low", "medium", "high"]

ROUTES: tuple[Route, ...] = get_args(Route)
WORKFLOWS: tuple[Workflow, ...] = get_args(Workflow)
SEVERITIES: tuple[Severity, ...] = get_args(Severity)

ADULT_AGE = 18


def workflow_for_age(age: int) -> Workflow:
    """``minor`` under 18, else ``adult``."""
    return "minor" if age < ADULT_AGE else "adult"


class RoutingDecision(ContractModel):
    """Where one person of an incident was routed, and why."""

    decision_id: str = Field(
        min_length=1,
        description="Unique id of this decision.",
        examples=["0b8e4f8e-3c1e-4f7a-9d51-2f3b7a1c9e20"],
    )
    journal_number: JournalNumber = Field(
        description="Journal number of the incident.", examples=["3700-80123-00456-26"]
    )
    revision: Revision = Field(description="Revision of the incident decided on.", examples=[1])
    person_key: PersonKey = Field(
        description="Pseudonym of the person; the message key.", examples=["pk_9f2c4e1a7b3d5e6f"]
    )
    municipality_code: MunicipalityCode = Field(
        description="The person's residence municipality.", examples=["607"]
    )
    route: Route = Field(
        description="caseworker when the person has an active case at decision time, else "
        "tovholder.",
        examples=["tovholder"],
    )
    workflow: Workflow = Field(description="minor (under 18) | adult (18-25).", examples=["minor"])
    age_at_incident: int = Field(
        description="Age in full years on the date of occurred_at.", examples=[14]
    )
    role: Role = Field(description="The person's role in the incident.", examples=["sigtet"])
    offence_code: OffenceCode = Field(description="Offence category.", examples=["butikstyveri"])
    severity: Severity = Field(description="Assessed severity.", examples=["low"])
    reasons: list[str] = Field(
        description="Machine-readable codes of the rules that fired.",
        examples=[["no_active_case"]],
    )
    case_id: str | None = Field(
        default=None,
        description="The active case when route is caseworker, else null.",
        examples=[None, "DUBU-2026-001234"],
    )
    occurred_at: Timestamp = Field(
        description="When the incident happened.", examples=["2026-11-15T22:40:00+01:00"]
    )
    decided_at: Timestamp = Field(
        description="When the decision was made.", examples=["2026-11-16T08:12:03+01:00"]
    )
