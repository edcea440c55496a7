"""Revisions and handover through the topics (issue 4, parts 4-5), on the real broker and both
stores: a higher revision that removes a person withdraws their decision and cancels their
letter task; one that changes a person revises their decision and updates the same task; a case
opened afterwards hands the incident over to the caseworker and transfers the task."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from shared.auth import AuthSettings, mint_development_token
from shared.settings import PlatformSettings
from ssp_platform.broker import EmbeddedBroker
from ssp_platform.platform import start_platform, stop_platform
from tests.integration.platform_env import use_platform_env
from tests.support import example

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

TOPICS = {
    "caseworker": "ssp.triage.caseworker.v1",
    "tovholder": "ssp.triage.tovholder.v1",
    "withdrawals": "ssp.triage.withdrawals.v1",
    "tasks": "ssp.notifications.letter-tasks.v1",
}


class Outputs:
    """Everything published on the output topics, read from the start."""

    def __init__(self, bootstrap: str, prefix: str) -> None:
        self.prefix = prefix
        self.consumer = AIOKafkaConsumer(
            *(prefix + name for name in TOPICS.values()),
            bootstrap_servers=bootstrap,
            auto_offset_reset="earliest",
            group_id=f"revisions-test-{uuid.uuid4().hex[:6]}",
        )
        self.seen: dict[str, list[dict[str, Any]]] = {name: [] for name in TOPICS}

    async def until(self, check: Any, timeout: float = 60) -> bool:
        deadline = asyncio.get_running_loop().time() + timeout
        while not check(self.seen):
            if asyncio.get_running_loop().time() > deadline:
                return False
            batches = await self.consumer.getmany(timeout_ms=500)
            for partition, records in batches.items():
                name = next(n for n, t in TOPICS.items() if self.prefix + t == partition.topic)
                self.seen[name].extend(json.loads(r.value) for r in records if r.value)
        return True


async def test_revision_withdrawal_and_handover_through_the_topics(
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
    dev = AuthSettings()

    def bearer(role: str, **claims: Any) -> dict[str, str]:
        token = mint_development_token(dev, role=role, **claims)
        return {"Authorization": f"Bearer {token}", "X-Purpose": "revisions test"}

    police = bearer("police_integration", scopes=["incidents:write"])
    tovholder = bearer("tovholder", municipalities=["607"])
    operations = bearer("operations")
    producer = AIOKafkaProducer(bootstrap_servers=embedded_broker.bootstrap_servers, acks="all")
    outputs = Outputs(embedded_broker.bootstrap_servers, prefix)
    await producer.start()
    await outputs.consumer.start()
    try:
        first = example("incident-valid.json")
        stays = first["persons"][0]  # the second person leaves in revision 2
        second = {
            **first,
            "revision": 2,
            # a violent offence now, and the first person a victim: their decision changes
            "offence": {"code": "vold", "text": "Vold i bymidten"},
            "persons": [{**stays, "role": "forurettet"}],
        }
        async with httpx.AsyncClient() as client:
            for incident in (first, second):
                response = await client.post(
                    f"{urls['intake']}/v1/incidents",
                    content=json.dumps(incident).encode(),
                    headers=police,
                )
                assert response.status_code == 202
                if incident is first:
                    assert await outputs.until(lambda s: len(s["tasks"]) == 2)

            # revision 2: one person withdrawn, the other revised; their tasks follow
            def revised(seen: dict[str, list[dict[str, Any]]]) -> bool:
                events = [t["event"] for t in seen["tasks"]]
                return "cancelled" in events and "updated" in events

            assert await outputs.until(revised), outputs.seen
            initial = {d["person_key"]: d for d in outputs.seen["tovholder"][:2]}
            [withdrawal] = outputs.seen["withdrawals"]
            [revision] = [d for d in outputs.seen["tovholder"] if d["revision"] == 2]
            assert withdrawal["decision_id"] == initial[withdrawal["person_key"]]["decision_id"]
            assert withdrawal["reason"] == "person_removed_from_incident"
            assert (revision["decision_kind"], revision["role"], revision["severity"]) == (
                "revised",
                "forurettet",
                "high",
            )
            assert revision["revises_decision_id"] == initial[revision["person_key"]]["decision_id"]
            tasks = {(t["person_key"], t["event"]): t for t in outputs.seen["tasks"]}
            cancelled = tasks[(withdrawal["person_key"], "cancelled")]
            updated = tasks[(revision["person_key"], "updated")]
            assert cancelled["reason"] == "person_removed_from_incident"
            assert updated["reason"] == "revised_decision"
            assert updated["task_id"] == tasks[(revision["person_key"], "created")]["task_id"]
            assert updated["due_at"] == revision["due_at"]

            # a case opened now, after tovholder routing: the caseworker takes over
            case_opened = {
                "event": "case_opened",
                "case_id": "DUBU-2026-000777",
                "cpr": stays["cpr"],
                "municipality_code": "607",
                "team": "Børn og Familie Team Syd",
                "at": datetime.now(UTC).isoformat(),
            }
            await producer.send_and_wait(
                prefix + "ssp.socialservices.cases.v1", json.dumps(case_opened).encode(), key=b"c"
            )

            def transferred(seen: dict[str, list[dict[str, Any]]]) -> bool:
                return any(t.get("reason") == "case_opened_after_routing" for t in seen["tasks"])

            assert await outputs.until(transferred), outputs.seen
            [handover] = outputs.seen["caseworker"]
            assert (handover["decision_kind"], handover["case_id"]) == (
                "handover",
                "DUBU-2026-000777",
            )
            assert handover["revises_decision_id"] == revision["decision_id"]
            assert "case_opened_after_routing" in handover["reasons"]
            [moved] = [
                t for t in outputs.seen["tasks"] if t.get("reason") == "case_opened_after_routing"
            ]
            assert (moved["event"], moved["task_id"]) == ("updated", updated["task_id"])
            assert (moved["owner_role"], moved["owner_team"]) == (
                "caseworker",
                "Børn og Familie Team Syd",
            )
            created = [t for t in outputs.seen["tasks"] if t["event"] == "created"]
            assert len(created) == 2, "never a second task"

            # reporting: the current decision in the list, every step in the trace
            async def reported() -> dict[str, Any] | None:
                r = await client.get(
                    f"{urls['reporting']}/v1/trace/{first['journal_number']}", headers=operations
                )
                body: dict[str, Any] = r.json()
                steps = [s["step"] for s in body.get("steps", [])]
                wanted = {"decision_withdrawn", "letter_task_cancelled", "routed_caseworker"}
                return (
                    body
                    if wanted <= set(steps) and steps.count("letter_task_updated") == 2
                    else None
                )

            deadline = asyncio.get_running_loop().time() + 60
            body = await reported()
            while body is None and asyncio.get_running_loop().time() < deadline:
                await asyncio.sleep(0.3)
                body = await reported()
            assert body is not None, "the trace did not show the withdrawal and the updates"
            listed = await client.get(
                f"{urls['reporting']}/v1/handover/607/2026-W47", headers=tovholder
            )
            persons = listed.json()["persons"]
            assert [(p["person_key"], p["route"], p["decision_kind"]) for p in persons] == [
                (revision["person_key"], "caseworker", "handover")
            ]
    finally:
        await outputs.consumer.stop()
        await producer.stop()
        await stop_platform(platform)
