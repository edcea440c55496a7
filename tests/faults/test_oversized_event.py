"""An event too large for the broker in a service's outbox does not stall the flow. Every
input path bounds sizes (a 3 MB school is rejected at intake), so the event is put into the
running triage's event store directly: a 3 MB dead-letter record (its original bytes
published with it), over the relay producer's 2 MiB limit. The relay logs the refusal, keeps
the record in the store (a refused dead-letter record is not dead-lettered again: that would be
refused alike) and goes on; every incident before and after it is decided exactly once. Before
the relay's refusal handling, triage's outbox stalled for good at that event.

Refused events of the other kinds become a dead letter of their own on the dead-letter topic:
tests/integration/test_relay_refusals.py shows that on the real broker."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import pytest

from services.triage.application.app import TriageApplication
from shared.eventstore import store_env
from shared.messaging.dead_letters import DeadLetter
from shared.messaging.inbound import Inbound
from shared.settings import PlatformSettings
from ssp_platform.broker import EmbeddedBroker
from ssp_platform.samples import sample_incident
from tests.e2e.kafka_client import produce
from tests.faults.support import (
    INCIDENTS,
    TIMEOUT_S,
    OutputReader,
    assert_exactly_once,
    complete,
    decisions,
    report,
    services,
)

pytestmark = [
    pytest.mark.faults,
    pytest.mark.kafka,
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.timeout(TIMEOUT_S),
]

OVERSIZED_BYTES = 3 * 1024 * 1024


def store_oversized_event(data_dir: Path) -> UUID:
    """Append a 3 MB event to triage's store (the running triage's relay finds it there)."""
    app = TriageApplication(env=store_env(PlatformSettings(data_dir=data_dir), "triage"))
    try:
        message = Inbound(
            topic="ssp.intake.incidents.v1",
            partition=0,
            offset=10**9,
            key=b"oversized",
            value=b"x" * OVERSIZED_BYTES,
        )
        letter = DeadLetter.record("triage", message, "fault suite", 1, publish_original=True)
        app.save(letter)
        return letter.id
    finally:
        app.close()


def still_stored(data_dir: Path, letter_id: UUID) -> bool:
    app = TriageApplication(env=store_env(PlatformSettings(data_dir=data_dir), "triage"))
    try:
        return app.aggregate_exists(letter_id)
    finally:
        app.close()


def test_an_oversized_event_is_dead_lettered_and_the_flow_goes_on(
    embedded_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    bootstrap = embedded_broker.bootstrap_servers
    half = INCIDENTS // 2
    with services(tmp_path, bootstrap) as running:
        prefix = running.env["SSP_TOPIC_PREFIX"]
        running.start("intake", "triage", "notifications")
        incidents = [sample_incident(i, persons=1, age=14) for i in range(half)]
        topic = prefix + "ssp.police.incidents.v1"
        produce(bootstrap, topic, [(i["journal_number"], i) for i in incidents[: half // 2]])
        reader = OutputReader(
            bootstrap,
            [
                prefix + "ssp.triage.tovholder.v1",
                prefix + "ssp.notifications.letter-tasks.v1",
                prefix + "ssp.triage.dead-letter.v1",
            ],
        )
        assert reader.poll_until(lambda r: len(decisions(r)) >= half // 4, 300)

        data_dir = Path(running.env["SSP_DATA_DIR"])
        letter_id = store_oversized_event(data_dir)
        produce(bootstrap, topic, [(i["journal_number"], i) for i in incidents[half // 2 :]])
        journals = {i["journal_number"] for i in incidents}

        done = reader.poll_until(complete(journals), 600)
        reader.linger()
        reader.close()
        assert done, f"{len(decisions(reader))} of {len(journals)} decided"
        counts = assert_exactly_once(reader, journals)
        refusals = [
            line
            for line in running.running["triage"].output().splitlines()
            if "refused for good" in line
        ]
        assert refusals, "triage's relay logs the refused event"
        assert all(len(value) < OVERSIZED_BYTES for _, value, _ in reader.raw("dead-letter.v1"))
        assert still_stored(data_dir, letter_id), "the refused record stays in triage's store"
        report(
            "oversized event",
            incidents=len(journals),
            oversized_event_bytes=OVERSIZED_BYTES,
            refusals_logged=len(refusals),
            decisions=counts["decisions"],
            letter_tasks=counts["letter_tasks"],
        )
