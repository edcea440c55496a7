"""Issue 15 part 5 end to end, through the real broker: a concern that does not come from the
police, posted over HTTP to intake and published on the external topic ssp.concerns.v1, comes
out pseudonymised on ssp.intake.concerns.v1 (no text, name or CPR number), lands on the weekly
meeting's agenda in triage and in the young person's history in reporting, and never makes a
letter task. A concern that is not the contract is rejected and kept, not dropped."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.settings import PlatformSettings
from ssp_platform.broker import EmbeddedBroker
from ssp_platform.platform import start_platform, stop_platform
from tests.e2e.kafka_client import TopicReader, produce
from tests.integration.platform_env import development_headers, eventually, use_platform_env

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.e2e]

CPR = "0502104562"
TEXT = "Forælder fortæller om nætter væk hjemmefra og nye, ældre venner"


def concern(concern_id: str, registered_at: datetime, **changes: Any) -> dict[str, Any]:
    return {
        "concern_id": concern_id,
        "cpr": CPR,
        "name": "Ida Hansen",
        "municipality_code": "607",
        "school": "Kirstinebjergskolen",
        "category": "mistrivsel",
        "reporter": {"kind": "parent", "name": "Mette Hansen", "contact": "22 33 44 55"},
        "text": TEXT,
        "registered_at": registered_at.isoformat(),
        **changes,
    }


async def test_a_concern_goes_to_the_agenda_and_the_history_and_never_to_a_letter(
    embedded_broker: EmbeddedBroker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = use_platform_env(monkeypatch, embedded_broker, tmp_path, None)
    platform = await start_platform(
        ["intake", "triage", "notifications", "reporting"], PlatformSettings()
    )
    urls = {s.name: s.http_url for s in platform.services}
    bearer = development_headers("ugens moede", municipalities=["607"])

    tovholder = bearer("tovholder")
    reader = TopicReader(
        embedded_broker.bootstrap_servers,
        [
            f"{prefix}ssp.intake.concerns.v1",
            f"{prefix}ssp.intake.rejected.v1",
            f"{prefix}ssp.meetings.events.v1",
            f"{prefix}ssp.notifications.letter-tasks.v1",
        ],
    )
    now = datetime.now(UTC)
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            posted = await client.post(
                f"{urls['intake']}/v1/concerns", json=concern("http-1", now), headers=tovholder
            )
            assert posted.status_code == 202, posted.text
            week = posted.json()["iso_week"]
            # The same concern from a school's system on the external topic, and a broken one.
            await asyncio.to_thread(
                produce,
                embedded_broker.bootstrap_servers,
                f"{prefix}ssp.concerns.v1",
                [
                    ("kafka-1", concern("kafka-1", now, category="skolefravaer")),
                    ("kafka-bad", concern("kafka-bad", now, category="ukendt")),
                ],
            )

            def both_out(r: TopicReader) -> bool:
                done = {v["concern_id"] for v in r.values("intake.concerns.v1")}
                return done == {"http-1", "kafka-1"} and bool(r.values("intake.rejected.v1"))

            assert await asyncio.to_thread(reader.poll_until, both_out, 120)
            raw = b"".join(v for t, _, v, _ in reader.records if t.endswith("intake.concerns.v1"))
            for secret in (TEXT, "Ida", "Mette", "22 33 44 55", CPR, "050210-4562"):
                assert secret.encode() not in raw
            [person_key] = {v["person_key"] for v in reader.values("intake.concerns.v1")}
            [rejection] = reader.values("intake.rejected.v1")
            assert [r["field"] for r in rejection["reasons"]] == ["category"]

            async def on_the_agenda() -> list[dict[str, Any]]:
                r = await client.get(
                    f"{urls['triage']}/v1/meetings/607/{week}/concerns", headers=tovholder
                )
                found: list[dict[str, Any]] = r.json()["concerns"]
                return found if len(found) == 2 else []

            agenda = await eventually(on_the_agenda)
            assert {(c["concern_id"], c["category"]) for c in agenda} == {
                ("http-1", "mistrivsel"),
                ("kafka-1", "skolefravaer"),
            }
            assert {c["person_key"] for c in agenda} == {person_key}

            async def in_the_history() -> list[dict[str, Any]]:
                r = await client.get(
                    f"{urls['reporting']}/v1/persons/{person_key}/concerns",
                    headers=bearer("caseworker"),
                )
                found: list[dict[str, Any]] = r.json()["concerns"]
                return found if len(found) == 2 else []

            assert len(await eventually(in_the_history)) == 2

            # What the parent wrote: for the coordinator, audited at intake.
            text = await client.get(f"{urls['intake']}/v1/concerns/http-1", headers=tovholder)
            assert text.status_code == 200 and text.json()["text"] == TEXT

            # No letter: nothing on the letter-task topic, no task at notifications.
            await asyncio.to_thread(
                reader.poll_until,
                lambda r: any(
                    v["event"] == "concern_placed" for v in r.values("meetings.events.v1")
                ),
                30,
            )
            await asyncio.sleep(3)  # time for anything that should not happen
            await asyncio.to_thread(reader.poll_until, lambda _: False, 2)
            assert reader.values("letter-tasks.v1") == []
            tasks = await client.get(
                f"{urls['notifications']}/v1/letter-tasks",
                params={"municipality_code": "607", "status": "all"},
                headers=tovholder,
            )
            assert tasks.status_code == 200, tasks.text
            assert tasks.json()["tasks"] == []
            placed = [
                v for v in reader.values("meetings.events.v1") if v["event"] == "concern_placed"
            ]
            assert {v["concern_id"] for v in placed} == {"http-1", "kafka-1"}
            assert TEXT not in str(reader.values("meetings.events.v1"))
    finally:
        reader.close()
        await stop_platform(platform)
