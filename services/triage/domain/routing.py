"""The routing rules (contracts.md §4): a pure function from one person of an incident and
their active case, if any, to a routing decision.

Every rule that fires adds a machine-readable reason, so a person can see why they were routed
as they were. Municipality profiles will later vary these rules; keep them in this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import NAMESPACE_URL, uuid5

from shared.contracts import (
    AcceptedIncident,
    Flag,
    OffenceCode,
    PseudonymousPerson,
    Route,
    RoutingDecision,
    Severity,
    workflow_for_age,
)

_DECISIONS = uuid5(NAMESPACE_URL, "urn:ssp:triage:decisions")

SEVERITY_BY_OFFENCE: Mapping[OffenceCode, Severity] = {
    "vold": "high",
    "roeveri": "high",
    "vaaben": "high",
    "seksualforbrydelse": "high",
    "brandstiftelse": "high",
    "indbrud": "medium",
    "narkotika": "medium",
    "trusler": "medium",
    "haervaerk": "medium",
    "digital_kraenkelse": "medium",
    "butikstyveri": "low",
    "tyveri": "low",
    "faerdsel": "low",
    "ordensforstyrrelse": "low",
    "andet": "low",
}

#: Gang, extremism and weapons make any incident serious, whatever the offence.
RAISING_FLAGS: frozenset[Flag] = frozenset({"bande", "ekstremisme", "vaaben"})

ACTIVE_CASE = "active_case"
NO_ACTIVE_CASE = "no_active_case"
ADULT_WORKFLOW = "adult_workflow"
SEVERITY_RAISED_BY_FLAG = "severity_raised_by_flag"


@dataclass(frozen=True)
class ActiveCase:
    """A social-services case open for the person when the decision is made."""

    case_id: str
    municipality_code: str


def decision_id_for(journal_number: str, revision: int, person_key: str) -> str:
    """Deterministic, so a re-triaged revision could never yield a second id for a person."""
    return str(uuid5(_DECISIONS, f"{journal_number}|{revision}|{person_key}"))


def assess_severity(offence_code: OffenceCode, flags: list[Flag]) -> tuple[Severity, list[str]]:
    severity = SEVERITY_BY_OFFENCE[offence_code]
    if severity != "high" and RAISING_FLAGS.intersection(flags):
        return "high", [SEVERITY_RAISED_BY_FLAG]
    return severity, []


def route_person(
    person: PseudonymousPerson,
    incident: AcceptedIncident,
    active_case: ActiveCase | None,
    decided_at: datetime,
) -> RoutingDecision:
    route: Route = "caseworker" if active_case is not None else "tovholder"
    reasons = [ACTIVE_CASE if active_case is not None else NO_ACTIVE_CASE]
    workflow = workflow_for_age(person.age_at_incident)
    if workflow == "adult":
        reasons.append(ADULT_WORKFLOW)
    severity, severity_reasons = assess_severity(incident.offence_code, incident.flags)
    reasons += severity_reasons
    return RoutingDecision(
        decision_id=decision_id_for(incident.journal_number, incident.revision, person.person_key),
        journal_number=incident.journal_number,
        revision=incident.revision,
        person_key=person.person_key,
        municipality_code=person.municipality_code,
        route=route,
        workflow=workflow,
        age_at_incident=person.age_at_incident,
        role=person.role,
        offence_code=incident.offence_code,
        severity=severity,
        reasons=reasons,
        case_id=active_case.case_id if active_case is not None else None,
        occurred_at=incident.occurred_at,
        decided_at=decided_at,
    )
