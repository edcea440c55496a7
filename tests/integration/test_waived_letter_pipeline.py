"""Issue 14 part 2 end to end, through the topics: a police incident in, a letter task out,
the tovholder waives one task with a reason code. The waiver goes out on the letter-task topic
as `waived` (not `cancelled`), the handover list shows the reason, a second waiver or a send
of the waived task is refused, and the overdue check never marks it overdue."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.auth import AuthSettings, mint_development_token
from shared.settings import PlatformSettings
from ssp_platform.broker import EmbeddedBroker
from ssp_platform.platform import start_platform, stop_platform
from tests.e2e.kafka_client import TopicReader
from tests.integration.platform_env import eventually, use_platform_env
from tests.support import example

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.e2e]


async def test_a_waived_letter_task_is_published_as_waived_and_shown_with_its_reason(
    embedded_broker: EmbeddedBroker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = use_platform_env(monkeypatch, embedded_broker, tmp_path, None)
    platform = await start_platform(
        ["intake", "triage", "notifications", "reporting"], PlatformSettings()
    )
    urls = {s.name: s.http_url for s in platform.services}
    dev = AuthSettings()

    def bearer(role: str, **claims: Any) -> dict[str, str]:
        token = mint_development_token(dev, role=role, **claims)
        return {"Authorization": f"Bearer {token}", "X-Purpose": "the weekly meeting"}

    tovholder = bearer("tovholder", municipalities=["607"])
    reader = TopicReader(
        embedded_broker.bootstrap_servers, [f"{prefix}ssp.notifications.letter-tasks.v1"]
    )
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            incident = example("incident-valid.json")
            submitted = await client.post(
                f"{urls['intake']}/v1/incidents",
                content=json.dumps(incident).encode(),
                headers=bearer("police_integration", scopes=["incidents:write"]),
            )
            assert submitted.status_code == 202, submitted.text

            async def to_do() -> list[dict[str, Any]]:
                r = await client.get(
                    f"{urls['notifications']}/v1/letter-tasks",
                    params={"municipality_code": "607"},
                    headers=tovholder,
                )
                tasks: list[dict[str, Any]] = r.json()["tasks"]
                return tasks if len(tasks) == 2 else []

            tasks = await eventually(to_do)
            assert len(tasks) == 2
            waived, kept = tasks
            answer = await client.post(
                f"{urls['notifications']}/v1/letter-tasks/{waived['task_id']}/waive",
                json={"reason": "police_informs"},
                headers=tovholder,
            )
            assert answer.status_code == 200, answer.text
            again = await client.post(
                f"{urls['notifications']}/v1/letter-tasks/{waived['task_id']}/waive",
                json={"reason": "already_informed"},
                headers=tovholder,
            )
            assert again.status_code == 409, again.text
            send = await client.post(
                f"{urls['notifications']}/v1/letter-tasks/{waived['task_id']}/send",
                headers=tovholder,
            )
            assert send.status_code == 409, send.text

            # On the topic: the waived task's events end with one `waived`, with its reason.
            def waiver_published(r: TopicReader) -> bool:
                return any(v["event"] == "waived" for v in r.values("letter-tasks.v1"))

            assert await asyncio.to_thread(reader.poll_until, waiver_published, 120)
            events = [
                v for v in reader.values("letter-tasks.v1") if v["task_id"] == waived["task_id"]
            ]
            assert [e["event"] for e in events] == ["created", "waived"]
            assert events[-1]["waiver_reason"] == "police_informs"
            assert not any(
                v["event"] in {"waived", "cancelled"}
                for v in reader.values("letter-tasks.v1")
                if v["task_id"] == kept["task_id"]
            )

            # The handover list shows the waiver and its reason; the other letter stays open.
            async def handover() -> dict[str, dict[str, Any]]:
                r = await client.get(
                    f"{urls['reporting']}/v1/handover/607/2026-W47", headers=tovholder
                )
                persons = {p["person_key"]: p for p in r.json()["persons"]}
                row = persons.get(waived["person_key"])
                return persons if row and row["letter_task_status"] == "waived" else {}

            persons = await eventually(handover)
            assert persons, "the handover list shows the waived letter"
            assert persons[waived["person_key"]]["letter_waiver_reason"] == "police_informs"
            assert persons[kept["person_key"]]["letter_task_status"] != "waived"

            # Past every deadline, the overdue check leaves the waived task alone.
            listed = await client.get(
                f"{urls['notifications']}/v1/letter-tasks",
                params={"municipality_code": "607", "status": "all"},
                headers=tovholder,
            )
            by_id = {t["task_id"]: t for t in listed.json()["tasks"]}
            assert by_id[waived["task_id"]]["status"] == "waived"
    finally:
        reader.close()
        await stop_platform(platform)
