"""Triage's use cases on a real (in-memory) store: state survives reloading, batches are one
transaction, and the HTTP API shows the latest revision."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from services.triage.application.app import TriageApplication
from services.triage.application.service import TriageService
from services.triage.bootstrap import build_service
from services.triage.entrypoints.http import create_http_app
from services.triage.entrypoints.kafka import CONSUMERS
from services.triage.settings import TriageSettings
from shared.auth import ServiceAuth
from shared.contracts import INTAKE_INCIDENTS
from shared.eventstore import store_env
from shared.messaging.inbound import Inbound
from shared.runtime import ServiceContext
from tests.support import bearer
from tests.unit.triage.factories import (
    DECIDED_AT,
    JOURNAL,
    case_event,
    incident,
    incident_doc,
    person,
)


@pytest.fixture
def app(settings: TriageSettings) -> Iterator[TriageApplication]:
    application = TriageApplication(env=store_env(settings, "triage"))
    yield application
    application.close()


@pytest.fixture
def service(settings: TriageSettings, app: TriageApplication) -> TriageService:
    return build_service(settings, app, clock=lambda: DECIDED_AT)


def stored_event_names(app: TriageApplication) -> list[str]:
    notifications = app.recorder.select_notifications(start=None, limit=1000)
    return [n.topic.rsplit(".", 1)[-1] for n in notifications]


def test_route_follows_the_register_at_decision_time(service: TriageService) -> None:
    service.register_case_event(case_event("case_opened", at="2026-10-01T09:00:00+02:00"))
    [first] = service.triage_incident(incident(revision=1))
    service.register_case_event(case_event("case_closed", at="2026-10-05T09:00:00+02:00"))
    [second] = service.triage_incident(incident(revision=2))
    assert (first.route, first.case_id) == ("caseworker", "DUBU-2026-001234")
    assert (second.route, second.case_id) == ("tovholder", None)


def test_a_repeated_case_event_changes_nothing(service: TriageService) -> None:
    assert service.register_case_event(case_event("case_opened")) is True
    assert service.register_case_event(case_event("case_opened")) is False


def test_out_of_scope_person_is_stored_and_shown(
    service: TriageService, app: TriageApplication
) -> None:
    service.triage_incident(incident(persons=[person("pk_a"), person("pk_old", 30)]))
    assert stored_event_names(app) == [
        "OpenedAtRevision",  # the incident, opened with its first revision: one event
        "PersonRouted",
        "PersonOutOfScope",
        "StartedWithReport",  # pk_a's history, started by the report; the out-of-scope
        # person gets none
    ]
    latest = service.latest_triage(JOURNAL)
    assert latest is not None
    assert [d.person_key for d in latest.decisions] == ["pk_a"]
    assert latest.out_of_scope == ["pk_old"]


def test_one_batch_with_the_same_revision_twice_decides_once(
    service: TriageService, app: TriageApplication
) -> None:
    body = json.dumps(incident_doc()).encode()
    batch = [
        Inbound(INTAKE_INCIDENTS, 0, offset, JOURNAL.encode(), body, headers)
        for offset, headers in enumerate(
            [
                {"ssp-origin": "intake", "ssp-notification-id": "1"},
                {"ssp-origin": "intake", "ssp-notification-id": "2"},
            ]
        )
    ]
    CONSUMERS.batch_handler(service)(batch)
    assert stored_event_names(app).count("PersonRouted") == 1
    assert app.already_tracked(f"intake@{INTAKE_INCIDENTS}", [1, 2]) == {1, 2}


async def test_http_shows_the_latest_revision_or_404(
    settings: TriageSettings, service: TriageService, app: TriageApplication
) -> None:
    service.triage_incident(incident(revision=1, persons=[person("pk_a"), person("pk_b")]))
    service.triage_incident(incident(revision=2, persons=[person("pk_b", 18)]))
    executor = ThreadPoolExecutor(max_workers=1)
    ctx = ServiceContext("triage", settings, app, executor)
    auth = ServiceAuth(settings, "triage")
    api = create_http_app(ctx, service, auth.access_control(ctx))
    transport = httpx.ASGITransport(app=api)
    tovholder = bearer(settings, "tovholder")
    async with httpx.AsyncClient(
        transport=transport, base_url="http://triage", headers=tovholder
    ) as client:
        found = await client.get(f"/v1/decisions/{JOURNAL}")
        missing = await client.get("/v1/decisions/3700-80123-99999-26")
    executor.shutdown()
    auth.close()
    assert found.status_code == 200
    body = found.json()
    assert body["revision"] == 2
    assert [(d["person_key"], d["workflow"]) for d in body["decisions"]] == [("pk_b", "adult")]
    assert missing.status_code == 404


async def test_http_shows_the_profiles_in_force(
    settings: TriageSettings, service: TriageService, app: TriageApplication
) -> None:
    executor = ThreadPoolExecutor(max_workers=1)
    ctx = ServiceContext("triage", settings, app, executor)
    auth = ServiceAuth(settings, "triage")
    api = create_http_app(ctx, service, auth.access_control(ctx))
    transport = httpx.ASGITransport(app=api)
    management = bearer(settings, "management")
    async with httpx.AsyncClient(
        transport=transport, base_url="http://triage", headers=management
    ) as client:
        listed = await client.get("/v1/profiles")
        herning = await client.get("/v1/profiles/657")
        unconfigured = await client.get("/v1/profiles/751")  # Aarhus: no profile of its own
        unknown = await client.get("/v1/profiles/999")
        bad = await client.get("/v1/profiles/65")
    executor.shutdown()
    auth.close()
    assert [p["code"] for p in listed.json()] == ["161", "376", "575", "607", "657", "default"]
    assert herning.json()["districts"]["nord"]["team"] == "SSP-medarbejder distrikt nord"
    assert unconfigured.json()["code"] == "default"
    assert unknown.status_code == 422  # issue 14, part 1: no such municipality
    assert bad.status_code == 422


def test_one_batch_reads_every_aggregate_it_touches_in_two_queries(
    service: TriageService, app: TriageApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    service.triage_incident(incident(persons=[person("pk_a"), person("pk_b")]))
    queries: list[int] = []
    load_many = app.load_many

    def counting(ids: Any) -> Any:
        queries.append(len(set(ids)))
        return load_many(ids)

    monkeypatch.setattr(app, "load_many", counting)
    docs = [
        incident_doc(revision=2, persons=[person("pk_b")]),  # pk_a's report is withdrawn
        incident_doc(journal_number="3700-80123-00457-26", persons=[person("pk_c")]),
    ]
    CONSUMERS.batch_handler(service)(
        [
            Inbound(
                INTAKE_INCIDENTS,
                0,
                offset,
                doc["journal_number"].encode(),
                json.dumps(doc).encode(),
                {"ssp-origin": "intake", "ssp-notification-id": str(10 + offset)},
            )
            for offset, doc in enumerate(docs)
        ]
    )
    # 1: both incidents, the case registers and histories of pk_b and pk_c (no flag calls for
    # an exit referral, so none is looked up); 2: the histories of the persons the first
    # incident's previous revision routed.
    assert queries == [6, 1]
    assert stored_event_names(app).count("ReportWithdrawn") == 1
