"""Issue 14 through the topics, on the real broker and both stores.

- Part 1 (seeds 001 l.244, 003 l.274: one police district, 7 or 11 municipalities): an incident
  in a neighbouring town naming a local child and a child of an unserved neighbour is accepted;
  the local child is routed and gets a letter task, the neighbour's is recorded `not_served`
  (trace step, operations list, no task); once the municipality is served, triage's reroute
  (what `ssp reroute` calls) routes them and their letter task follows.
- Part 7 (000 l.199): a revision that changes nothing for a person confirms their decision: the
  handover row says "confirmed in revision 2", and no second letter task appears.
- Part 2 (000 l.195, 004 l.96-132): the local child is the victim (`forurettet`): their letter
  is an `orientering_forurettet`, to parents and youth (Fredericia's table, 000 l.201)."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from shared.auth import AuthSettings, mint_development_token
from shared.contracts import LETTER_TASKS, TRIAGE_STATEMENTS
from shared.settings import PlatformSettings
from ssp_platform.broker import EmbeddedBroker
from ssp_platform.platform import start_platform, stop_platform
from tests.integration.platform_env import eventually, read_topic, use_platform_env
from tests.support import example

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

WITHOUT_VEJEN = "607,376,657,161"
VEJEN = "575"


async def test_a_cross_municipality_incident_and_a_confirming_revision(
    embedded_broker: EmbeddedBroker,
    store_url: str | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    prefix = use_platform_env(
        monkeypatch, embedded_broker, tmp_path, store_url, SSP_MUNICIPALITIES=WITHOUT_VEJEN
    )
    platform = await start_platform(["intake", "notifications", "reporting"], PlatformSettings())
    triage = await start_platform(["triage"], PlatformSettings())
    urls = {s.name: s.http_url for s in (*platform.services, *triage.services)}
    dev = AuthSettings()

    def bearer(role: str, **claims: Any) -> dict[str, str]:
        token = mint_development_token(dev, role=role, **claims)
        return {"Authorization": f"Bearer {token}", "X-Purpose": "seed rules test"}

    police = bearer("police_integration", scopes=["incidents:write"])
    fredericia = bearer("tovholder", municipalities=["607"])
    vejen = bearer("tovholder", municipalities=[VEJEN])
    operations = bearer("operations")
    incident = example("incident-valid.json")
    incident["location"]["municipality_code"] = "630"  # Vejle: not served, a normal location
    incident["persons"][1]["municipality_code"] = VEJEN  # not served (yet)
    incident["persons"][0]["role"] = "forurettet"  # the local child is the victim
    journal = incident["journal_number"]
    try:
        async with httpx.AsyncClient() as client:
            accepted = await client.post(
                f"{urls['intake']}/v1/incidents", json=incident, headers=police
            )
            assert accepted.status_code == 202, accepted.text

            async def fredericia_row() -> list[dict[str, Any]]:
                r = await client.get(
                    f"{urls['reporting']}/v1/handover/607/2026-W47", headers=fredericia
                )
                persons: list[dict[str, Any]] = r.json()["persons"]
                return [p for p in persons if p["letter_task_status"] == "open"]

            (local,) = await eventually(fredericia_row)
            assert local["route"] == "tovholder"
            assert local["letter_kind"] == "orientering_forurettet"

            async def trace_steps() -> list[dict[str, Any]]:
                r = await client.get(f"{urls['reporting']}/v1/trace/{journal}", headers=operations)
                steps: list[dict[str, Any]] = r.json().get("steps", [])
                return steps if any(s["step"] == "person_not_served" for s in steps) else []

            steps = await eventually(trace_steps)
            assert [s["step"] for s in steps].count("person_not_served") == 1
            assert all(s["person_key"] is None for s in steps)  # operations: no keys
            listed = await client.get(f"{urls['triage']}/v1/not-served/{VEJEN}", headers=operations)
            assert [p["journal_number"] for p in listed.json()["persons"]] == [journal]
            refused = await client.post(
                f"{urls['triage']}/v1/admin/reroute",
                json={"municipality_code": VEJEN, "since": "2026-11-01"},
                headers=operations,
            )
            assert refused.status_code == 409

            # Revision 2 changes nothing for either person.
            accepted = await client.post(
                f"{urls['intake']}/v1/incidents", json={**incident, "revision": 2}, headers=police
            )
            assert accepted.status_code == 202, accepted.text

            async def confirmed() -> dict[str, Any] | None:
                rows = await fredericia_row()
                return rows[0] if rows and rows[0]["confirmed_in_revision"] == 2 else None

            row = await eventually(confirmed)
            assert row is not None, "the handover row did not show the confirming revision"
            assert (row["revision"], row["decision_kind"]) == (2, "initial")

            # Vejen joins the deployment: triage restarts serving it, operations reroute.
            await stop_platform(triage)
            monkeypatch.setenv("SSP_MUNICIPALITIES", f"{WITHOUT_VEJEN},{VEJEN}")
            triage = await start_platform(["triage"], PlatformSettings())
            urls["triage"] = triage.services[0].http_url
            rerouted = await client.post(
                f"{urls['triage']}/v1/admin/reroute",
                json={"municipality_code": VEJEN, "since": "2026-11-01"},
                headers=operations,
            )
            assert rerouted.status_code == 200, rerouted.text
            assert rerouted.json()["routed"] == 1

            async def vejen_row() -> list[dict[str, Any]]:
                r = await client.get(
                    f"{urls['reporting']}/v1/handover/{VEJEN}/2026-W47", headers=vejen
                )
                persons: list[dict[str, Any]] = r.json()["persons"]
                return [p for p in persons if p["letter_task_status"] != "none"]

            (moved,) = await eventually(vejen_row)
            assert moved["route"] in ("tovholder", "caseworker")

        tasks = await read_topic(
            embedded_broker.bootstrap_servers,
            prefix + LETTER_TASKS,
            lambda r: len(r) >= 2,
            settle_ms=1500,
        )
        created = [json.loads(r.value) for r in tasks]
        assert sorted(t["municipality_code"] for t in created if t["event"] == "created") == [
            VEJEN,
            "607",
        ]
        (victim,) = [t for t in created if t["municipality_code"] == "607"]
        assert (victim["kind"], victim["recipients"]) == (
            "orientering_forurettet",
            ["parents", "youth"],
        )
        statements = await read_topic(
            embedded_broker.bootstrap_servers,
            prefix + TRIAGE_STATEMENTS,
            lambda r: len(r) >= 3,
        )
        said = sorted(
            (json.loads(r.value)["statement"], json.loads(r.value)["revision"]) for r in statements
        )
        # The neighbour is recorded in each revision; the local child's decision confirmed.
        assert said == [("decision_confirmed", 2), ("not_served", 1), ("not_served", 2)]
    finally:
        await stop_platform(triage)
        await stop_platform(platform)


async def test_a_birthday_handover_through_the_topics(
    embedded_broker: EmbeddedBroker,
    store_url: str | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Part 4 (seed 004 l.369-373): a 17-year-old reported yesterday turns 18 today; the
    scheduled check (every second here) opens one PSP/KSP handover task, which the team leader
    completes with where the young person was handed over to."""
    use_platform_env(
        monkeypatch, embedded_broker, tmp_path, store_url, TRIAGE_BIRTHDAY_CHECK_SECONDS="1"
    )
    platform = await start_platform(["intake", "triage"], PlatformSettings())
    urls = {s.name: s.http_url for s in platform.services}
    dev = AuthSettings()

    def bearer(role: str, **claims: Any) -> dict[str, str]:
        token = mint_development_token(dev, role=role, **claims)
        return {"Authorization": f"Bearer {token}", "X-Purpose": "birthday handover test"}

    today = datetime.now(ZoneInfo("Europe/Copenhagen")).date()
    born = today.replace(year=today.year - 18)
    yesterday = today - timedelta(days=1)
    incident = example("incident-valid.json")
    incident["persons"] = incident["persons"][:1]
    # Century digit 4 with a year up to 36: born in the 2000s.
    incident["persons"][0]["cpr"] = f"{born:%d%m%y}-4{born.year % 10}21"
    incident["occurred_at"] = f"{yesterday.isoformat()}T20:00:00+01:00"
    incident["reported_at"] = f"{yesterday.isoformat()}T22:00:00+01:00"
    team_leader = bearer("team_leader", municipalities=["607"])
    try:
        async with httpx.AsyncClient() as client:
            accepted = await client.post(
                f"{urls['intake']}/v1/incidents",
                json=incident,
                headers=bearer("police_integration", scopes=["incidents:write"]),
            )
            assert accepted.status_code == 202, accepted.text

            async def tasks() -> list[dict[str, Any]]:
                r = await client.get(
                    f"{urls['triage']}/v1/psp-ksp-handovers/607", headers=team_leader
                )
                found: list[dict[str, Any]] = r.json()["tasks"]
                return found

            (task,) = await eventually(tasks)
            assert (task["turned_18_on"], task["owner_role"], task["status"]) == (
                today.isoformat(),
                "team_leader",
                "open",
            )
            assert "recent_decision" in task["open_items"]
            done = await client.post(
                f"{urls['triage']}/v1/psp-ksp-handovers/607/{task['person_key']}/complete",
                json={"handed_over_to": "ksp"},
                headers=team_leader,
            )
            assert done.status_code == 200, done.text
            assert done.json()["handed_over_to"] == "ksp"
            # The check keeps running: still exactly one task.
            await asyncio.sleep(2)
            assert [t["status"] for t in await tasks()] == ["completed"]
    finally:
        await stop_platform(platform)
