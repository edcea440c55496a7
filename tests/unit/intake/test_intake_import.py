"""Municipality rules and the police list import over HTTP: the same validation as every other
input, rejected incidents kept, a second import of the same file changes nothing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.intake.adapters.publications import intake_publications
from services.intake.bootstrap import definition
from services.intake.settings import IntakeSettings
from shared.contracts import INTAKE_INCIDENTS, INTAKE_REJECTED
from shared.http import add_platform_routes
from shared.runtime import ServiceContext
from tests.support import example, outbox
from tests.unit.auth.support import auth_env, headers

SAMPLES = Path(__file__).resolve().parents[3] / "samples" / "police-list"
POLICE = headers("police_integration", purpose=False)
CSV = {"Content-Type": "text/csv"}


class Intake:
    def __init__(self, client: httpx.AsyncClient, app: Any, executor: ThreadPoolExecutor):
        self.client, self.app, self.executor = client, app, executor

    def published(self, topic: str) -> list[dict[str, Any]]:
        messages = self.executor.submit(outbox, self.app, intake_publications).result()
        return [json.loads(m.body()) for m in messages if m.topic == topic]


@pytest.fixture
async def intake(tmp_path: Path) -> AsyncIterator[Intake]:
    settings = IntakeSettings(**auth_env(tmp_path))
    d = definition(settings)
    executor = ThreadPoolExecutor(max_workers=1)
    app = executor.submit(d.app_factory).result()
    api = d.http_factory(ServiceContext("intake", settings, app, executor))
    add_platform_routes(api, _ready, "intake")
    transport = httpx.ASGITransport(app=api)
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as c:
        yield Intake(c, app, executor)
    for release in d.on_stop:
        release()
    executor.shutdown()


async def _ready() -> dict[str, bool]:
    return {"broker": True, "store": True}


# --- part 7: municipalities ------------------------------------------------------------------
async def test_unknown_municipalities_are_rejected_and_kept(intake: Intake) -> None:
    incident = example("incident-valid.json")
    incident["location"]["municipality_code"] = "999"  # no such municipality
    incident["persons"][1]["municipality_code"] = "751"  # Aarhus: not served, but real
    response = await intake.client.post("/v1/incidents", json=incident, headers=POLICE)
    assert response.status_code == 422
    problems = {(p["field"], p["code"]) for p in response.json()["problems"]}
    assert problems == {("location.municipality_code", "unknown_municipality")}
    # The values are never echoed (the random reference may spell either: leave it out).
    echoed = response.text.replace(response.json()["reference"], "")
    assert "751" not in echoed and "999" not in echoed
    rejected = intake.published(INTAKE_REJECTED)
    assert [r["reference"] for r in rejected] == [response.json()["reference"]]
    assert intake.published(INTAKE_INCIDENTS) == []


# Issue 14 part 1 — seeds 001 l.244 ("politikredsens 7 kommuner") and 003 l.274 ("de 11
# kommuner i Politikredsen"): one police stream covers neighbouring municipalities.
NEIGHBOURS = [
    # (location, residence of persons[1]) -> served flags of persons [0, 1]
    pytest.param("607", "607", [True, True], id="all served"),
    pytest.param("751", "607", [True, True], id="unserved location is normal"),
    pytest.param("607", "751", [True, False], id="a neighbour's resident is not served"),
    pytest.param("630", "630", [True, False], id="incident wholly in a neighbouring town"),
]


@pytest.mark.parametrize(("location", "residence", "served"), NEIGHBOURS)
async def test_a_neighbouring_municipality_does_not_block_local_children(
    intake: Intake, location: str, residence: str, served: list[bool]
) -> None:
    incident = example("incident-valid.json")
    incident["location"]["municipality_code"] = location
    incident["persons"][1]["municipality_code"] = residence
    response = await intake.client.post("/v1/incidents", json=incident, headers=POLICE)
    assert response.status_code == 202, response.text
    (accepted,) = intake.published(INTAKE_INCIDENTS)
    assert [p["served"] for p in accepted["persons"]] == served
    assert intake.published(INTAKE_REJECTED) == []


async def test_an_invalid_incident_names_its_unknown_municipality_too(intake: Intake) -> None:
    incident = example("incident-invalid.json")
    incident["location"]["municipality_code"] = "998"
    response = await intake.client.post("/v1/incidents", json=incident, headers=POLICE)
    fields = {(p["field"], p["code"]) for p in response.json()["problems"]}
    assert ("location.municipality_code", "unknown_municipality") in fields
    assert ("persons[0].municipality_code", "string_pattern_mismatch") in fields


async def test_a_deployment_serves_the_municipalities_it_is_configured_for(
    tmp_path: Path,
) -> None:
    settings = IntakeSettings(**auth_env(tmp_path, SSP_MUNICIPALITIES="751, 607"))
    assert settings.municipalities == ("751", "607")
    with pytest.raises(ValueError, match="not Danish municipality codes: 411"):
        IntakeSettings(**auth_env(tmp_path, SSP_MUNICIPALITIES="607,411"))


# --- part 8: the police list ---------------------------------------------------------------
async def test_import_accepts_the_sample_list_and_a_second_import_changes_nothing(
    intake: Intake,
) -> None:
    data = (SAMPLES / "police-list.csv").read_bytes()
    first = await intake.client.post("/v1/incidents/import", content=data, headers=POLICE | CSV)
    assert first.status_code == 200, first.text
    summary = first.json()
    assert {k: summary[k] for k in ("rows", "incidents", "accepted", "duplicates", "rejected")} == {
        "rows": 5,
        "incidents": 3,
        "accepted": 3,
        "duplicates": 0,
        "rejected": 0,
    }
    assert [r["rows"] for r in summary["results"]] == [[2, 3], [4], [5, 6]]
    accepted = intake.published(INTAKE_INCIDENTS)
    assert len(accepted) == 3 and sum(len(a["persons"]) for a in accepted) == 5

    workbook = (SAMPLES / "police-list.xlsx").read_bytes()  # the same list
    again = await intake.client.post("/v1/incidents/import", content=workbook, headers=POLICE)
    assert again.json()["duplicates"] == 3 and again.json()["accepted"] == 0
    assert len(intake.published(INTAKE_INCIDENTS)) == 3


async def test_import_reports_problems_by_row_and_column_and_keeps_rejected_incidents(
    intake: Intake,
) -> None:
    data = (SAMPLES / "police-list-errors.csv").read_bytes()
    response = await intake.client.post("/v1/incidents/import", content=data, headers=POLICE)
    summary = response.json()
    assert (summary["accepted"], summary["rejected"]) == (1, 4)
    found = {(e["row"], e["column"], e["code"]) for e in summary["errors"]}
    assert {
        (3, "cpr", "cpr_date"),
        (3, "role", "literal_error"),
        (4, "location_municipality_code", "unknown_municipality"),
        (5, "offence_code", "literal_error"),
        (5, "flags", "literal_error"),
        (7, "occurred_at", "conflicting_rows"),
    } <= found
    assert any(row == 5 and column == "occurred_at" for row, column, _ in found)
    for value in ("320299", "Testperson", "mistænkt", "i aftes", "knallert"):
        assert value not in response.text
    rejected = intake.published(INTAKE_REJECTED)
    assert len(rejected) == 4
    # Kept for correction like any bad input, readable by the coordinator.
    reference = next(r["reference"] for r in summary["results"] if r["rows"] == [3])
    staff = headers("police_coordinator", municipalities=["161"])
    kept = await intake.client.get(f"/v1/rejected/{reference}", headers=staff)
    assert kept.status_code == 200 and json.loads(kept.json()["original_text"])["persons"]

    again = await intake.client.post("/v1/incidents/import", content=data, headers=POLICE)
    assert again.json()["rejected"] == 4 and again.json()["duplicates"] == 1
    assert len(intake.published(INTAKE_REJECTED)) == 4  # no second rejection record


async def test_a_file_without_the_required_columns_imports_nothing(intake: Intake) -> None:
    response = await intake.client.post(
        "/v1/incidents/import", content=b"journalnummer,navn\n1,x\n", headers=POLICE
    )
    assert response.status_code == 422
    assert {e["column"] for e in response.json()["errors"]} >= {"cpr", "occurred_at"}
    assert "x" not in json.dumps(response.json()["errors"])


async def test_a_tovholder_imports_only_the_incidents_of_their_municipality(
    intake: Intake,
) -> None:
    data = (SAMPLES / "police-list.csv").read_bytes()
    tovholder = headers("tovholder", municipalities=["607"], purpose=False)
    response = await intake.client.post("/v1/incidents/import", content=data, headers=tovholder)
    summary = response.json()
    assert [r["status"] for r in summary["results"]] == ["accepted", "refused", "refused"]
    assert {e["code"] for e in summary["errors"]} == {"outside_your_municipalities"}
    assert (await intake.client.post("/v1/incidents/import", content=data)).status_code == 401
    caseworker = headers("caseworker", purpose=False)
    assert (
        await intake.client.post("/v1/incidents/import", content=data, headers=caseworker)
    ).status_code == 403


async def test_a_case_event_of_an_unserved_municipality_is_rejected(tmp_path: Path) -> None:
    from services.intake.bootstrap import definition as intake_definition
    from shared.contracts import INTAKE_CASE_EVENTS, SOCIAL_CASES
    from tests.support import inbox_harness

    settings = IntakeSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path))
    case_opened = {
        "event": "case_opened",
        "case_id": "DUBU-2026-004711",
        "cpr": "1203104123",
        "municipality_code": "751",
        "at": "2026-10-02T09:00:00+02:00",
    }
    async with inbox_harness(intake_definition(settings)) as h:
        await h.publish(case_opened, SOCIAL_CASES)
        await h.publish({**case_opened, "municipality_code": "607"}, SOCIAL_CASES)
        published = outbox(h.app, intake_publications)
    rejected = [json.loads(m.body()) for m in published if m.topic == INTAKE_REJECTED]
    assert [(r["reasons"][0]["field"], r["reasons"][0]["code"]) for r in rejected] == [
        ("municipality_code", "municipality_not_served")
    ]
    assert len([m for m in published if m.topic == INTAKE_CASE_EVENTS]) == 1
