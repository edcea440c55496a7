"""EmbeddedBroker + shared.messaging.admin against the real (embedded Tansu) broker."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from shared.messaging.admin import (
    broker_reachable,
    cluster_state,
    ensure_topics,
    wait_for_broker,
)
from ssp_platform.broker import BrokerStartError, EmbeddedBroker

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    log_path = tmp_path_factory.mktemp("tansu") / "broker.log"
    b = EmbeddedBroker(log_path=log_path)
    b.start(timeout=30)
    try:
        yield b
    finally:
        b.stop()


@pytest.fixture
def bootstrap(broker: EmbeddedBroker) -> str:
    return broker.bootstrap_servers


def _names(*prefixes: str) -> list[str]:
    run = uuid.uuid4().hex[:8]
    return [f"test.{p}.{run}" for p in prefixes]


async def test_broker_reachable(bootstrap: str) -> None:
    assert await broker_reachable(bootstrap)
    await wait_for_broker(bootstrap, timeout_s=5)


async def test_ensure_topics_creates_then_is_idempotent(bootstrap: str) -> None:
    a, b = _names("a", "b")
    assert await ensure_topics(bootstrap, {a: 3, b: 1}) == {a, b}
    assert await ensure_topics(bootstrap, {a: 3, b: 1}) == set()


async def test_ensure_topics_concurrent_callers(bootstrap: str) -> None:
    (c,) = _names("c")
    results = await asyncio.gather(*(ensure_topics(bootstrap, {c: 2}) for _ in range(4)))
    assert set().union(*results) == {c}
    assert sum(len(r) for r in results) == 1  # exactly one caller created it


async def test_ensure_topics_fewer_partitions_left_as_is(
    bootstrap: str, caplog: pytest.LogCaptureFixture
) -> None:
    (d,) = _names("d")
    assert await ensure_topics(bootstrap, {d: 1}) == {d}
    with caplog.at_level("WARNING", logger="shared.messaging.admin"):
        assert await ensure_topics(bootstrap, {d: 4}) == set()
    assert any("fewer than the 4 requested" in r.getMessage() for r in caplog.records)


async def test_produce_consume_round_trip(bootstrap: str) -> None:
    (topic,) = _names("roundtrip")
    assert await ensure_topics(bootstrap, {topic: 2}) == {topic}
    sent = {f"k{i}".encode(): f'{{"n":{i}}}'.encode() for i in range(20)}

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"test-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        fetch_max_wait_ms=10,
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    await consumer.start()
    try:
        await asyncio.gather(*[await producer.send(topic, v, key=k) for k, v in sent.items()])
        received: dict[bytes, bytes] = {}
        async with asyncio.timeout(60):  # the group join alone takes ~5 s on Tansu
            while len(received) < len(sent):
                for records in (await consumer.getmany(timeout_ms=200)).values():
                    for r in records:
                        assert r.key is not None and r.value is not None
                        received[r.key] = r.value
        assert received == sent
        await consumer.commit()
    finally:
        await consumer.stop()
        await producer.stop()


async def test_ensure_topics_times_out_without_broker() -> None:
    # Port 9 (discard) on loopback: nothing listens there.
    with pytest.raises(TimeoutError):
        await ensure_topics("127.0.0.1:9", {"never": 1}, timeout_s=1)
    assert not await broker_reachable("127.0.0.1:9", timeout_s=0.5)


def test_context_manager_and_stop(tmp_path: Path) -> None:
    with EmbeddedBroker(log_path=tmp_path / "b.log") as b:
        bootstrap = b.bootstrap_servers
        assert b.running
        assert asyncio.run(broker_reachable(bootstrap))
    assert not b.running
    b.stop()  # idempotent
    assert not asyncio.run(broker_reachable(bootstrap, timeout_s=1))


def test_port_already_in_use_is_refused(broker: EmbeddedBroker) -> None:
    # Tansu prints "listening" before it binds and panics later; without the pre-check the
    # readiness probe would be answered by the broker already on the port.
    with pytest.raises(BrokerStartError, match="already in use"):
        EmbeddedBroker(port=broker.port).start(timeout=10)


def test_unreachable_after_stop(broker: EmbeddedBroker) -> None:
    """Runs last in this module: stops the shared broker."""
    bootstrap = broker.bootstrap_servers
    assert asyncio.run(broker_reachable(bootstrap))
    broker.stop()
    broker.stop()
    assert not broker.running
    assert not asyncio.run(broker_reachable(bootstrap, timeout_s=1))


async def test_a_restarted_embedded_broker_is_a_new_cluster_without_the_topics(
    tmp_path: Path,
) -> None:
    """What a service's broker watch relies on: the cluster id of an embedded broker started
    again on the same port differs, and its topics are gone."""
    first = EmbeddedBroker(log_path=tmp_path / "first.log")
    bootstrap = first.start(timeout=30)
    second: EmbeddedBroker | None = None
    try:
        (topic,) = _names("watched")
        await ensure_topics(bootstrap, {topic: 1})
        before = await cluster_state(bootstrap)
        assert before is not None and topic in before.topics and before.cluster_id
        first.stop()
        assert await cluster_state(bootstrap, timeout_s=0.5) is None
        second = EmbeddedBroker(port=first.port, log_path=tmp_path / "second.log")
        second.start(timeout=30)
        after = await cluster_state(bootstrap)
        assert after is not None and topic not in after.topics
        assert after.cluster_id not in (None, before.cluster_id)
    finally:
        if second is not None:
            second.stop()
        first.stop()
