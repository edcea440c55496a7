"""Every event a message causes in triage stores the trace context of the message's span: the
use case asks for it once and hands it to the events it creates (`IncidentTriage.open`,
`triage`, `PersonHistory.start`); the events that ask for it themselves (a revision received,
a report recorded in an existing history) must store the very same."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest

from services.triage.application.app import TriageApplication
from services.triage.application.service import TriageService
from services.triage.bootstrap import build_service
from services.triage.domain.incident_triage import IncidentTriage
from services.triage.domain.person_history import PersonHistory
from services.triage.domain.routing import Report
from services.triage.entrypoints.kafka import CONSUMERS
from services.triage.settings import TriageSettings
from shared.contracts import INTAKE_INCIDENTS
from shared.eventstore import store_env
from shared.messaging.inbound import NOTIFICATION_ID_HEADER, ORIGIN_HEADER, Inbound
from tests.unit.triage.factories import (
    DECIDED_AT,
    JOURNAL,
    PROFILES,
    incident,
    incident_doc,
    person,
)

SETTINGS = TriageSettings(SSP_DATABASE_URL="memory")
TRACES = ["0af7651916cd43dd8448eb211c80319c", "4bf92f3577b34da6a3ce929d0e0e4736"]


@pytest.fixture
def service() -> Iterator[TriageService]:
    app = TriageApplication(env=store_env(SETTINGS, "triage"))
    yield build_service(SETTINGS, app, clock=lambda: DECIDED_AT)
    app.close()


def message(service: TriageService, doc: dict[str, Any], offset: int, trace: str) -> Inbound:
    return Inbound(
        topic=SETTINGS.topic(INTAKE_INCIDENTS),
        partition=0,
        offset=offset,
        key=doc["journal_number"].encode(),
        value=json.dumps(doc).encode(),
        headers={
            ORIGIN_HEADER: "intake",
            NOTIFICATION_ID_HEADER: str(offset + 1),
            "traceparent": f"00-{trace}-b7ad6b7169203331-01",
        },
    )


def stored_contexts(service: TriageService) -> list[tuple[str, dict[str, str]]]:
    notifications = service.app.recorder.select_notifications(start=1, limit=1000)
    return [
        (n.topic.rsplit(".", 1)[-1], json.loads(n.state)["trace_context"]) for n in notifications
    ]


def test_the_events_of_a_message_store_its_span_s_trace_context(service: TriageService) -> None:
    first = incident_doc(1, persons=[person("pk_a"), person("pk_b", 17)])
    other = {**first, "journal_number": "3700-80123-00457-26", "persons": [person("pk_a")]}
    # A revision: pk_a's role changed, pk_b removed, pk_c added.
    revised = incident_doc(2, persons=[person("pk_a", role="antruffet"), person("pk_c", 16)])
    CONSUMERS.batch_handler(service)(
        [message(service, first, 0, TRACES[0]), message(service, other, 1, TRACES[1])]
    )
    CONSUMERS.batch_handler(service)([message(service, revised, 2, TRACES[1])])

    by_span: dict[str, list[str]] = defaultdict(list)
    for topic, context in stored_contexts(service):
        assert list(context) == ["traceparent"]
        version, trace, span, flags = context["traceparent"].split("-")
        assert (version, flags, len(span)) == ("00", "01", 16)
        by_span[f"{trace}-{span}"].append(topic)
    traces = [key.split("-")[0] for key in by_span]
    assert traces == [TRACES[0], TRACES[1], TRACES[1]]  # a span per message
    # Handed the context: creations, decisions, new histories; asking for it themselves:
    # revisions received, reports recorded in histories already there, withdrawals.
    assert [" ".join(topics) for topics in by_span.values()] == [
        "OpenedAtRevision PersonRouted PersonRouted StartedWithReport StartedWithReport",
        "ReportRecorded OpenedAtRevision PersonRouted",
        "ReportRecorded RevisionReceived PersonRouted PersonRouted PersonWithdrawn "
        "ReportWithdrawn StartedWithReport",
    ]


def test_every_event_gets_a_trace_context_of_its_own() -> None:
    context = {"traceparent": f"00-{TRACES[0]}-b7ad6b7169203331-01"}
    first = incident(persons=[person("pk_a"), person("pk_b", 17)])
    triage, _ = IncidentTriage.open(first, {}, PROFILES, DECIDED_AT, context)
    history = PersonHistory.start(
        "pk_a", Report(JOURNAL, 1, first.occurred_at, "sigtet", "vold", 14), trace_context=context
    )
    events: list[Any] = [*triage.pending_events, *history.pending_events]
    assert len(events) == 4
    assert all(event.trace_context == context for event in events)
    assert len({id(event.trace_context) for event in events} | {id(context)}) == 5
