"""Exit referrals on the real broker, on SQLite and on PostgreSQL (issue 4, part 6): a police
incident flagged `bande` about a 16-year-old, delivered twice and then revised, makes exactly
one referral on ssp.triage.exit-referrals.v1, keyed by the person's pseudonym; reporting shows
it in the trace and on the handover list."""

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
from ssp_platform.broker import EmbeddedBroker
from ssp_platform.platform import start_platform, stop_platform
from tests.integration.platform_env import read_topic, use_platform_env
from tests.support import example

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


async def test_a_gang_flagged_incident_about_a_16_year_old_is_referred_once(
    embedded_broker: EmbeddedBroker,
    store_url: str | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    prefix = use_platform_env(monkeypatch, embedded_broker, tmp_path, store_url)
    incident = example("incident-valid.json")
    incident["persons"] = incident["persons"][:1]  # born 2010-03-12: 16 at the incident
    incident["flags"] = ["bande"]
    bootstrap = embedded_broker.bootstrap_servers
    platform = await start_platform(["intake", "triage", "reporting"], PlatformSettings())
    reporting = next(s.http_url for s in platform.services if s.name == "reporting")
    token = mint_development_token(AuthSettings(), role="tovholder", municipalities=["607"])
    tovholder = {"Authorization": f"Bearer {token}", "X-Purpose": "pipeline test"}
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        key = incident["journal_number"].encode()
        # Revision 2 changes the offence, so triage publishes a revised decision for it.
        for revision, flags, offence in (
            (1, ["bande"], "butikstyveri"),
            (1, ["bande"], "butikstyveri"),
            (2, ["bande", "vaaben"], "vold"),
        ):
            doc = {
                **incident,
                "revision": revision,
                "flags": flags,
                "offence": {**incident["offence"], "code": offence},
            }
            await producer.send_and_wait(
                prefix + "ssp.police.incidents.v1", json.dumps(doc).encode(), key=key
            )

        def revisions(records: list[Any]) -> list[int]:
            return [json.loads(r.value)["revision"] for r in records]

        decisions = await read_topic(
            bootstrap,
            prefix + "ssp.triage.tovholder.v1",
            lambda records: 2 in revisions(records),
            timeout=60,
        )
        assert revisions(decisions) == [1, 2]
        # A second referral would be published with the revision-2 decision or before it; wait
        # a little beyond it to be sure none follows.
        referrals = await read_topic(
            bootstrap,
            prefix + "ssp.triage.exit-referrals.v1",
            lambda records: len(records) >= 2,
            timeout=5,
        )

        async def reported() -> tuple[list[str], list[Any]]:
            async with httpx.AsyncClient() as client:
                trace = await client.get(
                    f"{reporting}/v1/trace/{incident['journal_number']}", headers=tovholder
                )
                listed = await client.get(
                    f"{reporting}/v1/handover/607/2026-W47", headers=tovholder
                )
            steps = [s["step"] for s in trace.json().get("steps", [])]
            return steps, listed.json()["persons"]

        deadline = asyncio.get_running_loop().time() + 30
        steps, persons = await reported()
        while "exit_referral" not in steps and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.2)
            steps, persons = await reported()
    finally:
        await producer.stop()
        await stop_platform(platform)
    assert len(referrals) == 1
    [referral] = referrals
    body = json.loads(referral.value)
    first_decision = json.loads(decisions[0].value)
    assert referral.key.decode() == body["person_key"] == first_decision["person_key"]
    assert (body["revision"], body["age_at_incident"], body["flags"]) == (1, 16, ["bande"])
    assert body["decision_id"] == first_decision["decision_id"]
    assert "exit_referral" in first_decision["reasons"]
    assert "exit_referral" not in json.loads(decisions[1].value)["reasons"]
    assert (body["owner_role"], body["municipality_code"]) == ("exit_coordinator", "607")
    headers = dict(referral.headers)
    assert headers["ssp-origin"] == b"triage"
    assert steps.count("exit_referral") == 1
    assert [(p["revision"], p["exit_referral"]) for p in persons] == [(2, True)]
