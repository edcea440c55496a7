"""Notifications through its Kafka entry point, on TestKafkaBroker and an in-memory store."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from services.notifications.adapters.publications import notifications_publications
from services.notifications.bootstrap import definition
from services.notifications.domain.letter_task_case import LetterTaskCase
from services.notifications.settings import NotificationsSettings
from shared.contracts import (
    CASEWORKER_ASSESSMENTS,
    LETTER_TASKS,
    TRIAGE_CASEWORKER,
    TRIAGE_TOVHOLDER,
    dead_letter_topic,
)
from tests.support import InboxHarness, inbox_harness, outbox
from tests.unit.notifications.factories import (
    JOURNAL,
    FakeClock,
    assessment_doc,
    decision_doc,
)

TOPIC_BY_ROUTE = {"tovholder": TRIAGE_TOVHOLDER, "caseworker": TRIAGE_CASEWORKER}


def from_triage(notification_id: int) -> dict[str, str]:
    return {"ssp-origin": "triage", "ssp-notification-id": str(notification_id)}


@asynccontextmanager
async def notifications(
    settings: NotificationsSettings, clock: FakeClock
) -> AsyncIterator[InboxHarness]:
    async with inbox_harness(definition(settings, clock=clock)) as h:
        yield h


async def send_decision(h: InboxHarness, doc: dict[str, Any], notification_id: int) -> None:
    await h.publish(
        doc,
        TOPIC_BY_ROUTE[doc["route"]],
        key=doc["person_key"],
        headers=from_triage(notification_id),
    )


async def send_assessment(h: InboxHarness, doc: dict[str, Any] | bytes) -> None:
    # The external caseworker system is no platform relay: no ssp-origin headers.
    await h.publish(doc, CASEWORKER_ASSESSMENTS, key="pk_a")


def letter_tasks(h: InboxHarness) -> list[dict[str, Any]]:
    published = [m for m in outbox(h.app, notifications_publications) if m.topic == LETTER_TASKS]
    for message in published:
        assert message.key == json.loads(message.body())["person_key"]
    return [json.loads(m.body()) for m in published]


def decisions_recorded(stored_topics: list[str]) -> int:
    """How many decisions the stored events record (the first one opens the case with it)."""
    return sum(
        t.endswith(("DecisionRecorded", "OpenedWithDecision", "OpenedWithTask"))
        for t in stored_topics
    )


@pytest.mark.parametrize(
    ("age", "recipients"),
    [
        (14, ["parents"]),
        (15, ["parents", "youth"]),
        (17, ["parents", "youth"]),
        (18, ["youth"]),
    ],
)
async def test_tovholder_decision_creates_one_orientering(
    settings: NotificationsSettings, clock: FakeClock, age: int, recipients: list[str]
) -> None:
    async with notifications(settings, clock) as h:
        await send_decision(h, decision_doc(age=age), 1)
        tasks = letter_tasks(h)
    assert tasks == [
        {
            "task_id": str(LetterTaskCase.create_id(JOURNAL, "pk_a")),
            "event": "created",
            "journal_number": JOURNAL,
            "person_key": "pk_a",
            "municipality_code": "607",
            "kind": "orientering",
            "recipients": recipients,
            "owner_role": "tovholder",
            "due_at": "2026-11-18T09:00:00Z",
            "at": "2026-11-16T09:00:00Z",
            "owner_team": None,  # a decision from before profiles: no team
            "reason": None,
        }
    ]


@pytest.mark.parametrize(
    ("outcome", "kind"), [("inform", "orientering"), ("summon", "indkaldelse")]
)
async def test_caseworker_task_follows_the_assessment(
    settings: NotificationsSettings, clock: FakeClock, outcome: str, kind: str
) -> None:
    async with notifications(settings, clock) as h:
        await send_decision(h, decision_doc(route="caseworker", age=16), 1)
        assert letter_tasks(h) == []
        clock.advance(hours=25)
        await send_assessment(h, assessment_doc(outcome=outcome))
        tasks = letter_tasks(h)
    assert [(t["event"], t["kind"], t["owner_role"]) for t in tasks] == [
        ("created", kind, "caseworker")
    ]
    assert tasks[0]["recipients"] == ["parents", "youth"]
    assert (tasks[0]["at"], tasks[0]["due_at"]) == ("2026-11-17T10:00:00Z", "2026-11-20T10:00:00Z")


async def test_the_task_inherits_owner_team_and_deadline_from_the_decision(
    settings: NotificationsSettings, clock: FakeClock
) -> None:
    profiled = decision_doc(
        route="caseworker",
        age=16,
        owner_role="caseworker",
        owner_team="Børn og Forebyggelse (CBF)",
        due_at="2026-11-21T08:12:00+01:00",
        youth_letter_age=15,
    )
    async with notifications(settings, clock) as h:
        await send_decision(h, profiled, 1)
        await send_decision(h, profiled, 1)  # re-delivered
        clock.advance(hours=25)
        await send_assessment(h, assessment_doc(outcome="summon"))
        tasks = letter_tasks(h)
    assert [(t["owner_role"], t["owner_team"], t["due_at"]) for t in tasks] == [
        ("caseworker", "Børn og Forebyggelse (CBF)", "2026-11-21T08:12:00+01:00")
    ]


async def test_assessment_before_the_decision(
    settings: NotificationsSettings, clock: FakeClock
) -> None:
    async with notifications(settings, clock) as h:
        await send_assessment(h, assessment_doc(outcome="summon"))
        assert letter_tasks(h) == []
        clock.advance(hours=2)
        await send_decision(h, decision_doc(route="caseworker", age=12), 1)
        tasks = letter_tasks(h)
    assert [(t["kind"], t["recipients"], t["at"]) for t in tasks] == [
        ("indkaldelse", ["parents"], "2026-11-16T11:00:00Z")
    ]


async def test_the_same_upstream_message_twice_makes_one_task(
    settings: NotificationsSettings, clock: FakeClock
) -> None:
    async with notifications(settings, clock) as h:
        await send_decision(h, decision_doc(), 7)
        await send_decision(h, decision_doc(), 7)
        tasks = letter_tasks(h)
        stored = [n.topic for n in h.app.recorder.select_notifications(start=None, limit=100)]
    assert len(tasks) == 1
    assert decisions_recorded(stored) == 1


async def test_a_later_revision_from_another_notification_is_still_one_task(
    settings: NotificationsSettings, clock: FakeClock
) -> None:
    async with notifications(settings, clock) as h:
        await send_decision(h, decision_doc(revision=1), 7)
        clock.advance(hours=1)
        await send_decision(h, decision_doc(revision=2), 12)
        await send_decision(h, decision_doc(route="caseworker", revision=3), 13)
        await send_assessment(h, assessment_doc(outcome="summon"))
        tasks = letter_tasks(h)
        stored = [n.topic for n in h.app.recorder.select_notifications(start=None, limit=100)]
    # revision 2 changes nothing; revision 3 moves the same task to the caseworker
    assert [(t["event"], t["kind"], t["owner_role"]) for t in tasks] == [
        ("created", "orientering", "tovholder"),
        ("updated", "orientering", "caseworker"),
    ]
    assert len({t["task_id"] for t in tasks}) == 1
    assert decisions_recorded(stored) == 3
    assert sum(topic.endswith("AssessmentRecorded") for topic in stored) == 1


async def test_persons_of_one_incident_get_a_task_each(
    settings: NotificationsSettings, clock: FakeClock
) -> None:
    async with notifications(settings, clock) as h:
        await send_decision(h, decision_doc(key="pk_a", age=14), 1)
        await send_decision(h, decision_doc(key="pk_b", age=19), 2)
        tasks = letter_tasks(h)
    assert [(t["person_key"], t["recipients"]) for t in tasks] == [
        ("pk_a", ["parents"]),
        ("pk_b", ["youth"]),
    ]
    assert tasks[0]["task_id"] != tasks[1]["task_id"]


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        json.dumps(assessment_doc(outcome="ignore")).encode(),
        json.dumps({k: v for k, v in assessment_doc().items() if k != "person_key"}).encode(),
    ],
    ids=["bad-json", "unknown-outcome", "missing-person-key"],
)
async def test_invalid_assessment_goes_to_the_dead_letter_topic(
    settings: NotificationsSettings, clock: FakeClock, raw: bytes
) -> None:
    async with notifications(settings, clock) as h:
        await send_assessment(h, raw)
        await send_decision(h, decision_doc(route="caseworker"), 1)
        published = outbox(h.app, notifications_publications)
    dead = [m for m in published if m.topic == dead_letter_topic("notifications")]
    assert [m.body() for m in dead] == [raw]
    assert dead[0].headers["ssp-dlq-origin-topic"] == CASEWORKER_ASSESSMENTS
    assert "CaseworkerAssessment" in dead[0].headers["ssp-dlq-error"]
    assert [m for m in published if m.topic == LETTER_TASKS] == []
