"""All four services in one process on the real broker, on SQLite and on PostgreSQL: an
incident and a case event in, decisions, letter tasks, handover list and trace out."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from shared.auth import AuthSettings, mint_development_token
from shared.settings import PlatformSettings
from ssp_platform import audit_cli
from ssp_platform.broker import EmbeddedBroker
from ssp_platform.platform import start_platform, stop_platform
from tests.integration.platform_env import eventually, use_platform_env
from tests.support import example

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


async def test_pipeline_on_both_stores(
    embedded_broker: EmbeddedBroker,
    store_url: str | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    prefix = use_platform_env(monkeypatch, embedded_broker, tmp_path, store_url)
    platform = await start_platform(
        ["intake", "triage", "notifications", "reporting"], PlatformSettings()
    )
    urls = {s.name: s.http_url for s in platform.services}
    dev = AuthSettings()  # the development key the services created in the data directory

    def bearer(role: str, **claims: Any) -> dict[str, str]:
        token = mint_development_token(dev, role=role, **claims)
        return {"Authorization": f"Bearer {token}", "X-Purpose": "pipeline test"}

    police = bearer("police_integration", scopes=["incidents:write"])
    tovholder = bearer("tovholder", municipalities=["607"])
    operations = bearer("operations")
    producer = AIOKafkaProducer(bootstrap_servers=embedded_broker.bootstrap_servers, acks="all")
    await producer.start()
    try:
        incident = example("incident-valid.json")
        case_opened = {
            "event": "case_opened",
            "case_id": "DUBU-2026-000042",
            "cpr": incident["persons"][1]["cpr"],
            "municipality_code": "607",
            "at": "2026-10-02T09:00:00+02:00",
        }
        await producer.send_and_wait(
            prefix + "ssp.socialservices.cases.v1", json.dumps(case_opened).encode(), key=b"c"
        )
        async with httpx.AsyncClient() as client:
            await asyncio.sleep(1.5)  # the case reaches triage before the incident
            response = await client.post(
                f"{urls['intake']}/v1/incidents",
                content=json.dumps(incident).encode(),
                headers=police,
            )
            assert response.status_code == 202

            async def handover() -> list[dict[str, Any]]:
                r = await client.get(
                    f"{urls['reporting']}/v1/handover/607/2026-W47", headers=tovholder
                )
                persons: list[dict[str, Any]] = r.json()["persons"]
                statuses = sorted(p["letter_task_status"] for p in persons)
                return persons if statuses == ["awaiting_assessment", "open"] else []

            persons = await eventually(handover)
            assert persons, "handover list did not show both persons"
            by_route = {p["route"]: p for p in persons}
            assert by_route["tovholder"]["letter_kind"] == "orientering"
            assert by_route["caseworker"]["owner_role"] == "caseworker"
            # Owner and team from Fredericia's profile, the history from triage's store.
            coordinator = by_route["tovholder"]
            assert (coordinator["owner_team"], coordinator["earlier_reports"]) == (
                "SSP-tovholder",
                0,
            )
            # The week's statistics, counted by the store's own GROUP BY: two persons, one
            # per route; every count below five suppressed, the total of two as well.
            counted = await client.get(
                f"{urls['reporting']}/v1/statistics/607/2026-W47",
                headers=bearer("management", municipalities=["607"]),
            )
            assert counted.status_code == 200, counted.text
            statistics = counted.json()
            assert statistics["persons"] is None
            assert statistics["by_route"] == [
                {"value": "caseworker", "count": None},
                {"value": "tovholder", "count": None},
            ]
            # The two were registered together: the group view names each to the other.
            together = await client.get(
                f"{urls['reporting']}/v1/persons/{coordinator['person_key']}/co-registered",
                headers=tovholder,
            )
            assert together.status_code == 200, together.text
            assert [(p["person_key"], p["incidents"]) for p in together.json()["persons"]] == [
                (by_route["caseworker"]["person_key"], 1)
            ]

            assessment = {
                "journal_number": incident["journal_number"],
                "person_key": by_route["caseworker"]["person_key"],
                "outcome": "inform",
                "caseworker": "ABJ",
                "at": "2026-11-17T10:00:00+01:00",
            }
            await producer.send_and_wait(
                prefix + "ssp.caseworker.assessments.v1",
                json.dumps(assessment).encode(),
                key=assessment["person_key"].encode(),
            )

            async def trace() -> dict[str, Any] | None:
                r = await client.get(
                    f"{urls['reporting']}/v1/trace/{incident['journal_number']}",
                    headers=operations,
                )
                body: dict[str, Any] = r.json()
                steps = [s["step"] for s in body.get("steps", [])]
                return body if steps.count("letter_task_created") == 2 else None

            body = await eventually(trace)
            assert body, "the second letter task did not reach the trace"
            services = {s["service"] for s in body["steps"]}
            assert {"intake", "triage", "notifications"} <= services
            # The caseworker's assessment starts a trace of its own (and the letter task it
            # causes continues it); every step the incident caused shares one.
            caused_by_the_assessment = {"letter_task_created", "caseworker_assessed"}
            trace_ids = {
                s["trace_id"] for s in body["steps"] if s["step"] not in caused_by_the_assessment
            }
            assert len(trace_ids) == 1, "one trace follows the incident through every service"

            rebuilt = await client.post(f"{urls['reporting']}/v1/admin/rebuild", headers=operations)
            assert rebuilt.json()["rebuilt"] is True
            again = await client.get(
                f"{urls['reporting']}/v1/trace/{incident['journal_number']}", headers=operations
            )
            assert again.json() == body
            assert all(s["person_key"] is None for s in body["steps"])  # operations: no keys

            # The handover list read is in reporting's audit trail, with its purpose.
            auditor = bearer("auditor")
            audit = await client.get(
                f"{urls['reporting']}/v1/audit/export/{by_route['tovholder']['person_key']}",
                headers=auditor,
            )
            reads = [e for e in audit.json()["entries"] if e["action"] == "handover_list.read"]
            assert reads and reads[-1]["purpose"] == "pipeline test"
            # `ssp audit export` across the running services: the coordinator reads the
            # person's letter tasks and triage decision, and the merged export shows it all.
            coordinator_key = by_route["tovholder"]["person_key"]
            tasks = await client.get(
                f"{urls['notifications']}/v1/letter-tasks",
                params={"municipality_code": "607", "status": "all"},
                headers=tovholder,
            )
            assert coordinator_key in {t["person_key"] for t in tasks.json()["tasks"]}
            decisions = await client.get(
                f"{urls['triage']}/v1/decisions/{incident['journal_number']}", headers=tovholder
            )
            assert decisions.status_code == 200, decisions.text
            exported = await audit_cli.collect(urls, f"/v1/audit/export/{coordinator_key}", auditor)
            assert exported.services == dict.fromkeys(urls, "ok")
            actions = [(e["service"], e["action"]) for e in exported.entries]
            assert actions[-2:] == [
                ("notifications", "letter_tasks.read"),
                ("triage", "triage.read"),
            ]
            assert ("reporting", "handover_list.read") in actions
            assert (await client.get(f"{urls['reporting']}/v1/trace/x")).status_code == 401
            for service_url in urls.values():
                ready = await client.get(f"{service_url}/readyz")
                assert ready.json()["checks"] == {"broker": True, "store": True}
    finally:
        await producer.stop()
        await stop_platform(platform)
