"""On the real broker: an event too large for the relay's producer (`max_request_size`, 2 MiB;
Tansu itself takes messages of any size) is kept as a dead letter with its reason, and the
events after it reach their topic."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from shared.messaging.admin import ensure_topics
from shared.messaging.dead_letters import RELAY_PARTITION
from shared.runtime import RunningService
from shared.settings import PlatformSettings
from ssp_platform.broker import EmbeddedBroker
from tests.integration.platform_env import read_topic
from tests.integration.test_runtime_on_broker import IN_TOPIC, OUT_TOPIC, SERVICE, tally_service

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

OVERSIZED = 3 * 1024 * 1024


async def test_an_oversized_event_is_dead_lettered_and_the_flow_goes_on(
    embedded_broker: EmbeddedBroker, store_url: str | None, tmp_path: Path
) -> None:
    prefix = f"t{uuid.uuid4().hex[:8]}."
    settings = PlatformSettings(
        SSP_DATABASE_URL=store_url,
        SSP_DATA_DIR=str(tmp_path),
        SSP_TOPIC_PREFIX=prefix,
        # the service takes the large input, so that its outgoing event is too large to relay
        SSP_KAFKA_MAX_MESSAGE_BYTES=2 * OVERSIZED,
    )
    bootstrap = embedded_broker.bootstrap_servers
    dlq = f"{prefix}ssp.{SERVICE}.dead-letter.v1"
    await ensure_topics(bootstrap, {prefix + IN_TOPIC: 3, prefix + OUT_TOPIC: 3, dlq: 1})
    service = RunningService(tally_service(settings), bootstrap)
    await service.start()
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", max_request_size=2 * OVERSIZED
    )
    await producer.start()
    items = ["before", "x" * OVERSIZED, *(f"after {i}" for i in range(5))]
    try:
        for i, item in enumerate(items):
            headers = [("ssp-origin", b"upstream"), ("ssp-notification-id", str(i).encode())]
            value = json.dumps({"item": item}).encode()
            await producer.send_and_wait(prefix + IN_TOPIC, value, key=b"k", headers=headers)

        def everything_after(records: list[Any]) -> bool:
            return any(json.loads(r.value)["item"] == "after 4" for r in records)

        # generous waits: a shared CI machine may be slow, the conditions end them early
        out = await read_topic(
            bootstrap, prefix + OUT_TOPIC, everything_after, timeout=180, settle_ms=500
        )
        dead = await read_topic(
            bootstrap, dlq, lambda records: len(records) >= 1, timeout=180, settle_ms=500
        )
        assert service.relay is not None
        relay_dead_letters = service.relay.dead_letters
    finally:
        await producer.stop()
        await service.stop()

    published = [json.loads(r.value)["item"] for r in out]
    assert published == ["before", *(f"after {i}" for i in range(5))]
    [record] = dead
    headers = {k: v.decode() for k, v in record.headers}
    assert record.value == b""
    assert headers["ssp-dlq-origin-topic"] == prefix + OUT_TOPIC
    assert headers["ssp-dlq-origin-partition"] == str(RELAY_PARTITION)
    assert headers["ssp-dlq-error"].startswith("relay: MessageSizeTooLargeError (")
    assert relay_dead_letters == 1
