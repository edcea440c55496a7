"""Poison among the incidents: malformed police input and malformed internal messages mixed
into a stream of valid incidents, with the services as separate processes on the real broker.
Each poison message is rejected (police input, kept encrypted and readable for correction) or
dead-lettered (internal messages, kept with their original bytes); every valid incident is
processed exactly once; nothing else is lost or rejected."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import httpx
import pytest

from ssp_platform.broker import EmbeddedBroker
from ssp_platform.samples import sample_incident
from tests.e2e.kafka_client import produce
from tests.faults.support import (
    INCIDENTS,
    TIMEOUT_S,
    OutputReader,
    assert_exactly_once,
    assert_read_model_exactly_once,
    complete,
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

#: One in a hundred, as in the issue (100 among 10,000); half on the police topic (intake's
#: input), half on intake's pseudonymised incidents topic (triage's and reporting's input).
POISON_PER_TOPIC = max(5, INCIDENTS // 200)


def bad_police_input(k: int) -> bytes:
    """Malformed police input of ten kinds; each message unique (index k)."""
    incident = sample_incident(900_000 + k, persons=1, age=14)
    kind = k % 10
    if kind == 0:
        return f"not json {k}".encode()
    if kind == 1:
        return json.dumps(incident).encode()[: 40 + k % 20]  # truncated
    if kind == 2:
        return b"\xff\xfe\x00" + k.to_bytes(4, "big")  # not UTF-8
    if kind == 3:
        return json.dumps([k, "a list, not an incident"]).encode()
    if kind == 4:
        incident["persons"][0]["cpr"] = "999999-9999"  # no such date
    elif kind == 5:
        del incident["persons"]
    elif kind == 6:
        incident["journal_number"] = f"J-{k}"
    elif kind == 7:
        incident["revision"] = "first"
    elif kind == 8:
        incident["occurred_at"] = "yesterday"
    else:
        incident["persons"][0]["role"] = "onlooker"
    return json.dumps(incident).encode()


def bad_internal_message(k: int) -> bytes:
    if k % 2:
        return f"garbage {k}".encode()
    return json.dumps({"journal_number": f"x-{k}", "persons": "none"}).encode()


def test_poison_is_rejected_or_dead_lettered_with_its_bytes_and_the_rest_flows(
    embedded_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    bootstrap = embedded_broker.bootstrap_servers
    with services(tmp_path, bootstrap) as running:
        prefix = running.env["SSP_TOPIC_PREFIX"]
        running.start("intake", "triage", "notifications", "reporting")
        incidents = [sample_incident(i, persons=1, age=14) for i in range(INCIDENTS)]
        police_poison = [bad_police_input(k) for k in range(POISON_PER_TOPIC)]
        internal_poison = [bad_internal_message(k) for k in range(POISON_PER_TOPIC)]
        chunks = max(1, POISON_PER_TOPIC)
        size = -(-INCIDENTS // chunks)
        for c in range(chunks):
            batch: list[tuple[str, dict[str, object] | bytes]] = [
                (i["journal_number"], i) for i in incidents[c * size : (c + 1) * size]
            ]
            middle = len(batch) // 2
            batch.insert(middle, (f"poison-{c}", police_poison[c]))
            produce(bootstrap, prefix + "ssp.police.incidents.v1", batch)
            produce(
                bootstrap,
                prefix + "ssp.intake.incidents.v1",
                [(f"poison-{c}", internal_poison[c])],
            )
        journals = {i["journal_number"] for i in incidents}

        reader = OutputReader(
            bootstrap,
            [
                prefix + topic
                for topic in (
                    "ssp.triage.tovholder.v1",
                    "ssp.notifications.letter-tasks.v1",
                    "ssp.intake.rejected.v1",
                    "ssp.intake.dead-letter.v1",
                    "ssp.triage.dead-letter.v1",
                    "ssp.notifications.dead-letter.v1",
                    "ssp.reporting.dead-letter.v1",
                )
            ],
        )

        def settled(r: OutputReader) -> bool:
            return (
                complete(journals)(r)
                and len(r.values("intake.rejected.v1")) >= POISON_PER_TOPIC
                and len(r.raw("triage.dead-letter.v1")) >= POISON_PER_TOPIC
                and len(r.raw("reporting.dead-letter.v1")) >= POISON_PER_TOPIC
            )

        assert reader.poll_until(settled, 600)
        reader.linger()
        reader.close()
        counts = assert_exactly_once(reader, journals)

        # Police input: rejected with a reason, its original kept and readable for correction.
        rejections = reader.values("intake.rejected.v1")
        assert len({r["reference"] for r in rejections}) == POISON_PER_TOPIC
        assert all(r["reasons"] for r in rejections)
        coordinator = running.token("police_coordinator", "--municipality", "607")
        originals = set()
        with httpx.Client(base_url=running.url("intake"), timeout=60) as client:
            for rejection in rejections:
                kept = client.get(
                    f"/v1/rejected/{rejection['reference']}",
                    headers={
                        "Authorization": f"Bearer {coordinator}",
                        "X-Purpose": "correcting rejected police input",
                    },
                )
                assert kept.status_code == 200, kept.text
                originals.add(base64.b64decode(kept.json()["original_base64"]))
        assert originals == set(police_poison)

        # Internal poison: dead-lettered by each consumer with the original bytes; no other
        # dead letters anywhere.
        for service in ("triage", "reporting"):
            letters = reader.raw(f"{service}.dead-letter.v1")
            assert {value for _, value, _ in letters} == set(internal_poison)
            assert all(headers["ssp-dlq-error"] for _, _, headers in letters)
        assert reader.raw("intake.dead-letter.v1") == []
        assert reader.raw("notifications.dead-letter.v1") == []
        listed = assert_read_model_exactly_once(running, journals)
        report(
            "poison",
            valid_incidents=INCIDENTS,
            police_poison=len(police_poison),
            rejected_with_bytes_kept=len(originals),
            internal_poison=len(internal_poison),
            dead_lettered_by_triage=len({v for _, v, _ in reader.raw("triage.dead-letter.v1")}),
            dead_lettered_by_reporting=len(
                {v for _, v, _ in reader.raw("reporting.dead-letter.v1")}
            ),
            decisions=counts["decisions"],
            letter_tasks=counts["letter_tasks"],
            read_model_persons=listed,
        )
