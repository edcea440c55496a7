"""The routing rules as a pure function (contracts.md §4), with a municipality profile."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from services.triage.domain.profiles import MunicipalityProfile
from services.triage.domain.routing import (
    ActiveCase,
    PersonFacts,
    Report,
    assess_severity,
    decision_id_for,
    route_person,
)
from shared.contracts import PseudonymousPerson, RoutingDecision
from tests.unit.triage.factories import DECIDED_AT, JOURNAL, incident, person, profile

CASE = ActiveCase(case_id="DUBU-2026-001234", municipality_code="607", team="Team Nord")
FREDERICIA = profile("607")


def decide(
    active_case: ActiveCase | None = None,
    age: int = 14,
    rules: MunicipalityProfile = FREDERICIA,
    earlier: tuple[Report, ...] = (),
    person_fields: dict[str, Any] | None = None,
    **incident_fields: Any,
) -> RoutingDecision:
    subject = PseudonymousPerson.model_validate(person("pk_a", age, **(person_fields or {})))
    facts = PersonFacts(active_case=active_case, earlier_reports=earlier)
    return route_person(subject, incident(**incident_fields), facts, rules, DECIDED_AT)


@pytest.mark.parametrize(
    ("active_case", "route", "case_id", "reason"),
    [
        (CASE, "caseworker", CASE.case_id, "active_case"),
        (None, "tovholder", None, "no_active_case"),
    ],
)
def test_route_follows_the_active_case(
    active_case: ActiveCase | None, route: str, case_id: str | None, reason: str
) -> None:
    decision = decide(active_case)
    assert (decision.route, decision.case_id, decision.reasons) == (route, case_id, [reason])


@pytest.mark.parametrize(
    ("age", "workflow", "reasons"),
    [
        (0, "minor", ["no_active_case"]),
        (17, "minor", ["no_active_case"]),
        (18, "adult", ["no_active_case", "adult_workflow"]),
        (25, "adult", ["no_active_case", "adult_workflow"]),
    ],
)
def test_workflow_turns_adult_at_18(age: int, workflow: str, reasons: list[str]) -> None:
    decision = decide(age=age)
    assert (decision.workflow, decision.age_at_incident, decision.reasons) == (
        workflow,
        age,
        reasons,
    )


@pytest.mark.parametrize(
    ("offence", "flags", "severity", "raised"),
    [
        ("butikstyveri", [], "low", False),
        ("faerdsel", ["rusmidler", "gentagelse"], "low", False),
        ("indbrud", [], "medium", False),
        ("digital_kraenkelse", [], "medium", False),
        ("vold", [], "high", False),
        ("seksualforbrydelse", [], "high", False),
        ("butikstyveri", ["bande"], "high", True),
        ("narkotika", ["ekstremisme"], "high", True),
        ("andet", ["vaaben"], "high", True),
        ("roeveri", ["vaaben"], "high", False),  # already high: the flag changed nothing
    ],
)
def test_default_profile_severity_by_offence_and_raising_flags(
    offence: str, flags: list[str], severity: str, raised: bool
) -> None:
    decision = decide(rules=profile("default"), offence_code=offence, flags=flags)
    assert decision.severity == severity
    assert ("severity_raised_by_flag" in decision.reasons) is raised


def test_a_flag_never_lowers_the_severity() -> None:
    rules = FREDERICIA.severity
    assert rules.flags["rusmidler"] == "medium"
    assert assess_severity(rules, "vold", ["rusmidler"]) == ("high", [])
    assert assess_severity(rules, "tyveri", ["rusmidler"]) == (
        "medium",
        ["severity_raised_by_flag"],
    )


def test_reasons_accumulate_in_rule_order() -> None:
    earlier = tuple(
        Report(
            f"3700-80123-0000{i}-26", 1, DECIDED_AT - timedelta(days=10 * i), "sigtet", "tyveri", 17
        )
        for i in (1, 2)
    )
    decision = decide(CASE, age=19, rules=profile("default"), earlier=earlier, flags=["bande"])
    assert decision.reasons == [
        "active_case",
        "adult_workflow",
        "severity_raised_by_flag",
        "repeat_within_window",
        "default_profile",
        "exit_referral",
        "reached_18_with_open_item",
    ]


def test_decision_copies_the_incident_and_is_stamped_with_the_clock() -> None:
    decision = decide()
    source = incident()
    assert decision.decision_id == decision_id_for(JOURNAL, 1, "pk_a")
    assert UUID(decision.decision_id).version == 5
    assert decision.journal_number == JOURNAL and decision.revision == 1
    assert decision.municipality_code == "607" and decision.role == "sigtet"
    assert decision.offence_code == "butikstyveri"
    assert decision.occurred_at == source.occurred_at
    assert decision.decided_at == DECIDED_AT


def test_decision_names_profile_owner_deadline_and_youth_letter_age() -> None:
    decision = decide()
    assert (decision.profile, decision.owner_role, decision.owner_team) == (
        "607",
        "tovholder",
        "SSP-tovholder",
    )
    # reported_at plus Fredericia's tovholder deadline for a low severity (168 hours)
    assert decision.due_at == incident().reported_at + timedelta(hours=168)
    assert decision.youth_letter_age == 15
    assert decision.history is not None and decision.history.earlier_reports == 0


def test_caseworker_route_is_owned_by_the_team_of_the_case() -> None:
    decision = decide(CASE)
    assert (decision.owner_role, decision.owner_team) == ("caseworker", "Team Nord")
    no_team = decide(ActiveCase("DUBU-1", "607"))
    assert no_team.owner_team == "Myndighed (teamleder)"  # the profile's fallback


def test_decision_id_is_deterministic_per_journal_revision_and_person() -> None:
    assert decision_id_for(JOURNAL, 1, "pk_a") == decision_id_for(JOURNAL, 1, "pk_a")
    ids = {
        decision_id_for(JOURNAL, 1, "pk_a"),
        decision_id_for(JOURNAL, 2, "pk_a"),
        decision_id_for(JOURNAL, 1, "pk_b"),
        decision_id_for("3700-80123-00457-26", 1, "pk_a"),
    }
    assert len(ids) == 4
