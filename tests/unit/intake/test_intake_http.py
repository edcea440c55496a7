"""Intake's HTTP API: clear errors that never echo input, and rejected input kept for
authorised correction and re-submission."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from services.intake.bootstrap import definition
from services.intake.settings import IntakeSettings
from shared.http import add_platform_routes
from shared.runtime import ServiceContext
from tests.support import example

TOKEN = "staff-token-for-tests"


async def _ready() -> dict[str, bool]:
    return {"broker": True, "store": True}


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = IntakeSettings(
        SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path), INTAKE_STAFF_TOKEN=TOKEN
    )
    d = definition(settings)
    executor = ThreadPoolExecutor(max_workers=1)
    app = executor.submit(d.app_factory).result()
    api = d.http_factory(ServiceContext("intake", settings, app, executor))
    add_platform_routes(api, _ready, "intake")
    transport = httpx.ASGITransport(app=api)
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as c:
        yield c
    executor.shutdown()


async def test_submit_accepts_then_reports_duplicate(client: httpx.AsyncClient) -> None:
    body = json.dumps(example("incident-valid.json"))
    first = await client.post("/v1/incidents", content=body)
    again = await client.post("/v1/incidents", content=body)
    assert first.status_code == 202 and first.json()["status"] == "accepted"
    assert again.status_code == 200 and again.json()["status"] == "duplicate"


async def test_bad_input_names_every_field_never_echoes_and_is_kept(
    client: httpx.AsyncClient,
) -> None:
    raw = json.dumps(example("incident-invalid.json"))
    response = await client.post("/v1/incidents", content=raw)
    assert response.status_code == 422
    body = response.json()
    fields = {p["field"] for p in body["problems"]}
    assert {
        "journal_number",
        "revision",
        "occurred_at",
        "offence.code",
        "persons[0].cpr",
        "persons[0].role",
        "persons[0].municipality_code",
    } <= fields
    assert "310299" not in response.text and "Test Person" not in response.text

    reference = body["reference"]
    refused = await client.get(f"/v1/rejected/{reference}")
    assert refused.status_code == 401
    kept = await client.get(
        f"/v1/rejected/{reference}", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert kept.status_code == 200
    assert kept.json()["original_text"] == raw

    corrected = example("incident-valid.json")
    resubmitted = await client.post(
        f"/v1/rejected/{reference}/resubmit",
        content=json.dumps(corrected),
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert resubmitted.status_code == 202
    after = await client.get(
        f"/v1/rejected/{reference}", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert after.json()["corrected_by"] == {
        "journal_number": corrected["journal_number"],
        "revision": 1,
    }


async def test_unknown_reference_is_404_and_health_answers(client: httpx.AsyncClient) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    assert (await client.get("/v1/rejected/not-a-reference", headers=headers)).status_code == 404
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).status_code == 200
