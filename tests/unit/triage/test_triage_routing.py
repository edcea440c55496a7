"""The routing rules as a pure function (contracts.md §4)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from services.triage.domain.routing import (
    SEVERITY_BY_OFFENCE,
    ActiveCase,
    assess_severity,
    decision_id_for,
    route_person,
)
from shared.contracts import PseudonymousPerson
from tests.unit.triage.factories import DECIDED_AT, JOURNAL, incident, person

CASE = ActiveCase(case_id="DUBU-2026-001234", municipality_code="607")


def decide(active_case: ActiveCase | None = None, age: int = 14, **incident_fields: Any) -> Any:
    subject = PseudonymousPerson.model_validate(person("pk_a", age))
    return route_person(subject, incident(**incident_fields), active_case, DECIDED_AT)


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
def test_severity_by_offence_and_raising_flags(
    offence: str, flags: list[str], severity: str, raised: bool
) -> None:
    decision = decide(offence_code=offence, flags=flags)
    assert decision.severity == severity
    assert ("severity_raised_by_flag" in decision.reasons) is raised


def test_every_offence_code_has_a_severity() -> None:
    from shared.contracts.incidents import OFFENCE_CODES

    assert set(SEVERITY_BY_OFFENCE) == set(OFFENCE_CODES)
    assert assess_severity("tyveri", []) == ("low", [])


def test_reasons_accumulate_in_rule_order() -> None:
    decision = decide(CASE, age=19, flags=["bande"])
    assert decision.reasons == ["active_case", "adult_workflow", "severity_raised_by_flag"]


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


def test_decision_id_is_deterministic_per_journal_revision_and_person() -> None:
    assert decision_id_for(JOURNAL, 1, "pk_a") == decision_id_for(JOURNAL, 1, "pk_a")
    ids = {
        decision_id_for(JOURNAL, 1, "pk_a"),
        decision_id_for(JOURNAL, 2, "pk_a"),
        decision_id_for(JOURNAL, 1, "pk_b"),
        decision_id_for("3700-80123-00457-26", 1, "pk_a"),
    }
    assert len(ids) == 4
