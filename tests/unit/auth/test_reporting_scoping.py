"""Reporting's rows, scoped by the policy: the police see no social-services details,
operations trace without person keys, municipal staff trace only their own persons, school
representatives see only pupils of their own schools, management only aggregates."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.reporting.application.queries import ReportingQueries
from services.reporting.domain.weeks import IsoWeek
from shared.auth import Principal
from tests.unit.auth.support import (
    IN,
    JOURNAL_IN,
    JOURNAL_OUT,
    OUT,
    PK_IN,
    PK_OUT,
    SCHOOL,
    WEEK,
    ServiceUnderTest,
    headers,
    reporting_under_test,
)

SOCIAL_SERVICES_FIELDS = (
    "route",
    "owner_role",
    "letter_task_status",
    "letter_kind",
    "due_at",
    "decision_kind",
    "owner_team",
    "district",
    "earlier_reports",
    "repeat",
    "psp_ksp_handover",
    "exit_referral",
)


@pytest.fixture(scope="module")
def reporting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceUnderTest]:
    with reporting_under_test(tmp_path_factory.mktemp("reporting")) as served:
        yield served


def test_coordinators_see_the_whole_row(reporting: ServiceUnderTest) -> None:
    [row] = reporting.client.get(f"/v1/handover/{IN}/{WEEK}", headers=headers("tovholder")).json()[
        "persons"
    ]
    assert (row["person_key"], row["route"], row["owner_role"]) == (PK_IN, "tovholder", "tovholder")
    assert row["reasons"] == ["no_active_case"]


def test_the_police_see_no_social_services_details(reporting: ServiceUnderTest) -> None:
    for municipality in (IN, OUT):
        police = headers("police_coordinator", municipalities=[municipality])
        [row] = reporting.client.get(f"/v1/handover/{municipality}/{WEEK}", headers=police).json()[
            "persons"
        ]
        assert all(row[field] is None for field in SOCIAL_SERVICES_FIELDS), row
        assert row["reasons"] == []
        assert (row["offence_code"], row["age_at_incident"]) == (
            "butikstyveri",
            14 if municipality == IN else 15,
        )


def test_operations_trace_without_person_keys(reporting: ServiceUnderTest) -> None:
    trace = reporting.client.get(f"/v1/trace/{JOURNAL_IN}", headers=headers("operations")).json()
    assert [s["step"] for s in trace["steps"]] == ["incident_accepted", "routed_tovholder"]
    assert all(s["person_key"] is None for s in trace["steps"])
    assert PK_IN not in str(trace)
    [entry] = reporting.audit.search(subject="user-operations")[-1:]
    assert entry.person_keys == ()  # nothing about a person was shown


def test_an_auditor_traces_every_journal_with_its_person_keys(
    reporting: ServiceUnderTest,
) -> None:
    auditor = headers("auditor", municipalities=[])
    for journal in (JOURNAL_IN, JOURNAL_OUT):
        answer = reporting.client.get(f"/v1/trace/{journal}", headers=auditor)
        assert answer.status_code == 200
        assert any(s["person_key"] for s in answer.json()["steps"])
    [entry] = reporting.audit.search(subject="user-auditor")[-1:]
    assert entry.action == "trace.read" and entry.person_keys  # the read is audited


def test_municipal_staff_trace_their_own_persons(reporting: ServiceUnderTest) -> None:
    trace = reporting.client.get(f"/v1/trace/{JOURNAL_IN}", headers=headers("caseworker")).json()
    assert {s["person_key"] for s in trace["steps"]} == {None, PK_IN}


def test_a_school_representative_sees_only_own_pupils() -> None:
    """Over rows that name their school; a row without one is seen by no school
    representative."""

    class Reader:
        def persons_registered(
            self, municipality_code: str, iso_week: str
        ) -> list[dict[str, object]]:
            return [
                _row(PK_IN, school=SCHOOL),
                _row(PK_OUT, school="Ullerup Bæk Skolen"),
                _row("pk_" + "c" * 32, school=None),
            ]

        def latest_tasks(self, journal_numbers: object) -> dict[object, object]:
            return {}

        def clock_facts(self, *_: object) -> list[dict[str, object]]:
            return []

    queries = ReportingQueries(Reader())  # type: ignore[arg-type]
    representative = Principal(
        "kl@607", "school_representative", frozenset({IN}), frozenset({SCHOOL}), frozenset()
    )
    listed = queries.handover_for(representative, IN, IsoWeek.parse(WEEK))
    assert [p.person_key for p in listed.persons] == [PK_IN]
    assert listed.persons[0].route is None  # and no social-services details
    tovholder = Principal("t@607", "tovholder", frozenset({IN}), frozenset(), frozenset())
    assert len(queries.handover_for(tovholder, IN, IsoWeek.parse(WEEK)).persons) == 3


def test_management_gets_aggregates_only(reporting: ServiceUnderTest) -> None:
    management = headers("management")
    assert reporting.client.get(f"/v1/handover/{IN}/{WEEK}", headers=management).status_code == 403
    counts = reporting.client.get(f"/v1/statistics/{IN}/{WEEK}", headers=management).json()
    assert counts["persons"] is None  # one person: fewer than 5
    assert counts["by_offence"] == [{"value": "butikstyveri", "count": None}]
    assert "pk_" not in str(counts)


def test_a_list_needs_a_purpose(reporting: ServiceUnderTest) -> None:
    response = reporting.client.get(
        f"/v1/handover/{IN}/{WEEK}", headers=headers("tovholder", purpose=False)
    )
    assert response.status_code == 400
    assert reporting.audit.search(subject="user-tovholder")[-1].reason == "purpose_missing"


def test_every_list_read_is_one_audit_entry_naming_its_persons(reporting: ServiceUnderTest) -> None:
    before = reporting.audit_count()
    reporting.client.get(f"/v1/handover/{IN}/{WEEK}", headers=headers("team_leader"))
    assert reporting.audit_count() == before + 1
    entry = reporting.audit.search(subject="user-team_leader")[-1]
    assert (entry.action, entry.term, entry.count, entry.person_keys) == (
        "handover_list.read",
        f"{IN}/{WEEK}",
        1,
        (PK_IN,),
    )
    assert entry.purpose == "handover meeting week 47"


def _row(person_key: str, school: str | None) -> dict[str, object]:
    return {
        "journal_number": JOURNAL_IN,
        "incident_revision": 1,
        "reported_at": "2026-11-16T08:12:00+01:00",
        "offence_code": "butikstyveri",
        "person_key": person_key,
        "role": "sigtet",
        "age_at_incident": 14,
        "in_scope": True,
        "decision_revision": 1,
        "route": "caseworker",
        "workflow": "minor",
        "severity": "low",
        "reasons": ["active_case"],
        "school": school,
    }
