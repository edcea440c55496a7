"""End-to-end pipeline benchmark on the embedded broker, against the raw broker in the same run.

    police topic → intake → triage → notifications → letter-task topic (+ reporting read model)

Prints, in one run:
- raw one-hop aiokafka msg/s (batched producer → consumer → producer → consumer),
- pipeline throughput in incidents/s (a burst of N one-person incidents → all letter tasks
  seen on the topic; then until reporting's read model lists them all),
- latency p50/p99 (publish → letter task seen) at a fixed 100 incidents/s,
- the ratio pipeline / raw, and the platform process's resident memory.

Targets (issue 2): pipeline ≥ 5 % of raw one hop; p99 ≤ 500 ms at 100 incidents/s.
Run: `uv run --no-sync python -m bench.pipeline [--burst 5000] [--rate-seconds 10]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.raw_hop import measure_raw_one_hop
from ssp_platform.broker import EmbeddedBroker
from ssp_platform.samples import sample_incident
from tests.e2e.processes import free_port, start_ssp


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _task_consumer(bootstrap: str, topic: str) -> AIOKafkaConsumer:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"bench-{uuid.uuid4().hex}",
        auto_offset_reset="latest",
        fetch_max_wait_ms=10,
        enable_auto_commit=False,
    )
    await consumer.start()
    while not consumer.assignment():
        await asyncio.sleep(0.1)
    # position the consumer at the end before anything is published
    for tp in consumer.assignment():
        await consumer.position(tp)
    return consumer


async def _collect_tasks(
    consumer: AIOKafkaConsumer, wanted: set[str], seen_at: dict[str, float], timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while not wanted <= seen_at.keys() and time.monotonic() < deadline:
        batch = await consumer.getmany(timeout_ms=100)
        now = time.monotonic()
        for records in batch.values():
            for record in records:
                task = json.loads(record.value)
                if task["event"] == "created":
                    seen_at.setdefault(task["journal_number"], now)


async def run(burst: int, rate_seconds: int, rate: int, fetch_wait_ms: int) -> None:
    broker = None
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if not bootstrap:
        broker = EmbeddedBroker()
        bootstrap = broker.start()
    workdir = Path(tempfile.mkdtemp(prefix="ssp-bench-"))
    reporting_port = free_port()
    platform = start_ssp(
        ["up"],
        {
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "SSP_DATA_DIR": str(workdir / "data"),
            "SSP_LOG_LEVEL": "WARNING",
            "INTAKE_HTTP_PORT": str(free_port()),
            "TRIAGE_HTTP_PORT": str(free_port()),
            "NOTIFICATIONS_HTTP_PORT": str(free_port()),
            "REPORTING_HTTP_PORT": str(reporting_port),
            "SSP_KAFKA_FETCH_MAX_WAIT_MS": str(fetch_wait_ms),
        },
        workdir / "platform.log",
    )
    try:
        raw = await measure_raw_one_hop(bootstrap, messages=20000)
        print(f"raw one hop (aiokafka, batched):        {raw['hop_msg_s']:>10,.0f} msg/s")
        await asyncio.to_thread(platform.wait_for, "Platform is up", 180)
        idle_rss = _rss_mib(platform.process.pid)
        consumer = await _task_consumer(bootstrap, "ssp.notifications.letter-tasks.v1")
        producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap, acks="all", linger_ms=5, max_batch_size=1 << 20
        )
        await producer.start()
        try:
            # warm-up: every service has joined its group and processed something
            warm = [sample_incident(10_000_000 + i, age=14, seed=i) for i in range(20)]
            for incident in warm:
                await producer.send(
                    "ssp.police.incidents.v1",
                    json.dumps(incident).encode(),
                    key=incident["journal_number"].encode(),
                )
            await _collect_tasks(consumer, {i["journal_number"] for i in warm}, {}, 120)

            incidents = [sample_incident(i, age=14, seed=i) for i in range(burst)]
            seen: dict[str, float] = {}
            started = time.monotonic()
            sends = [
                await producer.send(
                    "ssp.police.incidents.v1",
                    json.dumps(i).encode(),
                    key=i["journal_number"].encode(),
                )
                for i in incidents
            ]
            await asyncio.gather(*sends)
            await _collect_tasks(consumer, {i["journal_number"] for i in incidents}, seen, 600)
            elapsed = time.monotonic() - started
            pipeline = len(seen) / elapsed
            peak_rss = _rss_mib(platform.process.pid)
            print(
                f"pipeline burst {burst} incidents → letter tasks: {pipeline:>10,.0f} incidents/s "
                f"({len(seen)}/{burst} in {elapsed:.1f} s)"
            )
            async with httpx.AsyncClient() as client:
                while True:
                    response = await client.get(
                        f"http://127.0.0.1:{reporting_port}/v1/handover/607/2026-W47", timeout=60
                    )
                    listed = len(response.json().get("persons", []))
                    if listed >= burst or time.monotonic() - started > 600:
                        break
                    await asyncio.sleep(0.5)
            read_model = burst / (time.monotonic() - started)
            print(f"pipeline burst → reporting read model:  {read_model:>10,.0f} incidents/s")

            latencies: list[float] = []
            base = 20_000_000
            sent_at: dict[str, float] = {}
            seen_rate: dict[str, float] = {}
            collector = asyncio.create_task(
                _collect_tasks(
                    consumer,
                    {
                        sample_incident(base + i, age=14, seed=i)["journal_number"]
                        for i in range(rate * rate_seconds)
                    },
                    seen_rate,
                    rate_seconds + 120,
                )
            )
            tick = time.monotonic()
            for i in range(rate * rate_seconds):
                incident = sample_incident(base + i, age=14, seed=i)
                await producer.send_and_wait(
                    "ssp.police.incidents.v1",
                    json.dumps(incident).encode(),
                    key=incident["journal_number"].encode(),
                )
                sent_at[incident["journal_number"]] = time.monotonic()
                tick += 1 / rate
                await asyncio.sleep(max(0.0, tick - time.monotonic()))
            await collector
            latencies = sorted(
                (seen_rate[j] - sent_at[j]) * 1000 for j in sent_at if j in seen_rate
            )
            p50 = statistics.median(latencies)
            p99 = latencies[int(len(latencies) * 0.99) - 1]
            print(
                f"latency at {rate}/s (publish → letter task): p50 {p50:.0f} ms, p99 {p99:.0f} ms "
                f"({len(latencies)}/{len(sent_at)} seen)"
            )
        finally:
            await producer.stop()
            await consumer.stop()
        ratio = pipeline / raw["hop_msg_s"]
        print(f"ratio pipeline / raw one hop:           {ratio:>10.1%}  (target ≥ 5 %)")
        print(f"p99 target ≤ 500 ms:                    {'met' if p99 <= 500 else 'NOT met'}")
        print(
            f"platform RSS: idle {idle_rss:.0f} MiB, after burst {peak_rss:.0f} MiB "
            f"(all four services and their stores in one process)"
        )
    finally:
        platform.stop()
        if broker is not None:
            broker.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=5000)
    parser.add_argument("--rate", type=int, default=100)
    parser.add_argument("--rate-seconds", type=int, default=10)
    parser.add_argument("--fetch-wait-ms", type=int, default=10)
    args = parser.parse_args(argv)
    asyncio.run(run(args.burst, args.rate_seconds, args.rate, args.fetch_wait_ms))


if __name__ == "__main__":
    sys.exit(main())
