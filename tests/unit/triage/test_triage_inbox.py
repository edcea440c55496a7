"""Triage through its Kafka entry point, on TestKafkaBroker and an in-memory store."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from services.triage.adapters.publications import triage_publications
from services.triage.bootstrap import definition
from services.triage.settings import TriageSettings
from shared.contracts import (
    INTAKE_CASE_EVENTS,
    INTAKE_INCIDENTS,
    TRIAGE_CASEWORKER,
    TRIAGE_TOVHOLDER,
    dead_letter_topic,
)
from tests.support import InboxHarness, inbox_harness, outbox
from tests.unit.triage.factories import DECIDED_AT, JOURNAL, case_doc, incident_doc, person

ROUTES = {TRIAGE_CASEWORKER, TRIAGE_TOVHOLDER}


def from_intake(notification_id: int) -> dict[str, str]:
    return {"ssp-origin": "intake", "ssp-notification-id": str(notification_id)}


@asynccontextmanager
async def triage(settings: TriageSettings) -> AsyncIterator[InboxHarness]:
    async with inbox_harness(definition(settings, clock=lambda: DECIDED_AT)) as h:
        yield h


async def send_incident(h: InboxHarness, doc: dict[str, Any], notification_id: int) -> None:
    await h.publish(doc, INTAKE_INCIDENTS, key=JOURNAL, headers=from_intake(notification_id))


async def send_case(h: InboxHarness, doc: dict[str, Any], notification_id: int) -> None:
    await h.publish(
        doc, INTAKE_CASE_EVENTS, key=doc["person_key"], headers=from_intake(notification_id)
    )


def decisions(h: InboxHarness) -> list[tuple[str, dict[str, Any]]]:
    return [
        (m.topic, json.loads(m.body()))
        for m in outbox(h.app, triage_publications)
        if m.topic in ROUTES
    ]


async def test_person_without_a_case_goes_to_the_tovholder(settings: TriageSettings) -> None:
    async with triage(settings) as h:
        await send_incident(h, incident_doc(), 1)
        published = [m for m in outbox(h.app, triage_publications) if m.topic in ROUTES]
    assert [(m.topic, m.key) for m in published] == [(TRIAGE_TOVHOLDER, "pk_a")]
    body = json.loads(published[0].body())
    assert body["route"] == "tovholder" and body["reasons"] == ["no_active_case"]
    assert body["case_id"] is None
    assert body["decided_at"] == "2026-11-16T09:00:00Z"


async def test_person_with_an_open_case_goes_to_the_caseworker(settings: TriageSettings) -> None:
    async with triage(settings) as h:
        await send_case(h, case_doc("case_opened"), 1)
        await send_incident(h, incident_doc(), 2)
        routed = decisions(h)
    assert [(topic, d["case_id"], d["reasons"]) for topic, d in routed] == [
        (TRIAGE_CASEWORKER, "DUBU-2026-001234", ["active_case"])
    ]


async def test_case_opened_then_closed_goes_to_the_tovholder(settings: TriageSettings) -> None:
    async with triage(settings) as h:
        await send_case(h, case_doc("case_opened", at="2026-10-02T09:00:00+02:00"), 1)
        await send_case(h, case_doc("case_closed", at="2026-11-01T09:00:00+01:00"), 2)
        await send_incident(h, incident_doc(), 3)
        routed = decisions(h)
    assert [topic for topic, _ in routed] == [TRIAGE_TOVHOLDER]


async def test_the_same_upstream_message_twice_decides_once(settings: TriageSettings) -> None:
    async with triage(settings) as h:
        await send_incident(h, incident_doc(), 7)
        await send_incident(h, incident_doc(), 7)
        routed = decisions(h)
    assert len(routed) == 1


async def test_the_same_revision_from_two_notifications_decides_once_per_person(
    settings: TriageSettings,
) -> None:
    doc = incident_doc(persons=[person("pk_a"), person("pk_b", 19)])
    async with triage(settings) as h:
        await send_incident(h, doc, 7)
        await send_incident(h, doc, 8)  # e.g. intake's relay republished from the start
        routed = decisions(h)
        assert h.runtime.dead_letters == 0
    assert sorted(d["person_key"] for _, d in routed) == ["pk_a", "pk_b"]
    assert len({d["decision_id"] for _, d in routed}) == 2


async def test_lower_revision_is_ignored_and_a_higher_changed_one_revises(
    settings: TriageSettings,
) -> None:
    changed_role = [person("pk_a", role="forurettet")]
    async with triage(settings) as h:
        for notification_id, revision in enumerate((2, 1, 3, 2, 4), start=1):
            persons = changed_role if revision >= 3 else None
            await send_incident(
                h, incident_doc(revision=revision, persons=persons), notification_id
            )
        routed = decisions(h)
        assert h.runtime.dead_letters == 0
    # revision 4 changes nothing material for pk_a: no decision
    assert [(d["revision"], d["decision_kind"]) for _, d in routed] == [
        (2, "initial"),
        (3, "revised"),
    ]
    assert routed[1][1]["revises_decision_id"] == routed[0][1]["decision_id"]
    assert routed[1][1]["reasons"][-1] == "revision_changed"


async def test_a_case_opened_after_routing_hands_over_through_the_inbox(
    settings: TriageSettings,
) -> None:
    async with triage(settings) as h:
        await send_incident(h, incident_doc(), 1)
        await send_case(h, case_doc("case_opened", at="2026-11-17T10:00:00+01:00"), 2)
        routed = decisions(h)
        assert h.runtime.dead_letters == 0
    assert [(topic, d["decision_kind"]) for topic, d in routed] == [
        (TRIAGE_TOVHOLDER, "initial"),
        (TRIAGE_CASEWORKER, "handover"),
    ]
    assert routed[1][1]["revises_decision_id"] == routed[0][1]["decision_id"]


async def test_out_of_scope_person_is_not_routed(settings: TriageSettings) -> None:
    async with triage(settings) as h:
        await send_incident(h, incident_doc(persons=[person("pk_a", 14), person("pk_old", 31)]), 1)
        routed = decisions(h)
    assert [d["person_key"] for _, d in routed] == ["pk_a"]


async def test_undecodable_message_goes_to_the_dead_letter_topic(
    settings: TriageSettings,
) -> None:
    raw = b"\xff not json"
    async with triage(settings) as h:
        await h.publish(raw, INTAKE_INCIDENTS, key=JOURNAL, headers=from_intake(1))
        await send_incident(h, incident_doc(), 2)  # the next message is still processed
        published = outbox(h.app, triage_publications)
        assert h.runtime.dead_letters == 1
    dead = [m for m in published if m.topic == dead_letter_topic("triage")]
    assert len(dead) == 1
    assert dead[0].body() == raw
    assert dead[0].headers["ssp-dlq-origin-topic"] == INTAKE_INCIDENTS
    assert dead[0].headers["ssp-dlq-error"].startswith("not a valid AcceptedIncident")
    assert [m.topic for m in published if m.topic in ROUTES] == [TRIAGE_TOVHOLDER]


async def test_invalid_case_event_goes_to_the_dead_letter_topic(settings: TriageSettings) -> None:
    async with triage(settings) as h:
        await send_case(h, case_doc("case_reopened"), 1)
        published = outbox(h.app, triage_publications)
        assert h.runtime.dead_letters == 1
    dead = [m for m in published if m.topic == dead_letter_topic("triage")]
    assert "event (literal_error)" in dead[0].headers["ssp-dlq-error"]


async def test_history_through_the_topics_counts_each_incident_once_under_redelivery(
    settings: TriageSettings,
) -> None:
    first = incident_doc(journal_number="3700-80123-00001-26", occurred_at="2026-10-01T18:00:00Z")
    second = incident_doc(occurred_at="2026-11-15T21:40:00Z")
    async with triage(settings) as h:
        await send_incident(h, first, 1)
        await send_incident(h, first, 1)  # the same notification again
        await send_incident(h, first, 2)  # intake's relay republished it from the start
        await send_incident(h, second, 3)
        await send_incident(h, second, 3)
        routed = decisions(h)
    assert [d["journal_number"] for _, d in routed] == ["3700-80123-00001-26", JOURNAL]
    history = routed[1][1]["history"]
    assert history["earlier_reports"] == 1 and not history["repeat"]
    assert [r["journal_number"] for r in history["reports"]] == ["3700-80123-00001-26"]


async def test_published_decision_names_owner_team_and_deadline_from_the_profile(
    settings: TriageSettings,
) -> None:
    herning = [
        person("pk_a", 16, municipality_code="657", school="Kibæk Skole"),
        person("pk_b", 15, municipality_code="657"),
    ]
    async with triage(settings) as h:
        await send_incident(h, incident_doc(persons=herning, offence_code="vold"), 1)
        routed = decisions(h)
    by_key = {d["person_key"]: d for _, d in routed}
    assert by_key["pk_a"]["owner_role"] == "tovholder"
    assert by_key["pk_a"]["owner_team"] == "SSP-medarbejder distrikt syd"
    assert by_key["pk_a"]["district"] == "syd"
    assert by_key["pk_b"]["owner_team"] == "Leder af SSP, UngHerning"  # school unknown
    assert by_key["pk_a"]["due_at"] == "2026-11-17T08:12:00+01:00"  # reported_at + 24 h (high)
    assert by_key["pk_a"]["co_registered_person_keys"] == ["pk_b"]
    assert by_key["pk_a"]["profile"] == "657" and by_key["pk_a"]["youth_letter_age"] == 15
