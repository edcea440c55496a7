"""Triage, notifications and courses scoped by the policy: the police read no social-services
details (route, reasons, case id; letter tasks other than their own), municipal staff see only
their municipalities' persons, management sees only courses naming nobody, and each personal-
data read is audited once, naming exactly the persons it returned. Property: whoever asks, no
list returns a record outside the caller's municipalities."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.auth import Role
from shared.auth.withheld import SHOWN_WITHOUT_SOCIAL_SERVICES
from shared.contracts import AcceptedIncident, RoutingDecision
from tests.unit.auth.support import (
    IN,
    JOURNAL_IN,
    OUT,
    PK_IN,
    PK_OUT,
    ServiceUnderTest,
    courses_under_test,
    decision_in,
    headers,
    notifications_under_test,
    triage_under_test,
)
from tests.unit.reporting.documents import accepted_incident, person

MIXED_JOURNAL = "3700-80123-00777-26"
PK_MIXED_IN = "pk_" + "1" * 32
PK_MIXED_OUT = "pk_" + "2" * 32
PK_TOO_OLD = "pk_" + "3" * 32
PK_POLICE_TASK = "pk_" + "4" * 32
POLICE_JOURNAL = "3700-80123-00888-26"


@pytest.fixture(scope="module")
def triage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceUnderTest]:
    with triage_under_test(tmp_path_factory.mktemp("triage")) as served:
        mixed = accepted_incident(
            [person(PK_MIXED_IN, 14, IN), person(PK_MIXED_OUT, 16, OUT), person(PK_TOO_OLD, 40)],
            journal_number=MIXED_JOURNAL,
        )
        served.seed(served.seeder.triage_incident, AcceptedIncident.model_validate(mixed))
        yield served


@pytest.fixture(scope="module")
def notifications(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceUnderTest]:
    with notifications_under_test(tmp_path_factory.mktemp("notifications")) as served:
        # Guldborgsund's profile makes the police's coordinator own serious coordinator cases.
        owned = decision_in(IN, PK_POLICE_TASK, POLICE_JOURNAL).model_dump(mode="json")
        owned["owner_role"] = "police_ssp_coordinator"
        served.seed(served.seeder.receive_decision, RoutingDecision.model_validate(owned))
        yield served


@pytest.fixture(scope="module")
def courses(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceUnderTest]:
    with courses_under_test(tmp_path_factory.mktemp("courses")) as served:
        acute = served.client.post(
            "/v1/acute-procedures",
            json={
                "municipality_code": IN,
                "reference": "2026-11-brand-skole",
                "journal_number": JOURNAL_IN,
                "director": "DIR",
                "head_of_department": "FCH",
            },
            headers=headers("management"),
        )
        assert acute.status_code == 201, acute.text
        served.records["acute_in"] = acute.json()["course_id"]
        yield served


def _last_entry(served: ServiceUnderTest) -> Any:
    return served.audit.search(limit=100_000)[-1]


# --- triage ---------------------------------------------------------------------------------
def test_staff_see_only_their_municipalitys_persons_of_a_journal(
    triage: ServiceUnderTest,
) -> None:
    before = triage.audit_count()
    body = triage.client.get(f"/v1/decisions/{MIXED_JOURNAL}", headers=headers("caseworker"))
    assert body.status_code == 200, body.text
    assert [d["person_key"] for d in body.json()["decisions"]] == [PK_MIXED_IN]
    # The out-of-scope 40-year-old lives in Fredericia: shown to Fredericia only.
    assert body.json()["out_of_scope"] == [PK_TOO_OLD]
    assert triage.audit_count() == before + 1
    entry = _last_entry(triage)
    assert (entry.person_keys, entry.count, entry.result) == (
        (PK_MIXED_IN, PK_TOO_OLD),
        2,
        "allowed",
    )
    guldborgsund = headers("caseworker", municipalities=[OUT])
    other = triage.client.get(f"/v1/decisions/{MIXED_JOURNAL}", headers=guldborgsund).json()
    assert [d["person_key"] for d in other["decisions"]] == [PK_MIXED_OUT]
    assert other["out_of_scope"] == []


def test_the_police_see_decisions_without_social_services_details(
    triage: ServiceUnderTest,
) -> None:
    staff = triage.client.get(f"/v1/decisions/{JOURNAL_IN}", headers=headers("tovholder"))
    [full] = staff.json()["decisions"]
    assert full["route"] == "tovholder"
    assert "no_active_case" in full["reasons"]
    police = triage.client.get(f"/v1/decisions/{JOURNAL_IN}", headers=headers("police_coordinator"))
    [seen] = police.json()["decisions"]
    withheld = {name: value for name, value in seen.items() if value not in (None, [])}
    assert withheld.keys() <= SHOWN_WITHOUT_SOCIAL_SERVICES, withheld
    assert seen["reasons"] == [] and seen["co_registered_person_keys"] == []
    assert (seen["decision_kind"], seen["history"], seen["district"]) == (None, None, None)
    assert (seen["person_key"], seen["offence_code"], seen["severity"]) == (
        PK_IN,
        full["offence_code"],
        full["severity"],
    )


def test_co_registered_persons_are_only_those_in_reach_and_are_audited(
    triage: ServiceUnderTest,
) -> None:
    staff = triage.client.get(f"/v1/decisions/{MIXED_JOURNAL}", headers=headers("tovholder"))
    [decision] = staff.json()["decisions"]
    # Guldborgsund's child, registered in the same incident, is not named to Fredericia.
    assert PK_MIXED_OUT not in decision["co_registered_person_keys"]
    assert PK_TOO_OLD in decision["co_registered_person_keys"]
    assert set(decision["co_registered_person_keys"]) <= set(_last_entry(triage).person_keys)
    other = triage.client.get(
        f"/v1/decisions/{MIXED_JOURNAL}", headers=headers("tovholder", municipalities=[OUT])
    )
    [theirs] = other.json()["decisions"]
    assert theirs["co_registered_person_keys"] == []  # the others live in Fredericia
    police = triage.client.get(
        f"/v1/decisions/{MIXED_JOURNAL}", headers=headers("police_coordinator")
    )
    assert [d["co_registered_person_keys"] for d in police.json()["decisions"]] == [[]]


def test_a_read_without_a_purpose_is_refused_and_recorded(triage: ServiceUnderTest) -> None:
    before = triage.audit_count()
    refused = triage.client.get(
        f"/v1/decisions/{JOURNAL_IN}", headers=headers("tovholder", purpose=False)
    )
    assert refused.status_code == 400
    assert triage.audit_count() == before + 1
    assert _last_entry(triage).reason == "purpose_missing"


# --- notifications --------------------------------------------------------------------------
def _listed(served: ServiceUnderTest, role: str, **kwargs: Any) -> list[dict[str, Any]]:
    response = served.client.get(
        "/v1/letter-tasks?municipality_code=607&status=all", headers=headers(role, **kwargs)
    )
    assert response.status_code == 200, response.text
    tasks: list[dict[str, Any]] = response.json()["tasks"]
    return tasks


def test_the_police_see_and_complete_only_the_tasks_they_own(
    notifications: ServiceUnderTest,
) -> None:
    staff = {t["person_key"] for t in _listed(notifications, "tovholder")}
    assert staff == {PK_IN, PK_POLICE_TASK}
    [owned] = _listed(notifications, "police_coordinator")
    assert (owned["person_key"], owned["owner_role"]) == (PK_POLICE_TASK, "police_ssp_coordinator")
    entry = _last_entry(notifications)
    assert (entry.person_keys, entry.count) == ((PK_POLICE_TASK,), 1)

    police = headers("police_coordinator")
    social = notifications.records["task_in"]
    hidden = notifications.client.post(f"/v1/letter-tasks/{social}/complete", headers=police)
    unknown = notifications.client.post(
        "/v1/letter-tasks/00000000-0000-0000-0000-000000000000/complete", headers=police
    )
    assert (hidden.status_code, hidden.content) == (unknown.status_code, unknown.content)
    assert hidden.status_code == 404
    assert _last_entry(notifications).person_keys == ()  # the unknown one names nobody
    completed = notifications.client.post(
        f"/v1/letter-tasks/{owned['task_id']}/complete", headers=police
    )
    assert completed.json()["status"] == "completed"
    assert _last_entry(notifications).person_keys == (PK_POLICE_TASK,)


def test_a_refused_task_names_the_person_in_the_audit_trail(
    notifications: ServiceUnderTest,
) -> None:
    task = notifications.records["task_out"]
    refused = notifications.client.post(
        f"/v1/letter-tasks/{task}/complete", headers=headers("tovholder")
    )
    assert refused.status_code == 404
    entry = _last_entry(notifications)
    assert (entry.result, entry.reason, entry.person_keys) == (
        "denied",
        "outside_municipality",
        (PK_OUT,),
    )


# --- courses --------------------------------------------------------------------------------
def test_management_sees_only_courses_that_name_nobody(courses: ServiceUnderTest) -> None:
    management = headers("management")
    listed = courses.client.get("/v1/courses?municipality_code=607", headers=management).json()
    assert [c["course_type"] for c in listed["courses"]] == ["acute_procedure"]
    acute = courses.client.get(f"/v1/courses/{courses.records['acute_in']}", headers=management)
    assert acute.status_code == 200
    trivsel = courses.client.get(f"/v1/courses/{courses.records['course_in']}", headers=management)
    assert trivsel.status_code == 404
    staff = courses.client.get("/v1/courses?municipality_code=607", headers=headers("tovholder"))
    assert {c["course_type"] for c in staff.json()["courses"]} == {
        "acute_procedure",
        "trivsel_plus",
    }
    entry = _last_entry(courses)
    assert (entry.person_keys, entry.count) == ((PK_IN,), 2)


def test_a_transferred_programme_is_seen_by_both_municipalities(courses: ServiceUnderTest) -> None:
    coordinator = headers("exit_coordinator", municipalities=[OUT])
    referred = courses.client.post(
        "/v1/exit-programmes",
        json={
            "person_key": PK_OUT,
            "municipality_code": OUT,
            "age_at_referral": 19,
            "referred_by": "kriminalforsorgen",
            "referred_on": "2026-11-16",
            "coordinator": "EXK",
        },
        headers=coordinator,
    ).json()
    base = f"/v1/exit-programmes/{referred['course_id']}"
    course = referred
    for command, body in [
        ("record-clarifying-talk", {"with_police": True, "in_target_group": "yes",
                                    "motivated": "yes"}),
        ("accept", {}),
        ("transfer", {"to_municipality_code": "575"}),
    ]:  # fmt: skip
        course = courses.client.post(
            f"{base}/{command}",
            json={"expected_version": course["version"], **body},
            headers=coordinator,
        ).json()
    vejen = headers("exit_coordinator", municipalities=["575"])
    events = courses.client.get(f"/v1/courses/{course['course_id']}/events", headers=vejen)
    assert [e["event"] for e in events.json()["events"]] == ["transferred"]
    fredericia = headers("exit_coordinator", municipalities=[IN])
    unseen = courses.client.get(f"/v1/courses/{course['course_id']}", headers=fredericia)
    assert unseen.status_code == 404
    # Vejen's coordinator continues the programme.
    met = courses.client.post(
        f"{base}/record-meeting",
        json={"expected_version": course["version"], "departments": ["politi"]},
        headers=vejen,
    )
    assert met.status_code == 200, met.text


def test_starting_a_course_out_of_reach_looks_like_not_eligible(
    courses: ServiceUnderTest,
) -> None:
    start = {"journal_number": JOURNAL_IN, "step": 2, "rationale": "", "coordinator": "ABJ",
             "local_leader": "KLM"}  # fmt: skip
    eligible_elsewhere = courses.client.post(
        "/v1/trivsel-courses",
        json={**start, "person_key": PK_OUT, "journal_number": "3700-80999-00001-26"},
        headers=headers("tovholder"),
    )
    never_eligible = courses.client.post(
        "/v1/trivsel-courses",
        json={**start, "person_key": "pk_" + "9" * 32},
        headers=headers("tovholder"),
    )
    assert eligible_elsewhere.status_code == never_eligible.status_code == 422
    assert eligible_elsewhere.json() == never_eligible.json()


# --- property: nothing outside the caller's municipalities -----------------------------------
principals = st.fixed_dictionaries(
    {
        "role": st.sampled_from([r.value for r in Role]),
        "municipalities": st.lists(st.sampled_from([IN, OUT, "575"]), unique=True),
    }
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(caller=principals)
def test_no_list_returns_a_record_outside_the_callers_municipalities(
    notifications: ServiceUnderTest,
    courses: ServiceUnderTest,
    triage: ServiceUnderTest,
    caller: dict[str, Any],
) -> None:
    role, mine = caller["role"], set(caller["municipalities"])
    asked = headers(role, municipalities=sorted(mine))
    for code in (IN, OUT):
        tasks = notifications.client.get(
            f"/v1/letter-tasks?municipality_code={code}&status=all", headers=asked
        )
        if tasks.status_code == 200:
            assert code in mine
            for task in tasks.json()["tasks"]:
                assert task["municipality_code"] in mine
                if role == Role.POLICE_COORDINATOR:
                    assert task["owner_role"] == "police_ssp_coordinator"
        else:
            assert tasks.status_code == 403
        listed = courses.client.get(f"/v1/courses?municipality_code={code}", headers=asked)
        if listed.status_code == 200:
            assert code in mine
            for course in listed.json()["courses"]:
                # A transferred programme stays visible to the municipality it came from.
                stored = courses.seed(courses.seeder.course, UUID(course["course_id"]))
                assert stored.municipalities_with_access() & mine
                if role == Role.MANAGEMENT:
                    assert course["person_key"] is None
        else:
            assert listed.status_code == 403
    decisions = triage.client.get(f"/v1/decisions/{MIXED_JOURNAL}", headers=asked)
    if decisions.status_code == 200:
        assert {d["municipality_code"] for d in decisions.json()["decisions"]} <= mine
    else:
        assert decisions.status_code in (403, 404)
