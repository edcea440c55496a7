"""The services' PostgreSQL server is restarted mid-stream (every connection cut): each
service is ready again within 60 s without being restarted, and every incident is decided,
gets its letter task and reaches the read model exactly once."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest

from ssp_platform.broker import EmbeddedBroker
from ssp_platform.samples import sample_incident
from tests.e2e.kafka_client import produce
from tests.faults.private_postgres import private_postgres
from tests.faults.support import (
    INCIDENTS,
    TIMEOUT_S,
    OutputReader,
    assert_exactly_once,
    assert_read_model_exactly_once,
    complete,
    decisions,
    report,
    services,
)

pytestmark = [
    pytest.mark.faults,
    pytest.mark.kafka,
    pytest.mark.postgres,
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.timeout(TIMEOUT_S),
]

SERVICES = ("intake", "triage", "notifications", "reporting")
RECOVERY_LIMIT_S = 60


def test_a_postgres_restart_mid_stream_loses_nothing_and_duplicates_nothing(
    embedded_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    bootstrap = embedded_broker.bootstrap_servers
    with private_postgres() as server:
        if server is None:
            pytest.skip("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
        server.create_database("ssp_faults")
        with services(tmp_path, bootstrap, SSP_DATABASE_URL=server.url("ssp_faults")) as running:
            prefix = running.env["SSP_TOPIC_PREFIX"]
            running.start(*SERVICES)
            incidents = [sample_incident(i, persons=1, age=14) for i in range(INCIDENTS)]

            def publish() -> None:
                for start in range(0, INCIDENTS, 100):
                    chunk = incidents[start : start + 100]
                    produce(
                        bootstrap,
                        prefix + "ssp.police.incidents.v1",
                        [(i["journal_number"], i) for i in chunk],
                    )
                    time.sleep(0.1)

            publisher = threading.Thread(target=publish)
            publisher.start()
            reader = OutputReader(
                bootstrap,
                [prefix + "ssp.triage.tovholder.v1", prefix + "ssp.notifications.letter-tasks.v1"],
            )
            assert reader.poll_until(lambda r: len(decisions(r)) >= INCIDENTS // 4, 300)
            decided_before = len(decisions(reader))

            first_start = server.started_at()
            restarted_at = time.monotonic()
            server.restart()
            assert server.started_at() > first_start  # a new server process, all connections cut
            # Every service's store is reachable again (its /readyz says so) within the limit.
            recovered_after: dict[str, float] = {}
            pending = set(SERVICES)
            with httpx.Client(timeout=5) as client:
                while pending and time.monotonic() - restarted_at < RECOVERY_LIMIT_S:
                    for name in sorted(pending):
                        try:
                            ready = client.get(f"{running.url(name)}/readyz").json()
                        except httpx.HTTPError:
                            continue
                        if ready.get("checks", {}).get("store") is True:
                            recovered_after[name] = round(time.monotonic() - restarted_at, 1)
                            pending.discard(name)
                    time.sleep(0.5)
            assert not pending, f"not ready within {RECOVERY_LIMIT_S} s: {sorted(pending)}"

            publisher.join(timeout=600)
            journals = {i["journal_number"] for i in incidents}
            done = reader.poll_until(complete(journals), 600)
            reader.linger()
            reader.close()
            assert done, f"{len(decisions(reader))} of {len(journals)} decided"
            counts = assert_exactly_once(reader, journals)
            listed = assert_read_model_exactly_once(running, journals)
            assert running.all_alive()
            dead_letters = sum(
                running.running[n].output().count("dead-letter topic") for n in SERVICES
            )
            assert dead_letters == 0, "a valid message was dead-lettered while the store was away"
            report(
                "postgres restart",
                incidents=INCIDENTS,
                decided_before_restart=decided_before,
                slowest_recovery_s=max(recovered_after.values()),
                decisions=counts["decisions"],
                letter_tasks=counts["letter_tasks"],
                read_model_persons=listed,
                dead_letters=dead_letters,
            )
