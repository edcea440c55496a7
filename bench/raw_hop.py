"""Raw aiokafka one-hop throughput on the broker (no framework in between).

    producer --A--> relay (consumer group + batched producer) --B--> sink (consumer group)

Figures:
- ``produce_only_msg_s``: N values into a fresh topic with nobody consuming.
- ``hop_msg_s``: N / (first produce into A -> last message seen on B), consumers already joined.
- ``produce_during_hop_msg_s``: the producer's rate while the relay and sink are running.
- ``latency_p50_ms`` / ``latency_p99_ms``: produce-time stamp -> seen on B, per message.

Run: ``uv run --no-sync python -m bench.raw_hop`` (starts an embedded broker unless
``KAFKA_BOOTSTRAP_SERVERS`` is set).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import TopicPartition

from shared.messaging.admin import ensure_topics

_BATCH = 1 << 20  # 1 MiB
# The raw hop's best consumer fetch wait on Tansu (measured against 50 and 500 ms: a longer
# wait is added to the tail of every burst). The baseline is the broker at its best.
RAW_HOP_FETCH_WAIT_MS = 10


def _producer(bootstrap: str) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        linger_ms=5,
        max_batch_size=_BATCH,
        max_request_size=2 * _BATCH,
        enable_idempotence=False,  # Tansu has no InitProducerId
    )


def _consumer(bootstrap: str, topic: str, group: str, fetch_max_wait_ms: int) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        fetch_max_wait_ms=fetch_max_wait_ms,
    )


class _Payloads:
    """Fixed-size JSON values: {"id": "<9 digits>", "ts": <ns>, "pad": "xxx..."}."""

    def __init__(self, size: int) -> None:
        skeleton = json.dumps(
            {"id": "0" * 9, "ts": time.time_ns(), "pad": ""}, separators=(",", ":")
        )
        self.pad = "x" * max(0, size - len(skeleton))

    def make(self, i: int) -> bytes:
        return f'{{"id":"{i:09d}","ts":{time.time_ns()},"pad":"{self.pad}"}}'.encode()


async def _wait_assigned(consumer: AIOKafkaConsumer, partitions: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while len(consumer.assignment()) < partitions:
        if time.monotonic() > deadline:
            raise TimeoutError(f"consumer not assigned after {timeout_s}s: {consumer.assignment()}")
        await asyncio.sleep(0.05)


async def _produce(
    producer: AIOKafkaProducer, topic: str, payloads: _Payloads, messages: int
) -> tuple[float, float]:
    """Publish without awaiting each ack; return (start, all-acked) perf_counter times."""
    futures = []
    t0 = time.perf_counter()
    for i in range(messages):
        futures.append(await producer.send(topic, payloads.make(i)))
    await asyncio.gather(*futures)
    return t0, time.perf_counter()


async def _relay(consumer: AIOKafkaConsumer, producer: AIOKafkaProducer, out_topic: str) -> None:
    """Consume a batch, republish it (batched), await the acks, commit, repeat."""
    while True:
        batches: dict[TopicPartition, list[Any]] = await consumer.getmany(timeout_ms=100)
        if not batches:
            continue
        futures = [
            await producer.send(out_topic, record.value, key=record.key)
            for records in batches.values()
            for record in records
        ]
        await asyncio.gather(*futures)
        await consumer.commit()


async def _sink(
    consumer: AIOKafkaConsumer, messages: int, latencies_ms: list[float], seen: set[str]
) -> tuple[int, float]:
    received = 0
    while received < messages:
        batches = await consumer.getmany(timeout_ms=100)
        now = time.time_ns()
        for records in batches.values():
            for record in records:
                received += 1
                value = json.loads(record.value)
                seen.add(value["id"])
                latencies_ms.append((now - value["ts"]) / 1e6)
    return received, time.perf_counter()


async def measure_raw_one_hop(
    bootstrap: str,
    *,
    messages: int = 20000,
    payload_bytes: int = 600,
    partitions: int = 3,
    fetch_max_wait_ms: int = RAW_HOP_FETCH_WAIT_MS,
) -> dict[str, float]:
    run = uuid.uuid4().hex[:10]
    topic_p, topic_a, topic_b = (f"bench.raw.{x}.{run}" for x in ("produce", "a", "b"))
    await ensure_topics(bootstrap, {topic_p: partitions, topic_a: partitions, topic_b: partitions})
    payloads = _Payloads(payload_bytes)
    result: dict[str, float] = {
        "messages": float(messages),
        "payload_bytes": float(len(payloads.make(0))),
        "partitions": float(partitions),
    }

    producer = _producer(bootstrap)
    relay_producer = _producer(bootstrap)
    relay_consumer = _consumer(bootstrap, topic_a, f"bench-relay-{run}", fetch_max_wait_ms)
    sink_consumer = _consumer(bootstrap, topic_b, f"bench-sink-{run}", fetch_max_wait_ms)
    relay_task: asyncio.Task[None] | None = None
    try:
        await producer.start()
        await relay_producer.start()
        for t in (topic_p, topic_a):
            await producer.partitions_for(t)  # metadata outside the timed section
        await relay_producer.partitions_for(topic_b)

        # 1) produce only
        t0, t1 = await _produce(producer, topic_p, payloads, messages)
        result["produce_only_msg_s"] = messages / (t1 - t0)

        # 2) one hop; group joins (~5 s on Tansu) happen before the clock starts
        join_start = time.perf_counter()
        await relay_consumer.start()
        await sink_consumer.start()
        await asyncio.gather(
            _wait_assigned(relay_consumer, partitions, 120),
            _wait_assigned(sink_consumer, partitions, 120),
        )
        result["group_join_s"] = time.perf_counter() - join_start

        latencies: list[float] = []
        seen: set[str] = set()
        relay_task = asyncio.create_task(_relay(relay_consumer, relay_producer, topic_b))
        sink_task = asyncio.create_task(_sink(sink_consumer, messages, latencies, seen))
        h0, h1 = await _produce(producer, topic_a, payloads, messages)
        done, _ = await asyncio.wait(
            {sink_task, relay_task},
            timeout=max(120.0, messages / 200),
            return_when=asyncio.FIRST_COMPLETED,
        )
        if sink_task not in done:
            sink_task.cancel()
            if relay_task in done:
                relay_task.result()  # re-raise the relay's failure
            raise TimeoutError("sink did not receive every message in time")
        received, last_seen = sink_task.result()

        result["hop_msg_s"] = messages / (last_seen - h0)
        result["hop_seconds"] = last_seen - h0
        result["produce_during_hop_msg_s"] = messages / (h1 - h0)
        quantiles = statistics.quantiles(latencies, n=100)
        result["latency_p50_ms"] = quantiles[49]
        result["latency_p99_ms"] = quantiles[98]
        result["duplicates"] = float(received - len(seen))
        result["missing"] = float(messages - len(seen))
        return result
    finally:
        if relay_task is not None:
            relay_task.cancel()
            await asyncio.gather(relay_task, return_exceptions=True)
        for client in (sink_consumer, relay_consumer, relay_producer, producer):
            try:
                await client.stop()
            except Exception as exc:  # keep stopping the others
                print(f"stop failed: {exc!r}", file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--payload-bytes", type=int, default=600)
    parser.add_argument("--partitions", type=int, default=3)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args(argv)

    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    broker = None
    if not bootstrap:
        from ssp_platform.broker import EmbeddedBroker

        broker = EmbeddedBroker()
        bootstrap = broker.start()
        print(f"embedded Tansu broker on {bootstrap}")
    try:
        for n in range(1, args.runs + 1):
            figures = asyncio.run(
                measure_raw_one_hop(
                    bootstrap,
                    messages=args.messages,
                    payload_bytes=args.payload_bytes,
                    partitions=args.partitions,
                )
            )
            print(f"run {n}:")
            for key, value in figures.items():
                print(f"  {key:26s} {value:12,.1f}")
    finally:
        if broker is not None:
            broker.stop()


if __name__ == "__main__":
    main()
