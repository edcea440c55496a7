"""An event too large for the broker in a service's outbox is dead-lettered, and the flow goes
on, with the services as separate processes on the real broker.

Every input path bounds sizes (a 3 MB school is rejected at intake, at most 50 persons per
incident), so no input makes an ordinary event that large: the test puts one into the running
triage's outbox itself, after a quarter of the incidents were decided. It is an ordinary
routing decision (`IncidentTriage.PersonRouted`, published on ssp.triage.tovholder.v1) for a
journal number of its own, co-registering so many persons that its message is 3 MB, over the
relay producer's 2 MiB limit (Tansu itself takes messages of any size). Triage's relay keeps it
as a dead letter with its reason (its bytes stay in triage's store), publishes that on
ssp.triage.dead-letter.v1 without the value, and goes on: every incident before and after it
gets its decision and its letter task exactly once. Before the relay's refusal handling,
triage's outbox stalled for good at that event.

With it goes a 3 MB dead-letter record (its original bytes published with it): refused alike,
it is logged and stays in the store, and no dead letter about it is made (one would be refused
again). tests/integration/test_relay_refusals.py shows the refusal in-process on both stores."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from services.triage.application.app import TriageApplication
from services.triage.bootstrap import build_keyring
from services.triage.domain.incident_triage import IncidentTriage
from services.triage.settings import TriageSettings
from shared.contracts import RoutingDecision
from shared.eventstore import store_env
from shared.messaging.dead_letters import RELAY_PARTITION, DeadLetter, Original, original_of
from shared.messaging.inbound import Inbound
from shared.settings import PlatformSettings
from ssp_platform.broker import EmbeddedBroker
from ssp_platform.samples import journal_number, sample_incident
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
RELAY_LIMIT_BYTES = 2 * 1024 * 1024
"""The relay producer's `max_request_size` (shared/messaging/broker.py)."""

#: The oversized decision's journal number: a year no sample incident has.
OVERSIZED_JOURNAL = journal_number(1, year=99)


def oversized_decision(published: dict[str, Any]) -> dict[str, Any]:
    """A routing decision like a published one, for a journal of its own, co-registering
    enough persons to be over `OVERSIZED_BYTES` as a message."""
    decision = RoutingDecision.model_validate(published)
    co_registered = [f"pk_{i:016x}" for i in range(OVERSIZED_BYTES // 20)]
    document = decision.model_copy(
        update={
            "decision_id": str(uuid4()),
            "journal_number": OVERSIZED_JOURNAL,
            "co_registered_person_keys": co_registered,
        }
    ).model_dump(mode="json")
    RoutingDecision.model_validate(document)  # a decision the relay publishes as any other
    return document


def triage_app(data_dir: Path) -> TriageApplication:
    return TriageApplication(env=store_env(PlatformSettings(data_dir=data_dir), "triage"))


def store_oversized_events(data_dir: Path, decision: dict[str, Any]) -> UUID:
    """Save into the running triage's store (its relay finds them there) the oversized
    decision, then a 3 MB dead-letter record; returns the record's id."""
    app = triage_app(data_dir)
    try:
        triage = IncidentTriage(journal_number=OVERSIZED_JOURNAL)
        triage.record_decision(decision)
        app.save(triage)
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


def stored_dead_letter(data_dir: Path, letter_id: UUID) -> tuple[DeadLetter, Original] | None:
    """The dead letter in triage's store and its original, opened with triage's keyring (a
    dead letter is sealed under a key of its own until its deadline, issue 18)."""
    settings = TriageSettings(data_dir=data_dir)
    app = TriageApplication(env=store_env(settings, "triage"), keyring=build_keyring(settings))
    try:
        if not app.aggregate_exists(letter_id):
            return None
        letter: DeadLetter = app.repository.get(letter_id)
        original = original_of(letter, app.keyring)
        assert original is not None, "the dead letter's key is destroyed"
        return letter, original
    finally:
        app.keyring.close()
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
        decision = oversized_decision(reader.values("triage.tovholder.v1")[0])
        record_id = store_oversized_events(data_dir, decision)
        produce(bootstrap, topic, [(i["journal_number"], i) for i in incidents[half // 2 :]])
        journals = {i["journal_number"] for i in incidents}

        def dead_lettered(r: OutputReader) -> bool:
            return complete(journals)(r) and bool(r.raw("dead-letter.v1"))

        done = reader.poll_until(dead_lettered, 600)
        reader.linger()
        reader.close()
        assert done, f"{len(decisions(reader))} of {len(journals)} decided"
        # every incident decided and given its letter task once; the oversized decision's
        # journal is on no topic
        counts = assert_exactly_once(reader, journals)

        # the oversized decision: one dead letter on triage's dead-letter topic, with its
        # reason and where it was meant to go, without its value
        dead = reader.raw("dead-letter.v1")
        references = {headers["ssp-dlq-reference"].decode() for _, _, headers in dead}
        assert len(references) == 1, "one dead letter: the decision's (none for the record)"
        key, value, raw_headers = dead[0]
        headers = {name: raw.decode() for name, raw in raw_headers.items()}
        assert value == b"", "published without the value the broker refused"
        assert key == decision["person_key"].encode()
        assert headers["ssp-dlq-service"] == "triage"
        assert headers["ssp-dlq-origin-topic"] == prefix + "ssp.triage.tovholder.v1"
        assert headers["ssp-dlq-origin-partition"] == str(RELAY_PARTITION)
        assert headers["ssp-dlq-error"].startswith("relay: MessageSizeTooLargeError (")
        refused_bytes = int(headers["ssp-dlq-error"].split("(")[1].split()[0])
        assert refused_bytes > OVERSIZED_BYTES > RELAY_LIMIT_BYTES

        # its bytes are kept in triage's store: the decision as it would have been published
        stored = stored_dead_letter(data_dir, UUID(headers["ssp-dlq-reference"]))
        assert stored is not None, "the dead letter is kept in triage's store"
        letter, original = stored
        assert len(original.value) == refused_bytes
        kept = json.loads(original.value)
        assert kept["decision_id"] == decision["decision_id"]
        assert kept["journal_number"] == OVERSIZED_JOURNAL
        assert letter.error == headers["ssp-dlq-error"]

        # the oversized dead-letter record: refused and logged, kept, not dead-lettered again
        refusals = [
            line
            for line in running.running["triage"].output().splitlines()
            if "refused for good" in line
        ]
        assert any("tovholder.v1 refused for good" in line for line in refusals)
        assert any("dead-letter.v1 refused for good" in line for line in refusals)
        assert stored_dead_letter(data_dir, record_id) is not None
        assert all(len(value) < RELAY_LIMIT_BYTES for _, value, _ in dead)
        report(
            "oversized event",
            incidents=len(journals),
            oversized_decision_bytes=refused_bytes,
            dead_letters=len(references),
            oversized_record_bytes=OVERSIZED_BYTES,
            refusals_logged=len(refusals),
            decisions=counts["decisions"],
            letter_tasks=counts["letter_tasks"],
        )
