"""Intake's HTTP API: clear errors that never echo input, and rejected input kept for
correction and re-submission by the staff the access policy allows (tests/unit/auth has the
full role matrix)."""

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
from tests.unit.auth.support import PSEUDONYM_SECRET, auth_env, headers

POLICE = headers("police_integration", purpose=False)
STAFF = headers("police_coordinator", municipalities=["607"])


async def _ready() -> dict[str, bool]:
    return {"broker": True, "store": True}


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = IntakeSettings(**auth_env(tmp_path, INTAKE_PSEUDONYM_SECRET=PSEUDONYM_SECRET))
    d = definition(settings)
    executor = ThreadPoolExecutor(max_workers=1)
    app = executor.submit(d.app_factory).result()
    api = d.http_factory(ServiceContext("intake", settings, app, executor))
    add_platform_routes(api, _ready, "intake")
    transport = httpx.ASGITransport(app=api)
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as c:
        yield c
    for release in d.on_stop:
        release()
    executor.shutdown()


async def test_submit_accepts_then_reports_duplicate(client: httpx.AsyncClient) -> None:
    body = json.dumps(example("incident-valid.json"))
    first = await client.post("/v1/incidents", content=body, headers=POLICE)
    again = await client.post("/v1/incidents", content=body, headers=POLICE)
    assert first.status_code == 202 and first.json()["status"] == "accepted"
    assert again.status_code == 200 and again.json()["status"] == "duplicate"


async def test_submitting_needs_a_token(client: httpx.AsyncClient) -> None:
    body = json.dumps(example("incident-valid.json"))
    assert (await client.post("/v1/incidents", content=body)).status_code == 401


async def test_bad_input_names_every_field_never_echoes_and_is_kept(
    client: httpx.AsyncClient,
) -> None:
    raw = json.dumps(example("incident-invalid.json"))
    response = await client.post("/v1/incidents", content=raw, headers=POLICE)
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
    assert "310299" not in refused.text
    kept = await client.get(f"/v1/rejected/{reference}", headers=STAFF)
    assert kept.status_code == 200
    assert kept.json()["original_text"] == raw

    corrected = example("incident-valid.json")
    resubmitted = await client.post(
        f"/v1/rejected/{reference}/resubmit", content=json.dumps(corrected), headers=STAFF
    )
    assert resubmitted.status_code == 202
    after = await client.get(f"/v1/rejected/{reference}", headers=STAFF)
    assert after.json()["corrected_by"] == {
        "journal_number": corrected["journal_number"],
        "revision": 1,
        "how": "resubmitted",
    }


async def test_a_tovholder_of_another_municipality_gets_404(client: httpx.AsyncClient) -> None:
    raw = json.dumps(example("incident-invalid.json"))  # its location is 607
    reference = (await client.post("/v1/incidents", content=raw, headers=POLICE)).json()[
        "reference"
    ]
    here = headers("tovholder", municipalities=["607"])
    elsewhere = headers("tovholder", municipalities=["376"])
    assert (await client.get(f"/v1/rejected/{reference}", headers=here)).status_code == 200
    assert (await client.get(f"/v1/rejected/{reference}", headers=elsewhere)).status_code == 404


async def test_unknown_reference_is_404_and_health_answers(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/rejected/not-a-reference", headers=STAFF)).status_code == 404
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).status_code == 200
