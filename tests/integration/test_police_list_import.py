"""The police list through the topics: `ssp import` of the sample file against the running
intake on the real broker; accepted incidents on the internal topic, decisions from triage,
letter tasks from notifications; the same file again changes nothing; the error file leaves
rejection records, listed for correction and closed by a resubmission over HTTP or a corrected
re-import (issue 15, part 6). On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from rich.console import Console

from shared.auth import DEFAULT_SCOPES, AuthSettings, Role, mint_development_token
from shared.settings import PlatformSettings
from ssp_platform.broker import EmbeddedBroker
from ssp_platform.platform import start_platform, stop_platform
from ssp_platform.police_import import ImportOutcome, import_file
from tests.integration.platform_env import use_platform_env

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "police-list"
TOPICS = {
    "accepted": "ssp.intake.incidents.v1",
    "rejected": "ssp.intake.rejected.v1",
    "caseworker": "ssp.triage.caseworker.v1",
    "tovholder": "ssp.triage.tovholder.v1",
    "tasks": "ssp.notifications.letter-tasks.v1",
}


class Seen:
    """Every message on the watched topics since the start, by topic."""

    def __init__(self) -> None:
        self.messages: dict[str, list[dict[str, Any]]] = {name: [] for name in TOPICS}

    def count(self, name: str, **where: Any) -> int:
        return sum(all(m.get(k) == v for k, v in where.items()) for m in self.messages[name])


async def _watch(servers: str, prefix: str, seen: Seen) -> None:
    names = {prefix + topic: name for name, topic in TOPICS.items()}
    consumer = AIOKafkaConsumer(
        *names,
        bootstrap_servers=servers,
        group_id=f"watch-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="earliest",
        fetch_max_wait_ms=10,
        metadata_max_age_ms=500,
    )
    await consumer.start()
    try:
        while True:
            batches = await consumer.getmany(timeout_ms=200)
            for partition, records in batches.items():
                for record in records:
                    seen.messages[names[partition.topic]].append(json.loads(record.value))
    finally:
        await consumer.stop()


async def _eventually(check: Any, timeout: float = 60) -> bool:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.2)
    return True


@pytest.fixture
async def platform(
    embedded_broker: EmbeddedBroker,
    store_url: str | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[tuple[str, Seen]]:
    prefix = use_platform_env(monkeypatch, embedded_broker, tmp_path, store_url)
    running = await start_platform(["intake", "triage", "notifications"], PlatformSettings())
    seen = Seen()
    watcher = asyncio.create_task(_watch(embedded_broker.bootstrap_servers, prefix, seen))
    try:
        intake = next(s.http_url for s in running.services if s.name == "intake")
        yield intake, seen
    finally:
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)
        await stop_platform(running)


async def _import(intake: str, name: str) -> tuple[ImportOutcome, str]:
    token = mint_development_token(
        AuthSettings(),
        role=Role.POLICE_INTEGRATION,
        scopes=DEFAULT_SCOPES[Role.POLICE_INTEGRATION],
    )
    console = Console(record=True, width=200)
    outcome = await asyncio.to_thread(
        import_file,
        SAMPLES / name,
        url=intake,
        headers={"Authorization": f"Bearer {token}"},
        console=console,
    )
    return outcome, console.export_text()


async def test_importing_the_police_list_twice_reaches_triage_once(
    platform: tuple[str, Seen],
) -> None:
    intake, seen = platform
    outcome, output = await _import(intake, "police-list.xlsx")
    assert outcome.exit_code == 0, output
    assert outcome.counts == {"accepted": 3}

    def decisions() -> int:
        return seen.count("caseworker") + seen.count("tovholder")

    assert await _eventually(lambda: seen.count("tasks", event="created") == 5), seen.messages
    assert seen.count("accepted") == 3
    assert {m["journal_number"] for m in seen.messages["accepted"]} == {
        "3700-80200-00001-26",
        "3700-80200-00002-26",
        "3700-80200-00003-26",
    }
    assert decisions() == 5

    outcome, output = await _import(intake, "police-list.csv")  # the same list, as CSV
    assert outcome.exit_code == 0, output
    assert outcome.counts == {"duplicate": 3}
    await asyncio.sleep(3)  # anything a second import caused would have arrived by now
    assert seen.count("accepted") == 3
    assert decisions() == 5
    assert seen.count("tasks", event="created") == 5


async def test_the_error_list_leaves_rejection_records_and_a_nonzero_exit(
    platform: tuple[str, Seen],
) -> None:
    intake, seen = platform
    outcome, output = await _import(intake, "police-list-errors.csv")
    assert outcome.exit_code == 1
    assert outcome.counts == {"accepted": 1, "rejected": 4}
    found = {(e["row"], e["column"], e["code"]) for e in outcome.errors}
    assert (4, "location_municipality_code", "unknown_municipality") in found
    assert (7, "occurred_at", "conflicting_rows") in found  # the file's row, not the request's
    assert "unknown_municipality" in output and "conflicting_rows" in output
    assert "320299" not in output and "Testperson" not in output
    assert await _eventually(lambda: seen.count("rejected") == 4 and seen.count("accepted") == 1)
    outcome, _ = await _import(intake, "police-list-errors.csv")
    assert outcome.exit_code == 1 and outcome.counts == {"duplicate": 1, "rejected": 4}
    await asyncio.sleep(2)
    assert seen.count("rejected") == 4 and seen.count("accepted") == 1


# --- issue 15, part 6: the rejections listed, corrected over HTTP and by a re-import --------
def _staff(role: str = "tovholder") -> dict[str, str]:
    token = mint_development_token(
        AuthSettings(),
        role=role,
        municipalities=["607"],
        scopes=DEFAULT_SCOPES.get(Role(role), frozenset()),
    )
    return {"Authorization": f"Bearer {token}", "X-Purpose": "afviste indberetninger"}


async def _open_rejections(intake: str) -> dict[str, dict[str, Any]]:
    async with httpx.AsyncClient(base_url=intake, headers=_staff(), timeout=30) as client:
        answer = await client.get("/v1/rejected", params={"municipality_code": "607"})
    assert answer.status_code == 200, answer.text
    return {r["journal_number"]: r for r in answer.json()["rejections"]}


CORRECTED_ROW = (
    "journal_number,revision,source,police_district,reported_at,occurred_at,offence_code,"
    "offence_text,location_municipality_code,location_text,cpr,name,role,municipality_code,"
    "school,flags\n"
    "3700-80300-00004-26,1,ssp_liste,Sydøstjyllands Politi,2026-11-20 08:15,2026-11-19 20:00,"
    "tyveri,fiktiv hændelse,607,Fredericia,080812-4204,Testperson India,sigtet,607,,\n"
)


async def test_rejections_are_listed_and_closed_by_a_correction_over_http_and_a_reimport(
    platform: tuple[str, Seen], tmp_path: Path
) -> None:
    intake, seen = platform
    outcome, _ = await _import(intake, "police-list-errors.csv")
    assert outcome.counts == {"accepted": 1, "rejected": 4}
    listed = await _open_rejections(intake)
    resubmitted, reimported = "3700-80300-00005-26", "3700-80300-00004-26"
    assert {resubmitted, reimported} <= set(listed)
    assert {p["code"] for p in listed[resubmitted]["problems"]} == {"conflicting_rows"}

    def decided(journal_number: str) -> bool:
        return bool(
            seen.count("tovholder", journal_number=journal_number)
            + seen.count("caseworker", journal_number=journal_number)
        )

    # Corrected over HTTP: the kept document, its rows now agreeing, resubmitted.
    reference = listed[resubmitted]["reference"]
    async with httpx.AsyncClient(base_url=intake, headers=_staff(), timeout=30) as client:
        original = (await client.get(f"/v1/rejected/{reference}")).json()["original_text"]
        answer = await client.post(f"/v1/rejected/{reference}/resubmit", content=original)
        assert answer.status_code == 202, answer.text
        read = (await client.get(f"/v1/rejected/{reference}")).json()
    assert read["corrected_by"] == {
        "journal_number": resubmitted,
        "revision": 1,
        "how": "resubmitted",
    }
    assert await _eventually(lambda: decided(resubmitted)), seen.messages["accepted"]

    # Corrected by the police: the row sent again, right this time, with the same journal.
    corrected = tmp_path / "corrected.csv"
    corrected.write_text(CORRECTED_ROW, encoding="utf-8")
    token = mint_development_token(
        AuthSettings(), role=Role.POLICE_INTEGRATION, scopes=DEFAULT_SCOPES[Role.POLICE_INTEGRATION]
    )
    again = await asyncio.to_thread(
        import_file,
        corrected,
        url=intake,
        headers={"Authorization": f"Bearer {token}"},
        console=Console(record=True, width=120),
    )
    assert again.exit_code == 0 and again.counts == {"accepted": 1}
    assert await _eventually(lambda: decided(reimported))
    still_open = await _open_rejections(intake)
    assert resubmitted not in still_open and reimported not in still_open
    async with httpx.AsyncClient(base_url=intake, headers=_staff(), timeout=30) as client:
        closed = (await client.get(f"/v1/rejected/{listed[reimported]['reference']}")).json()
    assert closed["corrected_by"] == {
        "journal_number": reimported,
        "revision": 1,
        "how": "submitted_again",
    }
