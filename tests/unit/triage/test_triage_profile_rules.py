"""Rule tables per shipped profile: a week of each municipality's incidents, routed the way its
seed document describes (severity, owner role and team, deadline from police registration)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from services.triage.domain.routing import ActiveCase, PersonFacts, Report, route_person
from shared.contracts import PseudonymousPerson, RoutingDecision
from tests.unit.triage.factories import DECIDED_AT, PROFILES, incident, journal, person

UNCONFIGURED = "999"


@dataclass(frozen=True)
class Case:
    """One row: the incident and person, and what the profile must decide."""

    offence: str
    severity: str
    owner_role: str
    owner_team: str | None
    due_hours: int
    flags: tuple[str, ...] = ()
    age: int = 14
    school: str | None = None
    case_team: str | None = None  # an active case with this team (None: no active case)
    active_case: bool = False
    earlier_days: tuple[int, ...] = ()  # earlier reports, days before this one
    reasons: tuple[str, ...] = field(default=())  # reasons that must be among the decision's


def decide(code: str, row: Case) -> RoutingDecision:
    """Decided by the profile the book picks for the person's municipality ("default": one
    without a profile)."""
    municipality = UNCONFIGURED if code == "default" else code
    subject = PseudonymousPerson.model_validate(
        person("pk_a", row.age, municipality_code=municipality, school=row.school)
    )
    source = incident(offence_code=row.offence, flags=list(row.flags))
    earlier = tuple(
        Report(journal(i), 1, source.occurred_at - timedelta(days=d), "sigtet", "tyveri")
        for i, d in enumerate(row.earlier_days, start=1)
    )
    case = (
        ActiveCase("DUBU-1", municipality, row.case_team)
        if row.active_case or row.case_team
        else None
    )
    facts = PersonFacts(active_case=case, earlier_reports=earlier)
    chosen = PROFILES.for_municipality(municipality)
    return route_person(subject, source, facts, chosen, DECIDED_AT)


def check(code: str, row: Case) -> None:
    decision = decide(code, row)
    got: dict[str, Any] = {
        "severity": decision.severity,
        "owner_role": decision.owner_role,
        "owner_team": decision.owner_team,
        "due_hours": (decision.due_at - incident().reported_at) / timedelta(hours=1)
        if decision.due_at
        else None,
    }
    assert got == {
        "severity": row.severity,
        "owner_role": row.owner_role,
        "owner_team": row.owner_team,
        "due_hours": row.due_hours,
    }
    assert set(row.reasons) <= set(decision.reasons)
    assert decision.profile == code


# Fredericia (seed 000): one SSP tovholder owns every youth without an active case; with a case,
# the team leader passes it to the caseworker of the case's team.
FREDERICIA = [
    Case("butikstyveri", "low", "tovholder", "SSP-tovholder", 168),
    Case("haervaerk", "medium", "tovholder", "SSP-tovholder", 72),
    Case("vold", "high", "tovholder", "SSP-tovholder", 24),
    Case("tyveri", "medium", "tovholder", "SSP-tovholder", 72, flags=("rusmidler",)),
    Case("butikstyveri", "low", "caseworker", "Team Syd", 240, case_team="Team Syd"),
    Case("vold", "high", "caseworker", "Myndighed (teamleder)", 48, active_case=True),
    Case(
        "tyveri",
        "medium",
        "tovholder",
        "SSP-tovholder",
        72,
        earlier_days=(30, 90),
        reasons=("repeat_within_window",),
    ),
]

# Guldborgsund (seed 001): sorted by existing caseworker / new case and by severity; new cases
# go to the SSP consultants, serious ones to the police's SSP coordinator; any second report
# within a year is a repeat.
GULDBORGSUND = [
    Case("butikstyveri", "low", "tovholder", "SSP-konsulenterne", 168),
    Case("trusler", "medium", "tovholder", "SSP-konsulenterne", 96),
    Case(
        "roeveri",
        "high",
        "police_ssp_coordinator",
        "Politiets SSP-koordinator og SSP-konsulenterne",
        24,
    ),
    Case(
        "tyveri",
        "high",
        "police_ssp_coordinator",
        "Politiets SSP-koordinator og SSP-konsulenterne",
        24,
        flags=("bande",),
        age=16,
        reasons=("severity_raised_by_flag",),
    ),
    Case("haervaerk", "medium", "caseworker", "Børn og Familie", 120, active_case=True),
    Case(
        "butikstyveri",
        "medium",
        "tovholder",
        "SSP-konsulenterne",
        96,
        earlier_days=(300,),
        reasons=("repeat_within_window",),
    ),
    Case("butikstyveri", "low", "tovholder", "SSP-konsulenterne", 168, earlier_days=(400,)),
]

# Herning (seed 003): the district's SSP worker (nord, midt, syd) by the person's school; the
# SSP leader when the school is unknown; Børn og Forebyggelse for active cases.
NORD, MIDT, SYD = (f"SSP-medarbejder distrikt {d}" for d in ("nord", "midt", "syd"))
SSP_LEADER = "Leder af SSP, UngHerning"
HERNING = [
    Case("butikstyveri", "low", "tovholder", NORD, 168, school="Sunds Skole"),
    Case("haervaerk", "medium", "tovholder", MIDT, 72, school="Gullestrup Skole"),
    Case("vold", "high", "tovholder", SYD, 24, school="Kibæk Skole"),
    Case("tyveri", "low", "tovholder", SSP_LEADER, 168),
    Case("tyveri", "low", "tovholder", SSP_LEADER, 168, school="Ukendt Skole"),
    Case("narkotika", "medium", "caseworker", "Børn og Forebyggelse (CBF)", 120, active_case=True),
    Case(
        "faerdsel", "medium", "tovholder", MIDT, 72, flags=("rusmidler",), school="Skalmejeskolen"
    ),
    Case(
        "andet", "high", "tovholder", NORD, 24, flags=("bande",), age=19, school="Vildbjerg Skole"
    ),
]

# Glostrup (seed 002): the crime-prevention worker chairs the case meetings every 2-4 weeks.
GLOSTRUP = [
    Case("butikstyveri", "low", "tovholder", "Kriminalpræventiv medarbejder", 336),
    Case("indbrud", "medium", "tovholder", "Kriminalpræventiv medarbejder", 96),
    Case("vold", "high", "tovholder", "Kriminalpræventiv medarbejder", 24),
    Case("tyveri", "low", "tovholder", "Kriminalpræventiv medarbejder", 336, flags=("rusmidler",)),
    Case("trusler", "medium", "caseworker", "Familieafsnittet", 168, active_case=True),
]

# Vejen (seed 004): the SSP team of consultants; abuse, burglary, digital offences and drugs
# are priority areas.
SSP_TEAM = "SSP-teamet (SSP-konsulenterne)"
VEJEN = [
    Case("butikstyveri", "low", "tovholder", SSP_TEAM, 120),
    Case("seksualforbrydelse", "high", "tovholder", SSP_TEAM, 24),
    Case("digital_kraenkelse", "medium", "tovholder", SSP_TEAM, 72),
    Case("tyveri", "medium", "tovholder", SSP_TEAM, 72, flags=("rusmidler",)),
    Case("indbrud", "medium", "caseworker", "Familieafdelingen", 120, active_case=True),
    Case("vold", "high", "caseworker", "Familieafdelingen", 48, age=20, active_case=True),
]

# A municipality without a profile: the documented default, and the reason says so.
DEFAULT = [
    Case("butikstyveri", "low", "tovholder", None, 120, reasons=("default_profile",)),
    Case("vold", "high", "caseworker", "Team X", 48, case_team="Team X"),
    Case("tyveri", "low", "tovholder", None, 120, flags=("rusmidler",)),
]

TABLES = {
    "607": FREDERICIA,
    "376": GULDBORGSUND,
    "657": HERNING,
    "161": GLOSTRUP,
    "575": VEJEN,
    "default": DEFAULT,
}


@pytest.mark.parametrize(
    ("code", "row"),
    [(code, row) for code, rows in TABLES.items() for row in rows],
    ids=[
        f"{code}-{i}-{row.offence}" for code, rows in TABLES.items() for i, row in enumerate(rows)
    ],
)
def test_profile_rule_table(code: str, row: Case) -> None:
    check(code, row)


@pytest.mark.parametrize("code", ["607", "376", "657", "161", "575", "default"])
@pytest.mark.parametrize(("age", "workflow"), [(14, "minor"), (17, "minor"), (18, "adult")])
def test_no_profile_changes_route_or_workflow(code: str, age: int, workflow: str) -> None:
    with_case = decide(code, Case("vold", "high", "", None, 0, age=age, active_case=True))
    without = decide(code, Case("vold", "high", "", None, 0, age=age))
    assert (with_case.route, without.route) == ("caseworker", "tovholder")
    assert with_case.workflow == without.workflow == workflow
    assert with_case.youth_letter_age == 15
