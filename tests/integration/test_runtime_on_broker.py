"""The shared runtime on the real broker and both stores: a tiny service whose handler counts
messages. Re-delivered upstream notifications count once; poison goes to the dead-letter topic
with its original bytes; the relay publishes with origin headers and the stored trace."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from eventsourcing.domain import event
from fastapi import FastAPI

from shared.eventstore import ServiceApplication, TracedAggregate, UnitOfWork, store_env
from shared.messaging.admin import ensure_topics, topics_empty
from shared.messaging.dead_letters import dead_letter_publications
from shared.messaging.errors import PoisonMessage
from shared.messaging.inbound import Inbound
from shared.messaging.outgoing import Outgoing
from shared.runtime import RunningService, ServiceDefinition
from shared.settings import PlatformSettings
from ssp_platform.broker import EmbeddedBroker
from tests.integration.platform_env import read_topic

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

IN_TOPIC = "test.counter.in"
OUT_TOPIC = "test.counter.out"
SERVICE = "triage"  # any service name with a registered dead-letter topic


class Tally(TracedAggregate):
    @event("Opened")
    def __init__(self, name: str) -> None:
        self.seen: list[str] = []

    @staticmethod
    def create_id(name: str) -> uuid.UUID:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"tally:{name}")

    @event("Counted")
    def count(self, item: str) -> None:
        self.seen.append(item)


class TallyApp(ServiceApplication):
    name = "tally"


def handler_for(app: ServiceApplication) -> Any:
    def handle(messages: Sequence[Inbound]) -> None:
        uow = UnitOfWork(app)
        for message in messages:
            with message.processing_span(SERVICE):
                body = json.loads(message.value)
                if "item" not in body:
                    raise PoisonMessage("no item")
                tally = uow.get(Tally, Tally.create_id("all"))
                if tally is None:
                    tally = Tally("all")
                    uow.add(tally)
                tally.count(item=body["item"])
            uow.processed(message.upstream)
        uow.commit()

    return handle


def publications(domain_event: Any) -> list[Outgoing]:
    if type(domain_event).__name__ == "Counted":
        return [Outgoing(OUT_TOPIC, "all", json.dumps({"item": domain_event.item}).encode())]
    return dead_letter_publications(domain_event)


def tally_service(settings: PlatformSettings) -> ServiceDefinition:
    """The counting service, on `settings`' store and topics."""
    return ServiceDefinition(
        name=SERVICE,
        settings=settings,
        app_factory=lambda: TallyApp(env=store_env(settings, "tally")),
        consumes=[IN_TOPIC],
        produces=[OUT_TOPIC],
        handler_factory=handler_for,
        publications=publications,
        http_factory=lambda ctx: FastAPI(),
    )


async def _consume(bootstrap: str, topic: str, count: int, timeout: float = 30) -> list[Any]:
    return await read_topic(
        bootstrap, topic, lambda records: len(records) >= count, timeout, settle_ms=1000
    )


async def test_effectively_once_and_dead_letters(
    embedded_broker: EmbeddedBroker, store_url: str | None, tmp_path: Path
) -> None:
    prefix = f"t{uuid.uuid4().hex[:8]}."
    settings = PlatformSettings(
        SSP_DATABASE_URL=store_url,
        SSP_DATA_DIR=str(tmp_path),
        SSP_TOPIC_PREFIX=prefix,
        SSP_MAX_ATTEMPTS=2,
    )
    bootstrap = embedded_broker.bootstrap_servers
    dlq = f"{prefix}ssp.{SERVICE}.dead-letter.v1"
    await ensure_topics(bootstrap, {prefix + IN_TOPIC: 3, prefix + OUT_TOPIC: 3, dlq: 1})
    definition = tally_service(settings)
    service = RunningService(definition, bootstrap)
    await service.start()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for i in range(20):
            headers = [("ssp-origin", b"upstream"), ("ssp-notification-id", str(i).encode())]
            value = json.dumps({"item": f"i{i}"}).encode()
            await producer.send_and_wait(prefix + IN_TOPIC, value, key=b"k%d" % i, headers=headers)
            if i % 4 == 0:  # the upstream relay published it again after a crash
                await producer.send_and_wait(
                    prefix + IN_TOPIC, value, key=b"k%d" % i, headers=headers
                )
        poison = b'{"no": "item"}'
        await producer.send_and_wait(prefix + IN_TOPIC, poison, key=b"poison")
        out = await _consume(bootstrap, prefix + OUT_TOPIC, 20)
        dead = await _consume(bootstrap, dlq, 1)
    finally:
        await producer.stop()
        await service.stop()

    items = sorted(json.loads(r.value)["item"] for r in out)
    assert items == sorted(f"i{i}" for i in range(20))
    assert all(dict(r.headers)["ssp-origin"] == SERVICE.encode() for r in out)
    assert all(b"traceparent" in dict(r.headers) or "traceparent" in dict(r.headers) for r in out)
    assert len(dead) == 1
    assert dead[0].value == poison
    headers = {k: v.decode() for k, v in dead[0].headers}
    assert headers["ssp-dlq-origin-topic"] == prefix + IN_TOPIC
    assert headers["ssp-dlq-error"] == "no item"


async def _read_all(bootstrap: str, topic: str, count: int, timeout: float = 30) -> list[Any]:
    """The topic's records from the start, without a consumer group (no join to wait for),
    until `count` are read or the time is up."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        records: list[Any] = []
        deadline = asyncio.get_running_loop().time() + timeout
        while len(records) < count and asyncio.get_running_loop().time() < deadline:
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                records.extend(batch)
        return records
    finally:
        await consumer.stop()


async def test_a_relay_republishes_what_a_new_broker_lost_whoever_created_its_topics(
    embedded_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    """Tansu keeps only memory: after it restarts, a service's output topics are empty, and
    another service's consumer may have re-created them before this service starts. The
    relay, having published before, finds them all empty and republishes from the start.
    (SQLite only: the decision does not depend on the store.)"""
    prefix = f"t{uuid.uuid4().hex[:8]}."
    settings = PlatformSettings(SSP_DATA_DIR=str(tmp_path), SSP_TOPIC_PREFIX=prefix)
    out_topic = prefix + OUT_TOPIC
    topics = {prefix + IN_TOPIC: 3, out_topic: 3, f"{prefix}ssp.{SERVICE}.dead-letter.v1": 1}
    definition = tally_service(settings)

    def items(records: list[Any]) -> list[str]:
        return sorted(json.loads(r.value)["item"] for r in records)

    await ensure_topics(embedded_broker.bootstrap_servers, topics)
    service = RunningService(definition, embedded_broker.bootstrap_servers)
    await service.start()
    producer = AIOKafkaProducer(bootstrap_servers=embedded_broker.bootstrap_servers, acks="all")
    await producer.start()
    try:
        for i in range(5):
            headers = [("ssp-origin", b"upstream"), ("ssp-notification-id", b"%d" % i)]
            value = json.dumps({"item": f"i{i}"}).encode()
            await producer.send_and_wait(prefix + IN_TOPIC, value, key=b"k", headers=headers)
        first = await _read_all(embedded_broker.bootstrap_servers, out_topic, 5)
    finally:
        await producer.stop()
        await service.stop()
    assert items(first) == [f"i{i}" for i in range(5)]

    restarted = EmbeddedBroker(log_path=tmp_path / "restarted-tansu.log")
    bootstrap = await asyncio.to_thread(restarted.start, 30)
    try:
        await ensure_topics(bootstrap, topics)  # e.g. a consumer of these topics started first
        assert await topics_empty(bootstrap, [out_topic])
        service = RunningService(definition, bootstrap)
        await service.start()
        try:
            again = await _read_all(bootstrap, out_topic, 5)
        finally:
            await service.stop()
        assert not await topics_empty(bootstrap, [out_topic])  # a restart now goes on as it was
    finally:
        await asyncio.to_thread(restarted.stop)
    assert items(again) == items(first)


async def test_a_store_call_that_hangs_turns_healthz_to_503_until_it_returns(
    embedded_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    """A handler that waits forever (as a hung database driver would) stalls the store's
    thread: /healthz answers 503, naming the call, so the pod is restarted; when the call
    returns, 200 again. (SQLite only: the watch does not depend on the store.)"""
    prefix = f"t{uuid.uuid4().hex[:8]}."
    settings = PlatformSettings(SSP_DATA_DIR=str(tmp_path), SSP_TOPIC_PREFIX=prefix)
    release = threading.Event()
    counting = handler_for

    def hanging_handler(app: ServiceApplication) -> Any:
        count = counting(app)

        def handle(messages: Sequence[Inbound]) -> None:
            if any(json.loads(m.value).get("item") == "hang" for m in messages):
                release.wait(60)
            count(messages)

        return handle

    definition = tally_service(settings)
    definition.handler_factory = hanging_handler
    dead_letters = f"{prefix}ssp.{SERVICE}.dead-letter.v1"
    topics = {prefix + IN_TOPIC: 1, prefix + OUT_TOPIC: 1, dead_letters: 1}
    await ensure_topics(embedded_broker.bootstrap_servers, topics)
    service = RunningService(definition, embedded_broker.bootstrap_servers)
    await service.start()
    service.stall_watch.limit_s = 1.0  # the setting's floor is 10 s; a test need not wait so long
    producer = AIOKafkaProducer(bootstrap_servers=embedded_broker.bootstrap_servers, acks="all")
    await producer.start()
    try:
        async with httpx.AsyncClient(base_url=service.http_url) as http:
            assert (await http.get("/healthz")).status_code == 200
            await producer.send_and_wait(prefix + IN_TOPIC, b'{"item": "hang"}', key=b"k")
            answer = None
            for _ in range(300):
                answer = await http.get("/healthz")
                if answer.status_code == 503:
                    break
                await asyncio.sleep(0.1)
            assert answer is not None and answer.status_code == 503, answer
            assert answer.json()["store_thread"]["call"] == "InboxRuntime._handle_fresh"
            release.set()
            for _ in range(100):
                if (await http.get("/healthz")).status_code == 200:
                    break
                await asyncio.sleep(0.1)
            assert (await http.get("/healthz")).status_code == 200
        out = await _read_all(embedded_broker.bootstrap_servers, prefix + OUT_TOPIC, 1)
    finally:
        release.set()
        await producer.stop()
        await service.stop()
    assert [json.loads(r.value)["item"] for r in out] == ["hang"]
