"""Hostile input on the real broker (issue 12, part 1): a 3 MB `school` (beyond
SSP_KAFKA_MAX_MESSAGE_BYTES), bytes that are no JSON and a school that is a CPR number reach
intake on ssp.police.incidents.v1. Each is rejected on ssp.intake.rejected.v1 with its reason,
and the incident sent after them is accepted: the relay does not stall on any of them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer

from shared.settings import PlatformSettings
from ssp_platform.broker import EmbeddedBroker
from ssp_platform.platform import start_platform, stop_platform
from tests.integration.platform_env import read_topic, use_platform_env
from tests.unit.test_hostile_inputs import incident, with_person

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


async def test_hostile_messages_are_rejected_and_the_flow_goes_on(
    embedded_broker: EmbeddedBroker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = use_platform_env(monkeypatch, embedded_broker, tmp_path, None)
    platform = await start_platform(["intake"], PlatformSettings())
    producer = AIOKafkaProducer(
        bootstrap_servers=embedded_broker.bootstrap_servers,
        acks="all",
        max_request_size=8 * 1024 * 1024,
    )
    await producer.start()
    try:
        topic = prefix + "ssp.police.incidents.v1"
        hostile = [
            json.dumps(with_person(school="s" * 3 * 1024 * 1024)).encode(),
            b"\xff not json",
            json.dumps(with_person(school="120310-4123")).encode(),
        ]
        for value in hostile:
            await producer.send_and_wait(topic, value, key=b"hostile")
        valid = json.dumps(incident("3700-80123-00901-26")).encode()
        await producer.send_and_wait(topic, valid, key=b"3700-80123-00901-26")

        rejected = await read_topic(
            embedded_broker.bootstrap_servers,
            prefix + "ssp.intake.rejected.v1",
            until=lambda records: len(records) >= 3,
        )
        accepted = await read_topic(
            embedded_broker.bootstrap_servers,
            prefix + "ssp.intake.incidents.v1",
            until=lambda records: len(records) >= 1,
        )
    finally:
        await producer.stop()
        await stop_platform(platform)
    codes = sorted(json.loads(r.value)["reasons"][0]["code"] for r in rejected)
    print(f"rejected: {codes}; accepted: {len(accepted)}")
    assert codes == ["cpr_in_name", "invalid_json", "message_too_large"]
    assert [json.loads(r.value)["journal_number"] for r in accepted] == ["3700-80123-00901-26"]
    assert all(b"120310" not in r.value for r in rejected)
