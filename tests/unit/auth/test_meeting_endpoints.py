"""The weekly meeting's two commands on the services (issue 15): intake resolves the names of
a whole agenda in one step (limited per meeting, audited with every person, the single
resolution's reach), and triage turns the meeting's change of route or owner into a revised
decision with reason meeting_decision and the deciding user."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.triage.adapters.publications import triage_publications
from services.triage.domain.incident_triage import IncidentTriage
from shared.contracts import (
    MEETINGS_EVENTS,
    TRIAGE_CASEWORKER,
    TRIAGE_TOVHOLDER,
    MeetingEvent,
    RoutingDecision,
)
from tests.unit.auth.support import (
    IN,
    JOURNAL_IN,
    JOURNAL_OUT,
    OUT,
    PK_IN,
    PK_OUT,
    PK_UNKNOWN,
    ServiceUnderTest,
    headers,
    intake_under_test,
    triage_under_test,
)

MEETING = f"{IN}/2026-W47"


@pytest.fixture
def intake(tmp_path: Path) -> Iterator[ServiceUnderTest]:
    with intake_under_test(tmp_path, INTAKE_MEETING_RESOLUTIONS_PER_HOUR="2") as served:
        yield served


def resolve_batch(
    intake: ServiceUnderTest,
    person_keys: list[str],
    meeting: str = MEETING,
    role: str = "tovholder",
    **token: Any,
) -> httpx.Response:
    return intake.client.post(
        "/v1/identities/resolve-batch",
        json={"meeting": meeting, "purpose": f"ugens møde {meeting}", "person_keys": person_keys},
        headers=headers(role, purpose=False, **token),
    )


def test_a_whole_agenda_is_resolved_in_one_step_and_audited_per_person(
    intake: ServiceUnderTest,
) -> None:
    response = resolve_batch(intake, [PK_IN, PK_OUT, PK_UNKNOWN])
    assert response.status_code == 200, response.text
    body = response.json()
    assert [p["person_key"] for p in body["persons"]] == [PK_IN]
    assert body["persons"][0]["names"] == ["Mads Jensen"]
    # Out of reach and unknown are answered alike.
    assert body["not_found"] == [PK_OUT, PK_UNKNOWN]
    [entry] = intake.audit.search(person_key=PK_IN, subject="user-tovholder")
    assert (entry.action, entry.result, entry.purpose, entry.count) == (
        "identity.resolve_for_meeting",
        "allowed",
        f"ugens møde {MEETING}",
        1,
    )
    assert intake.audit.search(person_key=PK_OUT, subject="user-tovholder") == []


def test_the_limit_counts_meetings_not_names(intake: ServiceUnderTest) -> None:
    many = [PK_IN, PK_UNKNOWN, *(f"pk_{n:032x}" for n in range(1, 40))]
    assert resolve_batch(intake, many).status_code == 200
    assert resolve_batch(intake, many).status_code == 200
    refused = resolve_batch(intake, [PK_IN])
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers
    # Another meeting has its own budget.
    assert resolve_batch(intake, [PK_IN], meeting=f"{IN}/2026-W48").status_code == 200


def test_same_roles_and_municipalities_as_the_single_resolution(intake: ServiceUnderTest) -> None:
    for role in ("police_coordinator", "school_representative", "management"):
        assert resolve_batch(intake, [PK_IN], role=role).status_code == 403
    assert resolve_batch(intake, [PK_IN], meeting=f"{OUT}/2026-W47").status_code == 403
    wrong = resolve_batch(intake, ["not-a-key"])
    assert wrong.status_code == 422
    assert resolve_batch(intake, [f"pk_{n:032x}" for n in range(501)]).status_code == 422


@pytest.fixture
def triage(tmp_path: Path) -> Iterator[ServiceUnderTest]:
    with triage_under_test(tmp_path) as served:
        yield served


def revise(
    triage: ServiceUnderTest,
    body: dict[str, Any],
    journal: str = JOURNAL_IN,
    person_key: str = PK_IN,
    role: str = "tovholder",
    **token: Any,
) -> httpx.Response:
    return triage.client.post(
        f"/v1/decisions/{journal}/persons/{person_key}/meeting-revision",
        json={"meeting": MEETING, **body},
        headers=headers(role, purpose=False, subject="ABJ", **token),
    )


def _stored_decisions(triage: ServiceUnderTest) -> tuple[list[RoutingDecision], list[str]]:
    """The decisions triage's relay would publish, and their topics, in order."""

    def read() -> list[Any]:
        return list(triage.app.recorder.select_notifications(start=1, limit=1000))

    decisions: list[RoutingDecision] = []
    topics: list[str] = []
    for notification in triage.seed(read):
        event = triage.app.mapper.to_domain_event(notification)
        if isinstance(event, IncidentTriage.PersonRouted):
            [outgoing] = triage_publications(event)
            decisions.append(RoutingDecision.model_validate(outgoing.value))
            topics.append(outgoing.topic)
    return decisions, topics


def test_a_changed_owner_becomes_a_revised_decision_with_the_deciding_user(
    triage: ServiceUnderTest,
) -> None:
    before = triage.client.get(f"/v1/decisions/{JOURNAL_IN}", headers=headers("tovholder"))
    [current] = before.json()["decisions"]
    answer = revise(
        triage, {"route": "tovholder", "owner_role": "team_leader", "owner_team": "Team Syd"}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["revised"] is True
    decision = answer.json()["decision"]
    assert decision["owner_role"] == "team_leader" and decision["owner_team"] == "Team Syd"
    assert decision["reasons"][-1] == "meeting_decision"
    assert decision["decided_by"] == "ABJ"
    assert decision["decision_kind"] == "revised"
    assert decision["revises_decision_id"] == current["decision_id"]
    decisions, topics = _stored_decisions(triage)
    assert decisions[-1].decision_id == decision["decision_id"]
    assert topics[-1] == TRIAGE_TOVHOLDER
    after = triage.client.get(f"/v1/decisions/{JOURNAL_IN}", headers=headers("tovholder"))
    assert after.json()["decisions"][0]["decision_id"] == decision["decision_id"]


def test_keeping_route_and_owner_publishes_nothing(triage: ServiceUnderTest) -> None:
    [current] = triage.client.get(
        f"/v1/decisions/{JOURNAL_IN}", headers=headers("tovholder")
    ).json()["decisions"]
    kept = revise(
        triage,
        {
            "route": current["route"],
            "owner_role": current["owner_role"],
            "owner_team": current["owner_team"],
        },
    )
    assert kept.status_code == 200 and kept.json()["revised"] is False
    decisions, _ = _stored_decisions(triage)
    assert all("meeting_decision" not in d.reasons for d in decisions)


def test_a_new_route_goes_to_that_routes_topic(triage: ServiceUnderTest) -> None:
    moved = revise(triage, {"route": "caseworker", "owner_role": "caseworker"})
    assert moved.status_code == 200
    _, topics = _stored_decisions(triage)
    assert topics[-1] == TRIAGE_CASEWORKER


def test_only_the_meeting_roles_in_reach(triage: ServiceUnderTest) -> None:
    body = {"route": "tovholder", "owner_role": "team_leader"}
    assert revise(triage, body, role="caseworker").status_code == 403
    assert revise(triage, body, role="police_coordinator").status_code == 403
    # Out of reach looks exactly like unknown.
    assert revise(triage, body, journal=JOURNAL_OUT, person_key=PK_OUT).status_code == 404
    assert revise(triage, body, person_key=PK_UNKNOWN).status_code == 404
    assert revise(triage, {"route": "nowhere", "owner_role": "team_leader"}).status_code == 422


def _meeting_messages(triage: ServiceUnderTest) -> list[MeetingEvent]:
    def read() -> list[Any]:
        return list(triage.app.recorder.select_notifications(start=1, limit=1000))

    messages: list[MeetingEvent] = []
    for notification in triage.seed(read):
        for outgoing in triage_publications(triage.app.mapper.to_domain_event(notification)):
            if outgoing.topic == MEETINGS_EVENTS:
                assert outgoing.key == MEETING
                messages.append(MeetingEvent.model_validate(outgoing.value))
    return messages


def test_the_meeting_keeps_minutes_and_publishes_them_without_free_text(
    triage: ServiceUnderTest,
) -> None:
    revise(triage, {"route": "tovholder", "owner_role": "team_leader", "owner_team": "Team Syd"})
    agreed = triage.client.post(
        f"/v1/meetings/{MEETING}/actions",
        json={
            "journal_number": JOURNAL_IN,
            "person_key": PK_IN,
            "what": "Hjemmebesøg hos familien sammen med skolen",
            "owner_role": "tovholder",
            "due_on": "2026-11-27",
        },
        headers=headers("team_leader", purpose=False, subject="KLM"),
    )
    assert agreed.status_code == 201, agreed.text
    note = triage.client.post(
        f"/v1/meetings/{MEETING}/notes",
        json={"journal_number": JOURNAL_IN, "person_key": PK_IN, "text": "Skolen kender sagen"},
        headers=headers("tovholder", purpose=False, subject="ABJ"),
    )
    assert note.status_code == 201, note.text
    minutes = triage.client.get(f"/v1/meetings/{MEETING}", headers=headers("caseworker"))
    assert minutes.status_code == 200, minutes.text
    body = minutes.json()
    assert body["participants"] == [
        {"subject": "ABJ", "role": "tovholder"},
        {"subject": "KLM", "role": "team_leader"},
    ]
    assert body["items"] == [{"journal_number": JOURNAL_IN, "person_key": PK_IN}]
    [decided] = body["decisions"]
    assert (decided["owner_role"], decided["owner_team"], decided["by"]) == (
        "team_leader",
        "Team Syd",
        "ABJ",
    )
    [action] = body["actions"]
    assert (action["owner_role"], action["due_on"], action["agreed_by"]) == (
        "tovholder",
        "2026-11-27",
        "KLM",
    )
    assert body["notes"][0]["text"] == "Skolen kender sagen"

    messages = _meeting_messages(triage)
    assert [m.event for m in messages] == [
        "opened",
        "participant_joined",
        "route_or_owner_decided",
        "participant_joined",
        "action_agreed",
        "note_recorded",
    ]
    assert messages[2].decision_id == body["decisions"][0]["decision_id"]
    assert messages[4].due_on is not None and messages[4].owner_role == "tovholder"
    published = " ".join(m.model_dump_json() for m in messages)
    assert "Hjemmebesøg" not in published and "Skolen kender" not in published


def test_minutes_for_municipal_staff_of_the_meeting_only(triage: ServiceUnderTest) -> None:
    assert (
        triage.client.get(f"/v1/meetings/{MEETING}", headers=headers("caseworker")).json()[
            "actions"
        ]
        == []
    )
    for role in ("police_coordinator", "school_representative"):
        assert (
            triage.client.get(f"/v1/meetings/{MEETING}", headers=headers(role)).status_code == 403
        )
    other = f"/v1/meetings/{OUT}/2026-W47"
    assert triage.client.get(other, headers=headers("tovholder")).status_code == 403
    note = {"text": "x" * 1001}
    too_long = triage.client.post(
        f"/v1/meetings/{MEETING}/notes", json=note, headers=headers("tovholder", purpose=False)
    )
    assert too_long.status_code == 422
    caseworker = triage.client.post(
        f"/v1/meetings/{MEETING}/notes",
        json={"text": "ok"},
        headers=headers("caseworker", purpose=False),
    )
    assert caseworker.status_code == 403
