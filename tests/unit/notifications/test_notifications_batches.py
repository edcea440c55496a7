"""The Kafka handler's cost per message: a batch loads every case it touches with one query,
and a decision that opens a case stores one event for both (`OpenedWithDecision`), not
`Opened` + `DecisionRecorded`, or one for the case, the decision and the task it creates at
once (`OpenedWithTask`), not `OpenedWithDecision` + `TaskCreated`. Cases stored before (with
two or three) still load and go on exactly as before, either opening leads to the same
letters, and the task is published with the same bytes."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent
from hypothesis import given, settings
from pydantic import BaseModel

from services.notifications.adapters.publications import notifications_publications
from services.notifications.application.app import NotificationsApplication
from services.notifications.application.service import NotificationsService
from services.notifications.bootstrap import build_application, build_service
from services.notifications.domain.letter_task_case import LetterTaskCase
from services.notifications.entrypoints.kafka import CONSUMERS
from services.notifications.settings import NotificationsSettings
from shared.contracts import (
    CASEWORKER_ASSESSMENTS,
    LETTER_TASKS,
    TRIAGE_CASEWORKER,
    TRIAGE_TOVHOLDER,
    CaseworkerAssessment,
    DecisionWithdrawn,
    RoutingDecision,
)
from shared.messaging.inbound import Inbound
from tests.support import outbox
from tests.unit.notifications.factories import (
    DEADLINES,
    JOURNAL,
    START,
    FakeClock,
    assessment_doc,
    decision,
    decision_doc,
    handover_doc,
)
from tests.unit.notifications.test_notifications_properties import Message, Triage, deliveries

CASE_A = LetterTaskCase.create_id(JOURNAL, "pk_a")
TOPIC = "services.notifications.domain.letter_task_case:LetterTaskCase."


@pytest.fixture
def app(settings: NotificationsSettings) -> NotificationsApplication:
    return build_application(settings)


@pytest.fixture
def service(
    settings: NotificationsSettings, app: NotificationsApplication, clock: FakeClock
) -> NotificationsService:
    return build_service(settings, app, clock)


def inbound(
    settings: NotificationsSettings, topic: str, doc: dict[str, Any], notification_id: int
) -> Inbound:
    return Inbound(
        topic=settings.topic(topic),
        partition=0,
        offset=notification_id,
        key=doc["person_key"].encode(),
        value=json.dumps(doc).encode(),
        headers={"ssp-origin": "triage", "ssp-notification-id": str(notification_id)},
    )


def stored_topics(app: NotificationsApplication, case_id: UUID) -> list[str]:
    return [e.topic.removeprefix(TOPIC) for e in app.recorder.select_events(case_id)]


def published_letters(app: NotificationsApplication) -> list[dict[str, Any]]:
    return [
        json.loads(m.body())
        for m in outbox(app, notifications_publications)
        if m.topic == LETTER_TASKS
    ]


class Calls:
    """Counts calls of the recorder's methods that read an aggregate's events."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, recorder: Any) -> None:
        self.counts = {"select_events": 0, "select_events_of": 0}
        for name in self.counts:
            monkeypatch.setattr(recorder, name, self._counting(name, getattr(recorder, name)))

    def _counting(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def counted(*args: Any, **kwargs: Any) -> Any:
            self.counts[name] += 1
            return method(*args, **kwargs)

        return counted


# --- one query per batch -------------------------------------------------------------------


def test_a_batch_loads_all_its_cases_with_one_query(
    settings: NotificationsSettings,
    app: NotificationsApplication,
    service: NotificationsService,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # pk_a and pk_b have cases already; pk_c, pk_d are new.
    CONSUMERS.batch_handler(service, settings)(
        [
            inbound(settings, TRIAGE_TOVHOLDER, decision_doc(key="pk_a"), 1),
            inbound(settings, TRIAGE_CASEWORKER, decision_doc(route="caseworker", key="pk_b"), 2),
        ]
    )
    calls = Calls(monkeypatch, app.recorder)
    CONSUMERS.batch_handler(service, settings)(
        [
            inbound(settings, TRIAGE_TOVHOLDER, decision_doc(key="pk_a", revision=2), 3),
            inbound(settings, CASEWORKER_ASSESSMENTS, assessment_doc(key="pk_b"), 4),
            inbound(settings, TRIAGE_TOVHOLDER, decision_doc(key="pk_c"), 5),
            inbound(settings, CASEWORKER_ASSESSMENTS, assessment_doc(key="pk_d"), 6),
            inbound(settings, TRIAGE_TOVHOLDER, decision_doc(key="pk_c", revision=2), 7),
        ]
    )
    assert calls.counts == {"select_events": 0, "select_events_of": 1}
    assert [(t["person_key"], t["event"], t["kind"]) for t in published_letters(app)] == [
        ("pk_a", "created", "orientering"),
        ("pk_b", "created", "orientering"),  # the assessment (inform) came for pk_b's decision
        ("pk_c", "created", "orientering"),
    ]


def test_the_overdue_check_loads_its_cases_with_one_query(
    settings: NotificationsSettings,
    app: NotificationsApplication,
    service: NotificationsService,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    CONSUMERS.batch_handler(service, settings)(
        [inbound(settings, TRIAGE_TOVHOLDER, decision_doc(key=k), n) for n, k in enumerate("abc")]
    )
    calls = Calls(monkeypatch, app.recorder)
    assert service.mark_overdue(clock.advance(hours=49)) == 3
    assert calls.counts == {"select_events": 0, "select_events_of": 1}
    assert [t["event"] for t in published_letters(app)] == ["created"] * 3 + ["overdue"] * 3


# --- one creation event -----------------------------------------------------------------------


def test_a_decision_opens_its_case_with_one_event(
    settings: NotificationsSettings, app: NotificationsApplication, service: NotificationsService
) -> None:
    CONSUMERS.batch_handler(service, settings)(
        [inbound(settings, TRIAGE_TOVHOLDER, decision_doc(), 1)]
    )
    # The tovholder route creates the task at once: case, decision and task in one event.
    assert stored_topics(app, CASE_A) == ["OpenedWithTask"]
    # The caseworker route waits for the assessment.
    key_c = LetterTaskCase.create_id(JOURNAL, "pk_c")
    CONSUMERS.batch_handler(service, settings)(
        [inbound(settings, TRIAGE_CASEWORKER, decision_doc(route="caseworker", key="pk_c"), 2)]
    )
    assert stored_topics(app, key_c) == ["OpenedWithDecision"]
    CONSUMERS.batch_handler(service, settings)(
        [inbound(settings, CASEWORKER_ASSESSMENTS, assessment_doc(key="pk_c"), 3)]
    )
    assert stored_topics(app, key_c) == ["OpenedWithDecision", "AssessmentRecorded", "TaskCreated"]
    # An assessment that comes first still opens the case alone.
    key_b = LetterTaskCase.create_id(JOURNAL, "pk_b")
    CONSUMERS.batch_handler(service, settings)(
        [inbound(settings, CASEWORKER_ASSESSMENTS, assessment_doc(key="pk_b"), 2)]
    )
    CONSUMERS.batch_handler(service, settings)(
        [inbound(settings, TRIAGE_CASEWORKER, decision_doc(route="caseworker", key="pk_b"), 3)]
    )
    assert stored_topics(app, key_b) == [
        "Opened",
        "AssessmentRecorded",
        "DecisionRecorded",
        "TaskCreated",
    ]


# Exactly what notifications stored for a tovholder decision before `OpenedWithDecision`.
OLD_STORED = [
    (
        "Opened",
        {
            "timestamp": {"_type_": "datetime_iso", "_data_": "2026-11-16T09:00:00.000001+00:00"},
            "originator_topic": "services.notifications.domain.letter_task_case:LetterTaskCase",
            "trace_context": {},
            "journal_number": JOURNAL,
            "person_key": "pk_a",
        },
    ),
    (
        "DecisionRecorded",
        {
            "timestamp": {"_type_": "datetime_iso", "_data_": "2026-11-16T09:00:00.000002+00:00"},
            "trace_context": {},
            "decision_id": f"decision-{JOURNAL}-1-pk_a",
            "revision": 1,
            "route": "tovholder",
            "municipality_code": "607",
            "age_at_incident": 14,
            "owner_role": None,
            "owner_team": None,
            "due_at": None,
            "youth_letter_age": None,
            "decision_kind": "initial",
            "revises_decision_id": None,
        },
    ),
    (
        "TaskCreated",
        {
            "timestamp": {"_type_": "datetime_iso", "_data_": "2026-11-16T09:00:00.000003+00:00"},
            "trace_context": {},
            "letter": {
                "task_id": str(CASE_A),
                "event": "created",
                "journal_number": JOURNAL,
                "person_key": "pk_a",
                "municipality_code": "607",
                "kind": "orientering",
                "recipients": ["parents"],
                "owner_role": "tovholder",
                "due_at": "2026-11-18T09:00:00Z",
                "at": "2026-11-16T09:00:00Z",
                "owner_team": None,
                "reason": None,
            },
        },
    ),
]


def store_old_case(app: NotificationsApplication) -> None:
    app.recorder.insert_events(
        [
            StoredEvent(
                originator_id=CASE_A,
                originator_version=version,
                topic=TOPIC + name,
                state=json.dumps(state).encode(),
            )
            for version, (name, state) in enumerate(OLD_STORED, start=1)
        ]
    )


def comparable(case: LetterTaskCase) -> dict[str, Any]:
    """The case's state, without what only says when and in how many events it was stored."""
    ignored = {"_version", "_created_on", "_modified_on", "_pending_events"}
    return {k: v for k, v in vars(case).items() if k not in ignored}


def test_a_case_stored_with_opened_and_decision_recorded_still_loads(
    settings: NotificationsSettings, clock: FakeClock
) -> None:
    old = build_application(settings)
    store_old_case(old)
    by_repository = old.repository.get(CASE_A)
    [by_batch] = old.load_many([CASE_A]).values()
    fresh, _ = LetterTaskCase.open_with_decision(decision(), START, DEADLINES)
    assert comparable(by_repository) == comparable(by_batch) == comparable(fresh)
    assert by_repository.version == 3

    # and it goes on as before: a duplicate changes nothing, a handover updates the task.
    service = build_service(settings, old, clock)
    clock.advance(hours=2)
    CONSUMERS.batch_handler(service, settings)(
        [
            inbound(settings, TRIAGE_TOVHOLDER, decision_doc(), 1),
            inbound(settings, TRIAGE_CASEWORKER, handover_doc(), 2),
        ]
    )
    assert stored_topics(old, CASE_A) == [
        "Opened",
        "DecisionRecorded",
        "TaskCreated",
        "DecisionRecorded",
        "TaskUpdated",
    ]
    completed = service.complete_task(str(CASE_A))
    assert (completed.event, completed.owner_role) == ("completed", "caseworker")
    assert [(t["event"], t["owner_role"], t["reason"]) for t in published_letters(old)] == [
        ("created", "tovholder", None),
        ("updated", "caseworker", "case_opened_after_routing"),
        ("completed", "caseworker", None),
    ]


# Exactly what notifications stored for a tovholder decision before `OpenedWithTask`: the
# opening with the decision, then the task.
OLD_OPENED_WITH_DECISION = [
    (
        "OpenedWithDecision",
        {
            **OLD_STORED[0][1],
            **{
                k: v for k, v in OLD_STORED[1][1].items() if k not in ("timestamp", "trace_context")
            },
        },
    ),
    OLD_STORED[2],
]


def test_a_case_stored_with_opened_with_decision_and_task_created_still_loads(
    settings: NotificationsSettings, clock: FakeClock
) -> None:
    old = build_application(settings)
    old.recorder.insert_events(
        [
            StoredEvent(
                originator_id=CASE_A,
                originator_version=version,
                topic=TOPIC + name,
                state=json.dumps(state).encode(),
            )
            for version, (name, state) in enumerate(OLD_OPENED_WITH_DECISION, start=1)
        ]
    )
    by_repository = old.repository.get(CASE_A)
    [by_batch] = old.load_many([CASE_A]).values()
    fresh, outcome = LetterTaskCase.open_with_decision(decision(), START, DEADLINES)
    assert outcome == "task_created"
    assert [type(e).__name__ for e in fresh.collect_events()] == ["OpenedWithTask"]
    assert comparable(by_repository) == comparable(by_batch) == comparable(fresh)
    assert by_repository.version == 2

    # and it goes on as before: a duplicate changes nothing, a handover updates the task.
    service = build_service(settings, old, clock)
    clock.advance(hours=2)
    CONSUMERS.batch_handler(service, settings)(
        [
            inbound(settings, TRIAGE_TOVHOLDER, decision_doc(), 1),
            inbound(settings, TRIAGE_CASEWORKER, handover_doc(), 2),
        ]
    )
    assert stored_topics(old, CASE_A) == [
        "OpenedWithDecision",
        "TaskCreated",
        "DecisionRecorded",
        "TaskUpdated",
    ]
    assert service.tasks("607", "open")[0].owner_role == "caseworker"


def test_a_task_opened_with_its_case_is_published_with_the_same_bytes(
    settings: NotificationsSettings, clock: FakeClock
) -> None:
    """What the relay publishes for `OpenedWithTask` is, byte for byte, what it published for
    `TaskCreated`; the task index and the overdue check see it as before."""
    old = build_application(settings)
    store_old_case(old)
    new = build_application(settings)
    service = build_service(settings, new, clock)
    CONSUMERS.batch_handler(service, settings)(
        [inbound(settings, TRIAGE_TOVHOLDER, decision_doc(), 1)]
    )
    [old_message] = outbox(old, notifications_publications)
    [new_message] = outbox(new, notifications_publications)
    assert (new_message.topic, new_message.key, new_message.body()) == (
        old_message.topic,
        old_message.key,
        old_message.body(),
    )
    assert [t.task_id for t in service.tasks("607", "open")] == [str(CASE_A)]
    assert service.mark_overdue(clock.advance(hours=49)) == 1
    assert [t["event"] for t in published_letters(new)] == ["created", "overdue"]


# --- either opening, the same case ----------------------------------------------------------


def receive(case: LetterTaskCase, message: BaseModel, n: int) -> str:
    now = START + timedelta(minutes=n)
    if isinstance(message, RoutingDecision):
        return case.receive_decision(message, now, DEADLINES)
    if isinstance(message, DecisionWithdrawn):
        return case.receive_withdrawal(message, now)
    assert isinstance(message, CaseworkerAssessment)
    return case.receive_assessment(message, now, DEADLINES)


def letters(case: LetterTaskCase) -> list[dict[str, Any]]:
    return [e.letter for e in case.collect_events() if isinstance(e, LetterTaskCase.TaskChanged)]


@settings(max_examples=200, deadline=None)
@given(delivery=deliveries())
def test_opening_with_the_decision_changes_nothing_that_follows(
    delivery: tuple[Triage, list[Message]],
) -> None:
    _, messages = delivery
    first, rest = messages[0], messages[1:]
    before = LetterTaskCase(JOURNAL, "pk_a")
    outcomes_before = [receive(before, m, n) for n, m in enumerate(messages)]
    if isinstance(first, RoutingDecision):
        after, outcome = LetterTaskCase.open_with_decision(first, START, DEADLINES)
    else:
        after = LetterTaskCase(JOURNAL, "pk_a")
        outcome = receive(after, first, 0)
    outcomes_after = [outcome] + [receive(after, m, n) for n, m in enumerate(rest, start=1)]
    assert outcomes_after == outcomes_before
    assert comparable(after) == comparable(before)
    assert letters(after) == letters(before)
