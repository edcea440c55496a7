"""Revisions and handover (issue 4, parts 4-5) through triage's use cases and its outbox: a
higher revision publishes only what changed, withdraws removed persons, and a case opened after
tovholder routing hands the incident over to the caseworker."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from services.triage.adapters.publications import triage_publications
from services.triage.application.app import TriageApplication
from services.triage.application.service import TriageService
from services.triage.bootstrap import build_service
from services.triage.domain.incident_triage import IncidentTriage
from services.triage.domain.person_history import PersonHistory
from services.triage.domain.profiles import MunicipalityProfile
from services.triage.settings import TriageSettings
from shared.contracts import (
    TRIAGE_CASEWORKER,
    TRIAGE_STATEMENTS,
    TRIAGE_TOVHOLDER,
    TRIAGE_WITHDRAWALS,
)
from shared.eventstore import UnitOfWork, store_env
from tests.support import outbox
from tests.unit.triage.factories import (
    DECIDED_AT,
    JOURNAL,
    case_event,
    incident,
    person,
    profile,
)

CASE_AFTER_ROUTING = "2026-11-17T10:00:00+01:00"


@pytest.fixture
def app(settings: TriageSettings) -> Iterator[TriageApplication]:
    application = TriageApplication(env=store_env(settings, "triage"))
    yield application
    application.close()


@pytest.fixture
def service(settings: TriageSettings, app: TriageApplication) -> TriageService:
    return build_service(settings, app, clock=lambda: DECIDED_AT)


def published(app: TriageApplication) -> list[tuple[str, dict[str, Any]]]:
    return [(m.topic, json.loads(m.body())) for m in outbox(app, triage_publications)]


def test_a_revision_that_changes_nothing_publishes_no_decision_but_confirms_it(
    service: TriageService, app: TriageApplication
) -> None:
    """Issue 14, part 7: every revision leaves a current statement — the person's decision is
    confirmed for revision 2 on the statements topic, never as a decision (no letter task)."""
    [first] = service.triage_incident(incident(revision=1))
    assert service.triage_incident(incident(revision=2)) == []
    assert [(topic, d["decision_id"]) for topic, d in published(app)] == [
        (TRIAGE_TOVHOLDER, first.decision_id),
        (TRIAGE_STATEMENTS, first.decision_id),
    ]
    confirmed = published(app)[-1][1]
    assert (confirmed["statement"], confirmed["revision"]) == ("decision_confirmed", 2)
    latest = service.latest_triage(JOURNAL)
    assert latest is not None and latest.revision == 2
    assert [d.decision_id for d in latest.decisions] == [first.decision_id]
    triage = UnitOfWork(app).get(IncidentTriage, IncidentTriage.create_id(JOURNAL))
    assert triage is not None and triage.confirmed == {"pk_a": 2}


@pytest.mark.parametrize(
    ("changed", "what"),
    [
        ({"role": "forurettet"}, "role"),
        ({"age": 18}, "workflow"),
        ({"offence_code": "tyveri"}, "offence_code"),  # the same severity, another offence
    ],
)
def test_a_changed_person_gets_a_revised_decision_that_names_the_one_it_replaces(
    service: TriageService, changed: dict[str, Any], what: str
) -> None:
    [first] = service.triage_incident(incident(revision=1, persons=[person("pk_a", 17)]))
    age = changed.pop("age", 17)
    offence = changed.pop("offence_code", "butikstyveri")
    [revised] = service.triage_incident(
        incident(revision=2, offence_code=offence, persons=[person("pk_a", age, **changed)])
    )
    assert getattr(revised, what) != getattr(first, what)
    assert (revised.decision_kind, revised.revises_decision_id, revised.revision) == (
        "revised",
        first.decision_id,
        2,
    )
    assert revised.reasons[-1] == "revision_changed"
    assert revised.decision_id != first.decision_id
    assert (revised.workflow == "adult") is (revised.age_at_incident >= 18)


def test_a_new_person_in_a_revision_gets_an_initial_decision(service: TriageService) -> None:
    service.triage_incident(incident(revision=1, persons=[person("pk_a")]))
    decisions = service.triage_incident(
        incident(revision=2, persons=[person("pk_a"), person("pk_b")])
    )
    assert [(d.person_key, d.decision_kind, d.revision) for d in decisions] == [
        ("pk_b", "initial", 2)
    ]


def test_removed_and_out_of_scope_persons_are_withdrawn(
    service: TriageService, app: TriageApplication
) -> None:
    first = service.triage_incident(
        incident(revision=1, persons=[person("pk_a"), person("pk_b"), person("pk_c")])
    )
    ids = {d.person_key: d.decision_id for d in first}
    assert (
        service.triage_incident(incident(revision=2, persons=[person("pk_a"), person("pk_c", 26)]))
        == []
    )
    withdrawals = [d for topic, d in published(app) if topic == TRIAGE_WITHDRAWALS]
    assert [
        (w["person_key"], w["decision_id"], w["revision"], w["reason"]) for w in withdrawals
    ] == [
        ("pk_b", ids["pk_b"], 2, "person_removed_from_incident"),
        ("pk_c", ids["pk_c"], 2, "person_out_of_scope"),
    ]
    latest = service.latest_triage(JOURNAL)
    assert latest is not None and [d.person_key for d in latest.decisions] == ["pk_a"]
    history = UnitOfWork(app).get(PersonHistory, PersonHistory.create_id("pk_b"))
    assert history is not None and JOURNAL not in history.reports
    # back in a later revision: a fresh initial decision
    [back] = service.triage_incident(incident(revision=3, persons=[person("pk_a"), person("pk_b")]))
    assert (back.person_key, back.decision_kind, back.revises_decision_id) == (
        "pk_b",
        "initial",
        None,
    )


def test_a_case_opened_after_tovholder_routing_hands_over_to_the_caseworker(
    service: TriageService, app: TriageApplication
) -> None:
    [tovholder] = service.triage_incident(incident(revision=1))
    assert service.register_case_event(case_event("case_opened", at=CASE_AFTER_ROUTING))
    handovers = [(topic, d) for topic, d in published(app) if d.get("decision_kind") == "handover"]
    assert len(handovers) == 1
    topic, handover = handovers[0]
    assert topic == TRIAGE_CASEWORKER
    fredericia = profile("607")
    assert handover["route"] == "caseworker"
    assert handover["case_id"] == "DUBU-2026-001234"
    assert handover["revises_decision_id"] == tovholder.decision_id
    assert handover["reasons"][0] == "active_case" and "no_active_case" not in handover["reasons"]
    assert handover["reasons"][-1] == "case_opened_after_routing"
    owner = fredericia.owner(
        route="caseworker",
        severity=tovholder.severity,
        workflow=tovholder.workflow,
        repeat=False,
        district=tovholder.district,
        case_team="Børn og Familie Team Nord",
    )
    assert (handover["owner_role"], handover["owner_team"]) == (owner.role, owner.team)
    reported_at = incident().reported_at
    due = reported_at + fredericia.deadlines_hours.due_after("caseworker", tovholder.severity)
    assert datetime.fromisoformat(handover["due_at"]) == due
    latest = service.latest_triage(JOURNAL)
    assert latest is not None and [d.decision_kind for d in latest.decisions] == ["handover"]
    # the same case event again, or another revision that changes nothing: nothing new
    assert not service.register_case_event(case_event("case_opened", at=CASE_AFTER_ROUTING))
    assert service.triage_incident(incident(revision=2)) == []
    assert sum(1 for _, d in published(app) if d.get("decision_kind") == "handover") == 1


def test_a_case_opened_after_the_handover_window_changes_nothing(
    service: TriageService, app: TriageApplication
) -> None:
    service.triage_incident(incident(revision=1))
    window = profile("607").handover_window
    late = (DECIDED_AT + window + timedelta(hours=1)).isoformat()
    assert service.register_case_event(case_event("case_opened", at=late))
    assert [topic for topic, _ in published(app)] == [TRIAGE_TOVHOLDER]
    # a later revision re-evaluates the person and finds the case: a revised decision
    [revised] = service.triage_incident(incident(revision=2))
    assert (revised.route, revised.decision_kind) == ("caseworker", "revised")


def test_a_case_for_a_person_routed_to_the_caseworker_is_no_handover(
    service: TriageService, app: TriageApplication
) -> None:
    service.register_case_event(case_event("case_opened", at="2026-10-01T09:00:00+02:00"))
    service.triage_incident(incident(revision=1))
    service.register_case_event(case_event("case_opened", case_id="DUBU-2", at=CASE_AFTER_ROUTING))
    assert [topic for topic, _ in published(app)] == [TRIAGE_CASEWORKER]


def test_handover_reaches_every_open_incident_of_the_person(
    service: TriageService, app: TriageApplication
) -> None:
    service.triage_incident(incident(revision=1))
    service.triage_incident(incident(revision=1, journal_number="3700-80123-00457-26"))
    service.register_case_event(case_event("case_opened", at=CASE_AFTER_ROUTING))
    handed = sorted(
        d["journal_number"] for _, d in published(app) if d["decision_kind"] == "handover"
    )
    assert handed == [JOURNAL, "3700-80123-00457-26"]


def test_the_handover_window_is_validated() -> None:
    document = profile("default").model_dump()
    assert MunicipalityProfile.model_validate(document).handover_window_days == 30
    with pytest.raises(ValidationError):
        MunicipalityProfile.model_validate({**document, "handover_window_days": -1})


def test_a_stream_stored_before_revisions_were_re_evaluated_replays_as_it_did() -> None:
    """Such streams have RevisionReceived without reported_at, and each revision decided
    everyone afresh: replayed, only the last revision's decisions are current."""
    old = IncidentTriage(JOURNAL)
    for revision, keys in ((1, ["pk_a", "pk_b"]), (2, ["pk_b"])):
        old.receive_revision(revision=revision)
        for key in keys:
            old.record_decision(decision={"person_key": key, "revision": revision})
    copy = None
    for e in old.collect_events():
        copy = e.mutate(copy)
    assert isinstance(copy, IncidentTriage)
    assert copy.decisions == {"pk_b": {"person_key": "pk_b", "revision": 2}}
