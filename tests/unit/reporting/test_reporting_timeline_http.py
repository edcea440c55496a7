"""`GET /v1/persons/{person_key}/timeline`: the person's rows each caller may see, paged and
audited (issue 17, part 1)."""

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
from shared.contracts import AcceptedIncident, LetterTaskEvent, RoutingDecision
from shared.eventstore import UnitOfWork
from shared.runtime import ServiceContext
from tests.unit.auth.support import auth_env, headers
from tests.unit.reporting.documents import (
    FREDERICIA,
    PK_TOVHOLDER,
    accepted_incident,
    letter_task,
    person,
    routing_decision,
)

PATH = f"/v1/persons/{PK_TOVHOLDER}/timeline"


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = ReportingSettings(**auth_env(tmp_path))
    app = build_application(settings)
    uow = UnitOfWork(app)
    reporting = ReportingService(app)
    seen = [
        observations.incident_accepted(
            AcceptedIncident.model_validate(accepted_incident([person(PK_TOVHOLDER, 14)]))
        ),
        observations.routed(
            RoutingDecision.model_validate(
                routing_decision(PK_TOVHOLDER, "tovholder", decided_at="2026-11-16T08:12:03+01:00")
            )
        ),
        observations.letter_task_changed(
            LetterTaskEvent.model_validate(
                letter_task(PK_TOVHOLDER, "created", at="2026-11-16T08:12:04+01:00")
            )
        ),
    ]
    for observation in seen:
        reporting.observe(uow, observation, service="test", trace_id=None)
    uow.commit()
    projection, queries = build_read_side(settings, app)
    projection.catch_up()
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


async def test_the_coordinator_reads_every_row_in_danish_in_time_order(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.get(PATH)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [r["code"] for r in body["rows"]] == [
        "incident_accepted",
        "routed_tovholder",
        "letter_task_created",
    ]
    assert body["rows"][2]["text"] == (
        "Orienteringsbrev til forældrene: opgave oprettet, ejer SSP-koordinator (tovholder), "
        "frist 19. november 2026"
    )
    assert (body["total"], body["next_offset"]) == (3, None)
    assert set(body["clocks"]) == {"3700-80123-00456-26"}


async def test_pages(client: httpx.AsyncClient) -> None:
    first = (await client.get(PATH, params={"limit": 2})).json()
    assert [r["code"] for r in first["rows"]] == ["incident_accepted", "routed_tovholder"]
    assert first["next_offset"] == 2
    rest = (await client.get(PATH, params={"limit": 2, "offset": 2})).json()
    assert [r["code"] for r in rest["rows"]] == ["letter_task_created"]
    assert rest["next_offset"] is None
    assert (await client.get(PATH, params={"limit": 501})).status_code == 422


@pytest.mark.parametrize("role", ["police_coordinator", "school_representative"])
async def test_the_police_and_schools_see_the_police_report_only(
    client: httpx.AsyncClient, role: str
) -> None:
    answer = await client.get(PATH, headers=headers(role, municipalities=[FREDERICIA]))
    assert answer.status_code == 200, answer.text
    assert [r["code"] for r in answer.json()["rows"]] == ["incident_accepted"]
    assert answer.json()["clocks"] == {}


async def test_out_of_reach_is_unknown_and_the_read_is_audited(
    client: httpx.AsyncClient,
) -> None:
    other_school = headers("school_representative", municipalities=[FREDERICIA], schools=["X"])
    assert (await client.get(PATH, headers=other_school)).status_code == 404
    assert (
        await client.get(PATH, headers=headers("tovholder", municipalities=["376"]))
    ).status_code == 404
    assert (await client.get(PATH, headers=headers("management"))).status_code == 403
    assert (await client.get("/v1/persons/pk_unknown/timeline")).status_code == 404
    await client.get(PATH)
    auditor = headers("auditor", municipalities=[])
    export = (await client.get(f"/v1/audit/export/{PK_TOVHOLDER}", headers=auditor)).json()
    reads = [e for e in export["entries"] if e["action"] == "person_timeline.read"]
    assert {(e["role"], e["result"]) for e in reads} >= {
        ("tovholder", "allowed"),
        ("school_representative", "denied"),
    }
    # The auditor reads the whole timeline (the right of access).
    assert len((await client.get(PATH, headers=auditor)).json()["rows"]) == 3
