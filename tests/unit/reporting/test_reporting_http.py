"""Reporting's HTTP API over its read models."""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from services.reporting.application.service import ReportingService
from services.reporting.bootstrap import build_application, build_read_side
from services.reporting.domain import observations
from services.reporting.entrypoints.http import create_http_app
from services.reporting.settings import ReportingSettings
from shared.auth import ServiceAuth
from shared.contracts import AcceptedIncident
from shared.eventstore import UnitOfWork
from shared.runtime import ServiceContext
from tests.unit.auth.support import auth_env, headers
from tests.unit.reporting.documents import (
    FREDERICIA,
    JOURNAL,
    PK_TOVHOLDER,
    WEEK,
    accepted_incident,
    person,
)


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = ReportingSettings(**auth_env(tmp_path))
    app = build_application(settings)
    uow = UnitOfWork(app)
    ReportingService(app).observe(
        uow,
        observations.incident_accepted(
            AcceptedIncident.model_validate(accepted_incident([person(PK_TOVHOLDER, 14)]))
        ),
        service="intake",
        trace_id=None,
    )
    uow.commit()
    projection, queries = build_read_side(settings, app)
    executor = ThreadPoolExecutor(max_workers=1)
    ctx = ServiceContext("reporting", settings, app, executor)
    auth = ServiceAuth(settings, "reporting")
    api = create_http_app(ctx, queries, projection, auth.access_control(ctx))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=api),
        base_url="http://reporting",
        headers=headers("tovholder", municipalities=[FREDERICIA]),
    ) as http:
        yield http
    auth.close()
    executor.shutdown()


OPERATIONS = headers("operations", municipalities=[])


async def test_rebuild_then_handover_and_trace(client: httpx.AsyncClient) -> None:
    assert (await client.get(f"/v1/handover/{FREDERICIA}/{WEEK}")).json()["persons"] == []

    assert (await client.post("/v1/admin/rebuild")).status_code == 403  # a tovholder
    rebuilt = await client.post("/v1/admin/rebuild", headers=OPERATIONS)
    assert rebuilt.status_code == 200
    assert rebuilt.json() == {"rebuilt": True, "events": 1}  # the incident's step

    listed = await client.get(f"/v1/handover/{FREDERICIA}/{WEEK}")
    assert listed.status_code == 200
    body = listed.json()
    assert (body["municipality_code"], body["iso_week"]) == (FREDERICIA, WEEK)
    assert [(p["person_key"], p["route"]) for p in body["persons"]] == [(PK_TOVHOLDER, None)]

    trace = await client.get(f"/v1/trace/{JOURNAL}")
    assert trace.status_code == 200
    assert trace.json()["journal_number"] == JOURNAL
    assert [s["step"] for s in trace.json()["steps"]] == ["incident_accepted"]
    assert set(trace.json()["steps"][0]) == {
        "at",
        "service",
        "step",
        "person_key",
        "revision",
        "detail",
        "trace_id",
        "text",
    }
    assert trace.json()["steps"][0]["text"] == (
        "Politianmeldelse modtaget: butikstyveri, 1 person(er)"
    )


@pytest.mark.parametrize("week", ["2026-47", "2026-W54", "week47", "2026-W00"])
async def test_bad_iso_week_is_422_naming_the_field(client: httpx.AsyncClient, week: str) -> None:
    response = await client.get(f"/v1/handover/{FREDERICIA}/{week}")
    assert response.status_code == 422
    problem = response.json()["problems"][0]
    assert problem["field"] == "iso_week"
    assert "2026-W47" in problem["message"] or "does not exist" in problem["message"]


async def test_bad_municipality_code_is_422(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/v1/handover/fredericia/{WEEK}")
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "municipality_code"


async def test_unknown_journal_number_is_404(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/trace/3700-00000-00000-26")).status_code == 404


async def test_another_municipality_is_403_and_no_token_401(client: httpx.AsyncClient) -> None:
    assert (await client.get(f"/v1/handover/376/{WEEK}")).status_code == 403
    anonymous = await client.get(f"/v1/handover/{FREDERICIA}/{WEEK}", headers={"Authorization": ""})
    assert anonymous.status_code == 401


async def test_statistics_count_without_naming_anyone(client: httpx.AsyncClient) -> None:
    await client.post("/v1/admin/rebuild", headers=OPERATIONS)
    counted = await client.get(f"/v1/statistics/{FREDERICIA}/{WEEK}")
    assert counted.status_code == 200
    assert counted.json()["persons"] is None  # one person: below five, suppressed
    assert counted.json()["suppressed_below"] == 5
    assert PK_TOVHOLDER not in counted.text


async def test_a_code_that_is_no_municipality_is_422(client: httpx.AsyncClient) -> None:
    """Issue 14, part 1: every municipality code is checked against the official list."""
    for path in (f"/v1/statistics/999/{WEEK}", f"/v1/handover/999/{WEEK}"):
        answered = await client.get(path)
        assert answered.status_code == 422, path
        assert "999" not in answered.text
