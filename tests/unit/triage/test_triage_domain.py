"""The aggregates: given events, a command, the events it records (or the error it raises)."""

from __future__ import annotations

from typing import Any

import pytest

from services.triage.domain.case_register import PersonCaseRegister
from services.triage.domain.incident_triage import IncidentTriage, RevisionNotNewer
from services.triage.domain.routing import ActiveCase, PersonFacts
from tests.unit.triage.factories import (
    DECIDED_AT,
    JOURNAL,
    PROFILES,
    case_event,
    incident,
    person,
)

T1 = "2026-10-01T09:00:00+02:00"
T2 = "2026-10-02T09:00:00+02:00"
T3 = "2026-10-03T09:00:00+02:00"


def event_names(aggregate: Any) -> list[str]:
    return [type(e).__name__ for e in aggregate.collect_events()]


def register(*events: Any) -> PersonCaseRegister:
    """A register given these case events, with its pending events already collected."""
    aggregate = PersonCaseRegister("pk_a")
    for e in events:
        aggregate.apply(e)
    aggregate.collect_events()
    return aggregate


def replayed(aggregate: Any) -> Any:
    """The aggregate rebuilt from its events, as the repository would."""
    events = aggregate.collect_events()
    copy = None
    for e in events:
        copy = e.mutate(copy)
    return copy


# --- PersonCaseRegister -------------------------------------------------------------------


def test_opened_case_is_active_until_closed() -> None:
    cases = register(case_event("case_opened", at=T1))
    assert cases.active_case("607") == ActiveCase(
        "DUBU-2026-001234", "607", "Børn og Familie Team Nord"
    )
    cases.apply(case_event("case_closed", at=T2))
    assert event_names(cases) == ["CaseClosed"]
    assert cases.active_case("607") is None


def test_a_closed_case_can_be_reopened() -> None:
    cases = register(case_event("case_opened", at=T1), case_event("case_closed", at=T2))
    cases.apply(case_event("case_opened", at=T3))
    assert event_names(cases) == ["CaseOpened"]
    assert cases.active_case("607") is not None


def test_an_event_applied_before_changes_nothing() -> None:
    cases = register(case_event("case_opened", at=T1), case_event("case_closed", at=T2))
    assert cases.apply(case_event("case_opened", at=T1)) is False
    assert event_names(cases) == []
    assert cases.active_case("607") is None


def test_a_late_older_opening_does_not_reopen_a_closed_case() -> None:
    cases = register(case_event("case_closed", at=T2))
    assert cases.apply(case_event("case_opened", at=T1)) is True
    assert cases.active_case("607") is None


def test_caseworker_change_keeps_the_case_active() -> None:
    cases = register(case_event("case_opened", at=T1))
    cases.apply(case_event("caseworker_changed", at=T2, caseworker="KLM"))
    assert event_names(cases) == ["CaseworkerChanged"]
    assert cases.active_case("607") is not None
    assert cases.cases["DUBU-2026-001234"].caseworker == "KLM"


def test_own_municipality_case_is_preferred_then_the_latest_opened() -> None:
    cases = register(
        case_event("case_opened", case_id="A", at=T1),
        case_event("case_opened", case_id="B", at=T2),
        case_event("case_opened", case_id="C", at=T3, municipality_code="376"),
    )
    assert cases.active_case("607") == ActiveCase("B", "607", "Børn og Familie Team Nord")
    assert cases.active_case("376") == ActiveCase("C", "376", "Børn og Familie Team Nord")


def test_register_rebuilt_from_its_events_has_the_same_state() -> None:
    cases = PersonCaseRegister("pk_a")
    cases.apply(case_event("case_opened", at=T1))
    cases.apply(case_event("case_closed", at=T2))
    cases.apply(case_event("case_opened", case_id="X", at=T3))
    copy = replayed(cases)
    assert copy.id == PersonCaseRegister.create_id("pk_a")
    assert copy.active_case("607") == ActiveCase("X", "607", "Børn og Familie Team Nord")
    assert copy.apply(case_event("case_closed", at=T2)) is False


# --- IncidentTriage -----------------------------------------------------------------------


def test_new_revision_records_one_decision_per_in_scope_person() -> None:
    triage = IncidentTriage(JOURNAL)
    decisions = triage.triage(
        incident(persons=[person("pk_a", 14), person("pk_b", 40), person("pk_c", 20)]),
        {"pk_c": PersonFacts(active_case=ActiveCase("DUBU-1", "607"))},
        PROFILES,
        DECIDED_AT,
    )
    assert event_names(triage) == [
        "Opened",
        "RevisionReceived",
        "PersonRouted",
        "PersonOutOfScope",
        "PersonRouted",
    ]
    assert [(d.person_key, d.route) for d in decisions] == [
        ("pk_a", "tovholder"),
        ("pk_c", "caseworker"),
    ]
    assert triage.out_of_scope == {"pk_b": 40}
    # kept so the API shows an out-of-scope person to their own municipality only
    assert triage.out_of_scope_municipalities == {"pk_b": "607"}


def test_revision_not_higher_than_the_last_is_refused() -> None:
    triage = IncidentTriage(JOURNAL)
    triage.triage(incident(revision=2), {}, PROFILES, DECIDED_AT)
    triage.collect_events()
    for revision in (1, 2):
        with pytest.raises(RevisionNotNewer):
            triage.triage(incident(revision=revision), {}, PROFILES, DECIDED_AT)
    assert event_names(triage) == []


def test_higher_revision_keeps_unchanged_decisions_and_withdraws_removed_persons() -> None:
    triage = IncidentTriage(JOURNAL)
    triage.triage(incident(persons=[person("pk_a"), person("pk_b")]), {}, PROFILES, DECIDED_AT)
    triage.collect_events()
    triage.triage(incident(revision=2, persons=[person("pk_b")]), {}, PROFILES, DECIDED_AT)
    assert event_names(triage) == ["RevisionReceived", "DecisionUnchanged", "PersonWithdrawn"]
    assert [(d.person_key, d.revision) for d in triage.latest_decisions()] == [("pk_b", 1)]


def test_a_person_listed_twice_gets_one_decision() -> None:
    triage = IncidentTriage(JOURNAL)
    twice = [person("pk_a", role="sigtet"), person("pk_a", role="forurettet")]
    decisions = triage.triage(incident(persons=twice), {}, PROFILES, DECIDED_AT)
    assert [d.role for d in decisions] == ["sigtet"]


def test_triage_rebuilt_from_its_events_has_the_same_decisions() -> None:
    triage = IncidentTriage(JOURNAL)
    triage.triage(incident(persons=[person("pk_a"), person("pk_b", 30)]), {}, PROFILES, DECIDED_AT)
    triage.triage(incident(revision=3), {}, PROFILES, DECIDED_AT)
    copy = replayed(triage)
    assert copy.revision == 3
    assert copy.latest_decisions() == triage.latest_decisions()
    assert copy.out_of_scope == {}


def test_persons_of_one_incident_are_linked_on_each_decision() -> None:
    triage = IncidentTriage(JOURNAL)
    decisions = triage.triage(
        incident(persons=[person("pk_a"), person("pk_b"), person("pk_old", 40), person("pk_a")]),
        {},
        PROFILES,
        DECIDED_AT,
    )
    assert {d.person_key: d.co_registered_person_keys for d in decisions} == {
        "pk_a": ["pk_b", "pk_old"],
        "pk_b": ["pk_a", "pk_old"],
    }


def test_each_person_is_decided_by_the_profile_of_their_own_municipality() -> None:
    triage = IncidentTriage(JOURNAL)
    decisions = triage.triage(
        incident(
            persons=[
                person("pk_a", municipality_code="657", school="Sunds Skole"),
                person("pk_b", municipality_code="607"),
                person("pk_c", municipality_code="999"),
            ]
        ),
        {},
        PROFILES,
        DECIDED_AT,
    )
    assert [(d.profile, d.owner_team, "default_profile" in d.reasons) for d in decisions] == [
        ("657", "SSP-medarbejder distrikt nord", False),
        ("607", "SSP-tovholder", False),
        ("default", None, True),
    ]
