"""The caseworker's side over HTTP (issue 17, part 3): an assessment through notifications'
API has the effect one on ssp.caseworker.assessments.v1 has (the parents' letter), a family
meeting follows a summons, the caseworker app records them for its own persons only, and
everything recorded either way is published on ssp.notifications.assessments.v1."""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from services.notifications.adapters.publications import notifications_publications
from services.notifications.application.service import NotificationsService
from services.notifications.bootstrap import build_application, build_service
from services.notifications.entrypoints.http import create_http_app
from services.notifications.settings import NotificationsSettings
from shared.auth import ServiceAuth
from shared.contracts import LETTER_TASKS, NOTIFICATIONS_ASSESSMENTS
from shared.http import add_platform_routes
from shared.runtime import ServiceContext
from tests.support import bearer
from tests.unit.notifications.factories import JOURNAL, FakeClock, assessment, decision


@dataclass
class Api:
    http: httpx.AsyncClient
    service: NotificationsService
    settings: NotificationsSettings

    async def post(
        self,
        path: str,
        body: dict[str, Any],
        role: str = "caseworker",
        codes: tuple[str, ...] = ("607",),
    ) -> httpx.Response:
        return await self.http.post(path, json=body, headers=bearer(self.settings, role, codes))

    def published(self) -> list[tuple[str, str, dict[str, Any]]]:
        app = self.service.app
        out = []
        for n in app.recorder.select_notifications(start=1, limit=100):
            for message in notifications_publications(app.mapper.to_domain_event(n)):
                out.append((message.topic, message.key, message.value.model_dump(mode="json")))  # type: ignore[union-attr]
        return out


@pytest.fixture
async def api(settings: NotificationsSettings, clock: FakeClock) -> AsyncIterator[Api]:
    app = build_application(settings)
    service = build_service(settings, app, clock)
    service.receive_decision(decision(route="caseworker", key="pk_cw", age=16))
    service.receive_decision(decision(route="tovholder", key="pk_tov", age=14))
    service.receive_decision(decision(route="caseworker", key="pk_376", municipality_code="376"))
    executor = ThreadPoolExecutor(max_workers=1)
    ctx = ServiceContext("notifications", settings, app, executor)
    auth = ServiceAuth(settings, "notifications")
    http_app = create_http_app(ctx, service, auth.access_control(ctx))

    async def ready() -> dict[str, bool]:
        return {"store": True}

    add_platform_routes(http_app, ready, "notifications")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=http_app), base_url="http://notifications"
    ) as http:
        yield Api(http, service, settings)
    executor.shutdown()
    auth.close()


SUMMON = {
    "journal_number": JOURNAL,
    "person_key": "pk_cw",
    "outcome": "summon",
    "caseworker": "ABJ",
}


async def test_a_summons_over_http_creates_the_letter_and_is_published(api: Api) -> None:
    answer = await api.post("/v1/assessments", SUMMON)
    assert answer.status_code == 200, answer.text
    assert answer.json()["result"] == "task_created"
    again = await api.post("/v1/assessments", SUMMON)  # the same again: nothing new
    assert again.status_code == 200
    published = api.published()
    letters = [p for p in published if p[0] == LETTER_TASKS and p[1] == "pk_cw"]
    assert [(p[2]["event"], p[2]["kind"]) for p in letters] == [("created", "indkaldelse")]
    records = [p for p in published if p[0] == NOTIFICATIONS_ASSESSMENTS]
    assert records[0][1] == "pk_cw"
    assert {k: records[0][2][k] for k in ("event", "outcome", "via", "municipality_code")} == {
        "event": "assessed",
        "outcome": "summon",
        "via": "http",
        "municipality_code": "607",
    }


async def test_the_family_meeting_follows_a_summons(api: Api, clock: FakeClock) -> None:
    meeting = {
        "journal_number": JOURNAL,
        "person_key": "pk_cw",
        "held_on": clock().date().isoformat(),
        "caseworker": "ABJ",
        "youth_attended": True,
    }
    refused = await api.post("/v1/assessments/family-meeting", meeting)
    assert refused.status_code == 409 and refused.json()["error"] == "not_summoned"
    await api.post("/v1/assessments", SUMMON)
    future = {**meeting, "held_on": "2099-01-01"}
    too_late = await api.post("/v1/assessments/family-meeting", future)
    assert too_late.status_code == 422 and too_late.json()["field"] == "held_on"
    held = await api.post("/v1/assessments/family-meeting", meeting)
    assert held.status_code == 200, held.text
    events = [p[2]["event"] for p in api.published() if p[0] == NOTIFICATIONS_ASSESSMENTS]
    assert events == ["assessed", "family_meeting_held"]


async def test_an_assessment_on_kafka_is_published_too_without_its_note(api: Api) -> None:
    api.service.receive_assessment(assessment(outcome="inform", key="pk_cw"))
    [record] = [p for p in api.published() if p[0] == NOTIFICATIONS_ASSESSMENTS]
    assert record[2]["via"] == "kafka" and "note" not in record[2]


@pytest.mark.parametrize(
    ("body", "role", "codes", "status"),
    [
        (SUMMON, "caseworker_app", ("607",), 200),  # its own person: assessments:write
        ({**SUMMON, "person_key": "pk_376"}, "caseworker_app", ("607",), 404),
        ({**SUMMON, "person_key": "pk_nobody"}, "caseworker", ("607",), 404),
        ({**SUMMON, "person_key": "pk_tov"}, "caseworker", ("607",), 409),
        (SUMMON, "tovholder", ("607",), 403),
        (SUMMON, "school_representative", ("607",), 403),
        ({**SUMMON, "outcome": "lock_up"}, "caseworker", ("607",), 422),
        ({**SUMMON, "caseworker": "x" * 51}, "caseworker", ("607",), 422),
    ],
)
async def test_who_may_record_for_whom(
    api: Api, body: dict[str, Any], role: str, codes: tuple[str, ...], status: int
) -> None:
    answer = await api.post("/v1/assessments", body, role=role, codes=codes)
    assert answer.status_code == status, answer.text
    assert "error" in answer.json() or status == 200


def test_the_sample_app_records_an_assessment_and_the_meeting(
    settings: NotificationsSettings, clock: FakeClock
) -> None:
    """samples/caseworker-app/record_assessment.py, as a caseworker app runs it."""
    path = Path(__file__).parents[3] / "samples" / "caseworker-app" / "record_assessment.py"
    spec = importlib.util.spec_from_file_location("record_assessment", path)
    assert spec is not None and spec.loader is not None
    sample = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sample)

    app = build_application(settings)
    service = build_service(settings, app, clock)
    service.receive_decision(decision(route="caseworker", key="pk_cw", age=16))
    executor = ThreadPoolExecutor(max_workers=1)
    ctx = ServiceContext("notifications", settings, app, executor)
    auth = ServiceAuth(settings, "notifications")
    http_app = create_http_app(ctx, service, auth.access_control(ctx))
    token = bearer(settings, "caseworker_app", ["607"])["Authorization"].removeprefix("Bearer ")
    base = ["--journal", JOURNAL, "--person", "pk_cw", "--caseworker", "ABJ"]

    with TestClient(http_app) as client:
        status, answer = sample.record(
            client, token, sample.parse_args([*base, "--outcome", "summon"])
        )
        assert (status, answer["result"]) == (200, "task_created")
        meeting = [*base, "--family-meeting", clock().date().isoformat(), "--youth-attended"]
        status, answer = sample.record(client, token, sample.parse_args(meeting))
        assert (status, answer["youth_attended"]) == (200, True)
        other = sample.parse_args(["--journal", JOURNAL, "--person", "pk_x", "--caseworker", "A"])
        assert sample.record(client, token, other)[0] == 404
    executor.shutdown()
    auth.close()
