"""The Kafka handler's cost per message: a batch loads every case it touches with one query."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from uuid import UUID

import pytest

from services.notifications.adapters.publications import notifications_publications
from services.notifications.application.app import NotificationsApplication
from services.notifications.application.service import NotificationsService
from services.notifications.bootstrap import build_application, build_service
from services.notifications.domain.letter_task_case import LetterTaskCase
from services.notifications.settings import NotificationsSettings
from shared.contracts import (
    CASEWORKER_ASSESSMENTS,
    LETTER_TASKS,
    TRIAGE_CASEWORKER,
    TRIAGE_TOVHOLDER,
)
from shared.messaging.inbound import Inbound
from tests.support import outbox
from tests.unit.notifications.factories import (
    JOURNAL,
    FakeClock,
    assessment_doc,
    decision_doc,
)

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
    service.handle_batch(
        [
            inbound(settings, TRIAGE_TOVHOLDER, decision_doc(key="pk_a"), 1),
            inbound(settings, TRIAGE_CASEWORKER, decision_doc(route="caseworker", key="pk_b"), 2),
        ]
    )
    calls = Calls(monkeypatch, app.recorder)
    service.handle_batch(
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
