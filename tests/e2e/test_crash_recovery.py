"""kill -9 triage, then notifications, while 2,000 incidents flow through the services running
as separate processes; after restarts there is exactly one decision per person and revision and
one letter task per person and incident — nothing lost, nothing twice."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

import pytest

from ssp_platform.broker import EmbeddedBroker
from ssp_platform.samples import sample_incident
from tests.e2e.kafka_client import TopicReader, produce
from tests.e2e.processes import SspProcess, service_ports, start_ssp
from tests.support import FAST_GROUPS_ENV

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.slow]

INCIDENTS = 1000  # the fault suite's size: enough to kill each service mid-stream
PERSONS_PER_INCIDENT = 1


def test_kill_dash_nine_loses_nothing_and_duplicates_nothing(
    embedded_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    bootstrap = embedded_broker.bootstrap_servers
    prefix = f"crash{uuid.uuid4().hex[:6]}."
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "SSP_TOPIC_PREFIX": prefix,
        "SSP_DATA_DIR": str(tmp_path / "data"),
        **service_ports(),
        **FAST_GROUPS_ENV,
    }
    running: dict[str, SspProcess] = {}

    def start(service: str) -> SspProcess:
        running[service] = start_ssp(["run", service], env, tmp_path / f"{service}.log")
        return running[service]

    try:
        for service in ("intake", "triage", "notifications"):
            start(service).wait_for("Platform is up", timeout=120)

        incidents = [
            sample_incident(i, persons=PERSONS_PER_INCIDENT, age=14) for i in range(INCIDENTS)
        ]
        expected_persons = INCIDENTS * PERSONS_PER_INCIDENT

        def publish() -> None:
            for start_at in range(0, INCIDENTS, 100):
                chunk = incidents[start_at : start_at + 100]
                produce(
                    bootstrap,
                    prefix + "ssp.police.incidents.v1",
                    [(i["journal_number"], i) for i in chunk],
                )
                time.sleep(0.1)

        publisher = threading.Thread(target=publish)
        reader = TopicReader(
            bootstrap,
            [prefix + "ssp.triage.tovholder.v1", prefix + "ssp.notifications.letter-tasks.v1"],
        )
        publisher.start()

        def decisions_seen(r: TopicReader) -> int:
            return len({d["decision_id"] for d in r.values("tovholder.v1")})

        reader.poll_until(lambda r: decisions_seen(r) >= expected_persons // 4, 120)
        running["triage"].kill_hard()
        start("triage")
        reader.poll_until(lambda r: len(r.values("letter-tasks.v1")) >= expected_persons // 2, 180)
        running["notifications"].kill_hard()
        start("notifications")
        publisher.join(timeout=120)

        def tasks_seen(r: TopicReader) -> int:
            return len(
                {t["task_id"] for t in r.values("letter-tasks.v1") if t["event"] == "created"}
            )

        complete = reader.poll_until(
            lambda r: decisions_seen(r) >= expected_persons and tasks_seen(r) >= expected_persons,
            300,
        )
        # Linger: anything extra (a second decision or task) would arrive now.
        reader.poll_until(lambda r: False, 5)
        reader.close()
        assert complete, (
            f"decisions {decisions_seen(reader)}, tasks {tasks_seen(reader)} of {expected_persons}"
        )

        decisions_per_person_revision: dict[tuple[str, int, str], set[str]] = defaultdict(set)
        for record_topic, _, value, _headers in reader.records:
            if record_topic.endswith("tovholder.v1"):
                d = json.loads(value)
                decisions_per_person_revision[
                    (d["journal_number"], d["revision"], d["person_key"])
                ].add(d["decision_id"])
        assert len(decisions_per_person_revision) == expected_persons
        assert all(len(ids) == 1 for ids in decisions_per_person_revision.values())

        created: dict[tuple[str, str], set[str]] = defaultdict(set)
        for task in reader.values("letter-tasks.v1"):
            # The sample incidents are days old, so the overdue check may already have run, and
            # escalated the task to the team leader (and, at twice its deadline, to management).
            assert task["event"] in ("created", "overdue", "escalated")
            if task["event"] == "created":
                created[(task["journal_number"], task["person_key"])].add(task["task_id"])
        assert len(created) == expected_persons
        assert all(len(ids) == 1 for ids in created.values())

        # Any repeated record on a topic is a re-delivery of the same stored event (same origin
        # notification id and identical content), which consumers de-duplicate — never a new one.
        by_notification: dict[tuple[str, bytes, bytes], set[bytes]] = defaultdict(set)
        stored_events_per_fact: dict[tuple[str, str], set[bytes]] = defaultdict(set)
        for record_topic, _, value, headers in reader.records:
            key = (record_topic, headers["ssp-origin"], headers["ssp-notification-id"])
            by_notification[key].add(value)
            body = json.loads(value)
            fact = body.get("decision_id") or (
                f"{body['task_id']}:{body['event']}:{body.get('escalated_to')}"
            )
            stored_events_per_fact[(record_topic, fact)].add(headers["ssp-notification-id"])
        assert all(len(values) == 1 for values in by_notification.values())
        # ...and each decision and task event was stored exactly once by its service.
        assert all(len(ids) == 1 for ids in stored_events_per_fact.values())
    finally:
        for process in running.values():
            process.stop()
