"""What the integration tests share: a platform's environment on the test's broker and store,
reading a topic from the start, and waiting for a condition."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from services.intake.domain.pseudonym import Pseudonymiser
from shared.auth import AuthSettings, mint_development_token
from shared.settings import PlatformSettings
from ssp_platform.broker import EmbeddedBroker
from tests.support import FAST_GROUPS_ENV

SERVICES = ("intake", "triage", "notifications", "reporting", "courses")
PSEUDONYM_SECRET = "e" * 40
"""Intake's pseudonym key where a test must know a person's key in advance: pass it as
`use_platform_env(..., INTAKE_PSEUDONYM_SECRET=PSEUDONYM_SECRET)`."""


def person_key_of(cpr: str) -> str:
    """The person key intake gives `cpr` under `PSEUDONYM_SECRET`."""
    return Pseudonymiser(PSEUDONYM_SECRET.encode()).person_key(cpr)


def use_platform_env(
    monkeypatch: pytest.MonkeyPatch,
    broker: EmbeddedBroker,
    tmp_path: Path,
    store_url: str | None,
    **extra: str,
) -> str:
    """Point the platform at the test's broker, data directory and store (PostgreSQL when
    `store_url`), every API on a free port, topics under a fresh prefix; returns the prefix."""
    prefix = f"t{uuid.uuid4().hex[:8]}."
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
        "SSP_TOPIC_PREFIX": prefix,
        "SSP_DATA_DIR": str(tmp_path),
        **{f"{name.upper()}_HTTP_PORT": "0" for name in SERVICES},
        # the example incidents are days old: keep their tasks from turning overdue mid-test
        "NOTIFICATIONS_OVERDUE_CHECK_SECONDS": "3600",
        **FAST_GROUPS_ENV,
        **extra,
    }
    if store_url:
        env["SSP_DATABASE_URL"] = store_url
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return prefix


async def read_topic(
    bootstrap: str,
    topic: str,
    until: Callable[[list[Any]], bool],
    timeout: float = 60,
    settle_ms: int = 0,
) -> list[Any]:
    """Every record of `topic` from the start, read until `until(records)` or the timeout;
    then `settle_ms` longer, to see anything that should not be there."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,  # no group to join (a join takes seconds on Tansu): every partition
        auto_offset_reset="earliest",
        fetch_max_wait_ms=10,
    )
    await consumer.start()
    records: list[Any] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while not until(records) and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for partition_records in batch.values():
                records.extend(partition_records)
        if settle_ms:
            batch = await consumer.getmany(timeout_ms=settle_ms)
            for partition_records in batch.values():
                records.extend(partition_records)
    finally:
        await consumer.stop()
    return records


async def topics_with_prefix(bootstrap: str, prefix: str) -> list[str]:
    """Every topic of the test's platform (those under its prefix), sorted."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)
    await consumer.start()
    try:
        return sorted(t for t in await consumer.topics() if t.startswith(prefix))
    finally:
        await consumer.stop()


async def topics_holding(bootstrap: str, topics: list[str], secrets: list[str]) -> list[str]:
    """Those of `topics` with a record (key, value or header) holding any of `secrets`: every
    partition read to its end with one consumer (no group)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, fetch_max_wait_ms=10)
    await consumer.start()
    found: set[str] = set()
    try:
        partitions = [
            TopicPartition(topic, p)
            for topic in topics
            for p in consumer.partitions_for_topic(topic) or await _partitions(consumer, topic)
        ]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        while [p for p, end in ends.items() if await consumer.position(p) < end]:
            batch = await consumer.getmany(timeout_ms=200)
            for partition, records in batch.items():
                for r in records:
                    data = b"".join([r.key or b"", r.value or b"", *(v for _, v in r.headers)])
                    if any(s.encode() in data for s in secrets):
                        found.add(partition.topic)
    finally:
        await consumer.stop()
    return sorted(found)


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    await consumer.topics()  # refreshes the metadata
    return consumer.partitions_for_topic(topic) or set()


def files_holding(directory: Path, secrets: list[str]) -> list[Path]:
    """Every file under `directory` (stores, their write-ahead logs, letters) whose bytes hold
    any of `secrets` as they are written (UTF-8)."""
    return sorted(
        path
        for path in directory.rglob("*")
        if path.is_file() and any(s.encode() in path.read_bytes() for s in secrets)
    )


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 60) -> Any:
    """`check()`'s first truthy answer, or its last answer when the time is up."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result or asyncio.get_running_loop().time() > deadline:
            return result
        await asyncio.sleep(0.2)


def development_headers(purpose: str, **defaults: Any) -> Callable[..., dict[str, str]]:
    """`headers(role, **claims)`: a development token of the role (signed with the key the
    services created in the data directory), `defaults` claims unless given, and `purpose`."""
    dev = AuthSettings()

    def headers(role: str, **claims: Any) -> dict[str, str]:
        token = mint_development_token(dev, role=role, **{**defaults, **claims})
        return {"Authorization": f"Bearer {token}", "X-Purpose": purpose}

    return headers


@asynccontextmanager
async def letter_services(
    monkeypatch: pytest.MonkeyPatch,
    others: tuple[str, ...] = ("triage", "notifications", "reporting"),
) -> AsyncIterator[dict[str, str]]:
    """Intake first (notifications asks it for a letter's recipients), then `others`, in this
    process on the environment `use_platform_env` set; yields each service's URL by name."""
    from ssp_platform.platform import start_platform, stop_platform

    intake = await start_platform(["intake"], PlatformSettings())
    monkeypatch.setenv("SSP_INTAKE_URL", intake.services[0].http_url)
    rest = await start_platform(list(others), PlatformSettings())
    try:
        yield {s.name: s.http_url for s in [*intake.services, *rest.services]}
    finally:
        await stop_platform(rest)
        await stop_platform(intake)
