"""Issue 18 end to end, through the topics: an incident about two young persons goes through
intake, triage, notifications and reporting; the coordinator erases one with `ssp erase`.
The handover list and the letter worklist no longer show them, the trace (`ssp trace`) shows
that a person was erased and not who, every topic and every store file holds nothing readable
of them, and the other person is untouched. Then the services restart with their relays
republishing from the start (an emptied broker): the erased person does not come back."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from shared.auth import AuthSettings, mint_development_token
from shared.settings import PlatformSettings
from ssp_platform.broker import EmbeddedBroker
from ssp_platform.cli import app as ssp
from ssp_platform.platform import start_platform, stop_platform
from tests.integration.platform_env import (
    PSEUDONYM_SECRET,
    eventually,
    files_holding,
    person_key_of,
    read_topic,
    topics_holding,
    use_platform_env,
)
from tests.support import example

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.e2e]

SERVICES = ["intake", "triage", "notifications", "reporting"]


async def test_an_erased_child_is_gone_from_every_list_topic_and_store_for_good(
    embedded_broker: EmbeddedBroker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = use_platform_env(
        monkeypatch, embedded_broker, tmp_path, None, INTAKE_PSEUDONYM_SECRET=PSEUDONYM_SECRET
    )
    incident = example("incident-valid.json")
    erased, kept = incident["persons"]
    erased_key, kept_key = person_key_of(erased["cpr"]), person_key_of(kept["cpr"])
    dev = AuthSettings()

    def bearer(role: str, **claims: Any) -> dict[str, str]:
        token = mint_development_token(dev, role=role, **claims)
        return {"Authorization": f"Bearer {token}", "X-Purpose": "the weekly meeting"}

    tovholder = bearer("tovholder", municipalities=["607"])
    platform = await start_platform(SERVICES, PlatformSettings())
    urls = {s.name: s.http_url for s in platform.services}
    try:
        async with httpx.AsyncClient(timeout=30) as client:

            async def handover() -> list[str]:
                r = await client.get(
                    f"{urls['reporting']}/v1/handover/607/2026-W47", headers=tovholder
                )
                return [p["person_key"] for p in r.json()["persons"]]

            async def worklist() -> list[str]:
                r = await client.get(
                    f"{urls['notifications']}/v1/letter-tasks",
                    params={"municipality_code": "607", "status": "all"},
                    headers=tovholder,
                )
                return [t["person_key"] for t in r.json()["tasks"]]

            submitted = await client.post(
                f"{urls['intake']}/v1/incidents",
                content=json.dumps(incident).encode(),
                headers=bearer("police_integration", scopes=["incidents:write"]),
            )
            assert submitted.status_code == 202, submitted.text

            async def both_listed() -> bool:
                return sorted(await handover()) == sorted([erased_key, kept_key]) and sorted(
                    await worklist()
                ) == sorted([erased_key, kept_key])

            assert await eventually(both_listed)

            # `ssp erase`, as the coordinator of the municipality (a development token).
            monkeypatch.setenv("SSP_INTAKE_URL", urls["intake"])
            # In a thread: the platform answers on this test's event loop.
            result = await asyncio.to_thread(
                CliRunner().invoke, ssp, ["erase", erased_key, "--reason", "request", "-m", "607"]
            )
            assert result.exit_code == 0, result.output
            assert "erased" in result.output

            async def forgotten() -> bool:
                return await handover() == [kept_key] and await worklist() == [kept_key]

            assert await eventually(forgotten)
            trace = await client.get(
                f"{urls['reporting']}/v1/trace/{incident['journal_number']}",
                headers=bearer("operations"),
            )
            steps = trace.json()["steps"]
            assert [s["detail"] for s in steps if s["step"] == "person_erased"] == [
                "a person in this incident was erased (request)"
            ]
            assert erased_key not in json.dumps(steps)
            resolved = await client.post(
                f"{urls['intake']}/v1/identities/{kept_key}/resolve",
                json={"purpose": "kontakt til familien"},
                headers=tovholder,
            )
            assert resolved.json()["names"] == [kept["name"]]

        await assert_nothing_readable(embedded_broker, prefix, tmp_path, erased, erased_key)
    finally:
        await stop_platform(platform)

    # The relays republish everything from the start (as for an emptied broker): the
    # consumers and the relays withhold the erased person, the read models stay as they were.
    restarted = await start_platform(SERVICES, PlatformSettings())
    try:
        for service in restarted.services:
            if service.relay is not None:
                await service._stop_relay()
                service.relay.republish_from_start()
                service._start_relay()
        incidents = prefix + "ssp.intake.incidents.v1"
        records = await read_topic(
            embedded_broker.bootstrap_servers, incidents, lambda found: len(found) >= 2, 60
        )
        republished = json.loads(records[-1].value)
        assert [p["person_key"] for p in republished["persons"]] == [kept_key]
        urls = {s.name: s.http_url for s in restarted.services}
        async with httpx.AsyncClient(timeout=30) as client:
            r = await client.get(f"{urls['reporting']}/v1/handover/607/2026-W47", headers=tovholder)
            assert [p["person_key"] for p in r.json()["persons"]] == [kept_key]
        await assert_nothing_readable(embedded_broker, prefix, tmp_path, erased, erased_key)
    finally:
        await stop_platform(restarted)


async def assert_nothing_readable(
    broker: EmbeddedBroker, prefix: str, data_dir: Path, erased: dict[str, Any], key: str
) -> None:
    """No CPR number, name or address of the erased person in any store file; on the topics
    after intake, nothing about their pseudonym but the erasure itself."""
    secrets = [erased["cpr"], erased["cpr"].replace("-", ""), erased["name"]]
    assert files_holding(data_dir, secrets) == []
    for name in os.listdir(data_dir):
        assert not name.startswith(key)
    topics = [
        prefix + topic
        for topic in (
            "ssp.intake.incidents.v1",
            "ssp.triage.tovholder.v1",
            "ssp.triage.caseworker.v1",
            "ssp.notifications.letter-tasks.v1",
        )
    ]
    assert await topics_holding(broker.bootstrap_servers, topics, secrets) == []
