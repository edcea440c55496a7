"""Notifications' HTTP API: listing and completing letter tasks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from services.notifications.application.service import NotificationsService
from services.notifications.bootstrap import build_application, build_service
from services.notifications.domain.letter_task_case import LetterTaskCase
from services.notifications.entrypoints.http import create_http_app
from services.notifications.settings import NotificationsSettings
from shared.auth import ServiceAuth
from shared.runtime import ServiceContext
from tests.support import bearer
from tests.unit.notifications.factories import JOURNAL, FakeClock, decision

TASK_A = str(LetterTaskCase.create_id(JOURNAL, "pk_a"))


@pytest.fixture
async def client(
    settings: NotificationsSettings, clock: FakeClock
) -> AsyncIterator[httpx.AsyncClient]:
    app = build_application(settings)
    service: NotificationsService = build_service(settings, app, clock)
    service.receive_decision(decision(key="pk_a", age=16))
    clock.advance(hours=1)  # pk_b is due later
    service.receive_decision(decision(key="pk_b", age=10))
    executor = ThreadPoolExecutor(max_workers=1)
    ctx = ServiceContext("notifications", settings, app, executor)
    auth = ServiceAuth(settings, "notifications")
    api = create_http_app(ctx, service, auth.access_control(ctx))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=api),
        base_url="http://notifications",
        headers=bearer(settings, "tovholder", ["607", "376"]),
    ) as http:
        yield http
    executor.shutdown()
    auth.close()


async def test_list_then_complete(client: httpx.AsyncClient) -> None:
    listed = await client.get("/v1/letter-tasks", params={"municipality_code": "607"})
    assert listed.status_code == 200
    tasks = listed.json()["tasks"]
    assert [(t["person_key"], t["status"], t["recipients"]) for t in tasks] == [
        ("pk_a", "open", ["parents", "youth"]),
        ("pk_b", "open", ["parents"]),
    ]
    assert tasks[0]["task_id"] == TASK_A

    completed = await client.post(f"/v1/letter-tasks/{TASK_A}/complete")
    assert completed.status_code == 200
    assert (completed.json()["event"], completed.json()["status"]) == ("completed", "completed")
    again = await client.post(f"/v1/letter-tasks/{TASK_A}/complete")
    assert again.status_code == 409

    still_open = await client.get(
        "/v1/letter-tasks", params={"municipality_code": "607", "status": "open"}
    )
    assert [t["person_key"] for t in still_open.json()["tasks"]] == ["pk_b"]
    every = await client.get(
        "/v1/letter-tasks", params={"municipality_code": "607", "status": "all"}
    )
    assert len(every.json()["tasks"]) == 2
    elsewhere = await client.get("/v1/letter-tasks", params={"municipality_code": "376"})
    assert elsewhere.json()["tasks"] == []


async def test_unknown_task_is_404(client: httpx.AsyncClient) -> None:
    unknown = str(LetterTaskCase.create_id(JOURNAL, "pk_nobody"))
    assert (await client.post(f"/v1/letter-tasks/{unknown}/complete")).status_code == 404
    assert (await client.post("/v1/letter-tasks/nonsense/complete")).status_code == 404


async def test_bad_filters_are_422(client: httpx.AsyncClient) -> None:
    bad_status = {"municipality_code": "607", "status": "pending"}
    assert (await client.get("/v1/letter-tasks", params=bad_status)).status_code == 422
    assert (await client.get("/v1/letter-tasks")).status_code == 422
    bad_code = {"municipality_code": "60"}
    assert (await client.get("/v1/letter-tasks", params=bad_code)).status_code == 422
