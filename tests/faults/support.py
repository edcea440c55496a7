"""What the fault tests share: services as separate `ssp run` processes, a reader of the
output topics that follows topics created after it started, the exactly-once checks on the
topics and in reporting's read model, and the counts the suite prints."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from confluent_kafka import Consumer

from tests.e2e.processes import SspProcess, service_ports, start_ssp
from tests.e2e.test_platform_up import dev_token
from tests.support import FAST_GROUPS_ENV

#: Incidents per fault test in `./ssp test` (two cores: the suite stays within CI's budget);
#: `SSP_FAULT_INCIDENTS=10000 ./ssp test tests/faults` (or `bench/faults.sh`) is the issue's size.
INCIDENTS = int(os.environ.get("SSP_FAULT_INCIDENTS", "1000"))

#: Per test: generous, the runs wait on the platform, never on a fixed sleep.
TIMEOUT_S = int(900 * max(1.0, INCIDENTS / 2000))

#: The sample incidents' reporting week (reported 2026-11-16, Danish time).
SAMPLE_WEEK = "2026-W47"

#: Counts of each fault test, printed at the end of the run (conftest's terminal summary).
COUNTS: dict[str, dict[str, int | float | str]] = {}


def report(test: str, **counts: int | float | str) -> None:
    COUNTS[test] = counts
    print(f"\n[faults] {test}: " + ", ".join(f"{k}={v}" for k, v in counts.items()), flush=True)


@dataclass
class Services:
    """`ssp run <service>` processes sharing one environment (broker, data dir, database)."""

    env: dict[str, str]
    logs: Path
    running: dict[str, SspProcess] = field(default_factory=dict)

    def start(self, *names: str) -> None:
        for name in names:
            self.running[name] = start_ssp(["run", name], self.env, self.logs / f"{name}.log")
        for name in names:
            self.running[name].wait_for("Platform is up", timeout=180)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.env[f'{name.upper()}_HTTP_PORT']}"

    def token(self, role: str, *args: str) -> str:
        return dev_token(Path(self.env["SSP_DATA_DIR"]), role, *args)

    def all_alive(self) -> bool:
        return all(p.process.poll() is None for p in self.running.values())

    def log_lines(self, name: str) -> int:
        return len(self.running[name].output().splitlines())

    def stop(self) -> None:
        for process in self.running.values():
            process.stop()


@contextmanager
def services(tmp_path: Path, bootstrap: str, **extra_env: str) -> Iterator[Services]:
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "SSP_TOPIC_PREFIX": f"faults{uuid.uuid4().hex[:6]}.",
        "SSP_DATA_DIR": str(tmp_path / "data"),
        **service_ports(),
        **FAST_GROUPS_ENV,
        **extra_env,
    }
    running = Services(env, tmp_path)
    try:
        yield running
    finally:
        running.stop()


class OutputReader:
    """Reads topics from the beginning with librdkafka, as an outside system would, and
    keeps every record; refreshes metadata every half second, so it also follows topics that
    are created (again) after it subscribed."""

    def __init__(self, bootstrap: str, topics: list[str]) -> None:
        self.consumer = Consumer(
            {
                "bootstrap.servers": bootstrap,
                "group.id": f"faults-{uuid.uuid4().hex}",
                "auto.offset.reset": "earliest",
                "enable.auto.commit": False,
                "fetch.wait.max.ms": 10,
                "topic.metadata.refresh.interval.ms": 500,
                "log_level": 3,
            }
        )
        self.consumer.subscribe(topics)
        self.records: list[tuple[str, bytes | None, bytes, dict[str, bytes]]] = []

    def poll_until(self, done: Callable[[OutputReader], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if done(self):
                return True
            for message in self.consumer.consume(500, 0.2):
                if message.error():
                    continue
                headers = {k: v for k, v in (message.headers() or [])}
                self.records.append((message.topic(), message.key(), message.value(), headers))
        return done(self)

    def linger(self, seconds: float = 5) -> None:
        """Read on for a while: anything extra (a second decision or task) would arrive now."""
        self.poll_until(lambda _: False, seconds)

    def values(self, topic_suffix: str) -> list[dict[str, Any]]:
        return [json.loads(v) for t, _, v, _ in self.records if t.endswith(topic_suffix)]

    def raw(self, topic_suffix: str) -> list[tuple[bytes | None, bytes, dict[str, bytes]]]:
        return [(k, v, h) for t, k, v, h in self.records if t.endswith(topic_suffix)]

    def close(self) -> None:
        self.consumer.close()


def decisions(reader: OutputReader) -> dict[tuple[str, str], set[str]]:
    """Decision ids per (journal number, person key) on the tovholder topic."""
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for d in reader.values("triage.tovholder.v1"):
        found[(d["journal_number"], d["person_key"])].add(d["decision_id"])
    return found


def letter_tasks(reader: OutputReader) -> dict[tuple[str, str], set[str]]:
    """Created letter task ids per (journal number, person key)."""
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for t in reader.values("notifications.letter-tasks.v1"):
        if t["event"] == "created":
            found[(t["journal_number"], t["person_key"])].add(t["task_id"])
    return found


def complete(journals: set[str]) -> Callable[[OutputReader], bool]:
    def done(reader: OutputReader) -> bool:
        return {j for j, _ in decisions(reader)} >= journals and {
            j for j, _ in letter_tasks(reader)
        } >= journals

    return done


def assert_exactly_once(reader: OutputReader, journals: set[str]) -> dict[str, int]:
    """One decision and one letter task per person of each journal, no other; a record seen
    twice is the same stored event published again (same origin, notification id and bytes),
    which consumers drop. Returns the counts."""
    found_decisions = decisions(reader)
    found_tasks = letter_tasks(reader)
    assert {j for j, _ in found_decisions} == journals, "decisions for other journals, or missing"
    assert {j for j, _ in found_tasks} == journals, "letter tasks for other journals, or missing"
    assert all(len(ids) == 1 for ids in found_decisions.values()), "a person decided twice"
    assert all(len(ids) == 1 for ids in found_tasks.values()), "a letter task created twice"
    by_notification: dict[tuple[str, bytes, bytes], set[bytes]] = defaultdict(set)
    for topic, _, value, headers in reader.records:
        if topic.endswith(("triage.tovholder.v1", "notifications.letter-tasks.v1")):
            key = (topic, headers["ssp-origin"], headers["ssp-notification-id"])
            by_notification[key].add(value)
    assert all(len(values) == 1 for values in by_notification.values())
    records = sum(1 for t, *_ in reader.records if t.endswith(("tovholder.v1", "letter-tasks.v1")))
    return {
        "decisions": len(found_decisions),
        "letter_tasks": len(found_tasks),
        "republished_records": records - len(by_notification),
    }


def read_model_persons(running: Services) -> list[dict[str, Any]]:
    """Reporting's handover list of the sample week for municipality 607."""
    token = running.token("tovholder", "--municipality", "607")
    answer = httpx.get(
        f"{running.url('reporting')}/v1/handover/607/{SAMPLE_WEEK}",
        headers={"Authorization": f"Bearer {token}", "X-Purpose": "fault suite check"},
        timeout=60,
    )
    answer.raise_for_status()
    persons: list[dict[str, Any]] = answer.json()["persons"]
    return persons


def assert_read_model_exactly_once(
    running: Services, journals: set[str], timeout: float = 120
) -> int:
    """Each journal's person once in the read model, routed and with its letter task."""
    deadline = time.monotonic() + timeout
    while True:
        persons = read_model_persons(running)
        settled = [
            p for p in persons if p["route"] is not None and p["letter_task_status"] is not None
        ]
        if {p["journal_number"] for p in settled} >= journals or time.monotonic() > deadline:
            break
        time.sleep(1)
    keys = [(p["journal_number"], p["revision"], p["person_key"]) for p in persons]
    assert len(keys) == len(set(keys)), "a person listed twice in the read model"
    assert {p["journal_number"] for p in settled} == journals
    return len(persons)
