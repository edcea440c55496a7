"""The embedded broker is killed mid-stream and a new, empty one starts on the same address.
Nobody touches the services: each notices the new cluster by itself, re-creates its topics,
re-joins its consumer group and republishes its outbox, so every incident intake accepted —
before, during and after the loss — ends with exactly one decision and one letter task on the
new broker and once in reporting's read model."""

from __future__ import annotations

import json
import os
import re
import signal
import threading
from pathlib import Path

import httpx
import pytest

from ssp_platform.broker import EmbeddedBroker
from ssp_platform.samples import sample_incident
from tests.e2e.kafka_client import produce
from tests.e2e.processes import service_ports, start_ssp
from tests.faults.support import (
    INCIDENTS,
    TIMEOUT_S,
    OutputReader,
    assert_exactly_once,
    assert_read_model_exactly_once,
    complete,
    decisions,
    letter_tasks,
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

SERVICES = ("intake", "triage", "notifications", "reporting")


def kill_dash_nine(broker: EmbeddedBroker) -> None:
    assert broker.pid is not None
    os.killpg(broker.pid, signal.SIGKILL)
    broker.stop()  # reaps the process


def test_a_new_empty_broker_gets_every_accepted_incident_exactly_once(tmp_path: Path) -> None:
    broker = EmbeddedBroker(log_path=tmp_path / "broker-1.log")
    bootstrap = broker.start(timeout=30)
    replacement: EmbeddedBroker | None = None
    try:
        with services(tmp_path, bootstrap) as running:
            prefix = running.env["SSP_TOPIC_PREFIX"]
            running.start(*SERVICES)
            police = running.token("police_integration")
            accepted: set[str] = set()
            refused: list[int] = []

            def submit() -> None:
                """The police integration posts every incident over HTTP, whatever the
                broker does; what intake answers 202 it has accepted."""
                headers = {"Authorization": f"Bearer {police}"}
                with httpx.Client(base_url=running.url("intake"), timeout=60) as client:
                    for i in range(INCIDENTS):
                        incident = sample_incident(i, persons=1, age=14)
                        answer = client.post(
                            "/v1/incidents", content=json.dumps(incident), headers=headers
                        )
                        if answer.status_code == 202:
                            accepted.add(incident["journal_number"])
                        else:
                            refused.append(answer.status_code)

            submitter = threading.Thread(target=submit)
            submitter.start()
            before = OutputReader(bootstrap, [prefix + "ssp.triage.tovholder.v1"])
            assert before.poll_until(lambda r: len(decisions(r)) >= INCIDENTS // 4, 300)
            decided_before_loss = len(decisions(before))
            before.close()
            lines_before = {name: running.log_lines(name) for name in SERVICES}

            kill_dash_nine(broker)
            replacement = EmbeddedBroker(port=broker.port, log_path=tmp_path / "broker-2.log")
            replacement.start(timeout=30)
            for name in SERVICES:
                running.running[name].wait_for(f"{name}: recovered on the broker", timeout=180)
            submitter.join(timeout=600)
            assert not submitter.is_alive()
            assert refused == []

            # Intake's Kafka consumer is back too: incidents published to the new broker.
            extra = [
                sample_incident(i, persons=1, age=14)
                for i in range(INCIDENTS, INCIDENTS + INCIDENTS // 10)
            ]
            produce(
                bootstrap,
                prefix + "ssp.police.incidents.v1",
                [(i["journal_number"], i) for i in extra],
            )
            journals = accepted | {i["journal_number"] for i in extra}

            after = OutputReader(
                bootstrap,
                [prefix + "ssp.triage.tovholder.v1", prefix + "ssp.notifications.letter-tasks.v1"],
            )
            done = after.poll_until(complete(journals), 600)
            after.linger()
            after.close()
            assert done, (
                f"of {len(journals)} journals on the new broker: "
                f"{len({j for j, _ in decisions(after)})} decided, "
                f"{len({j for j, _ in letter_tasks(after)})} with a letter task"
            )
            counts = assert_exactly_once(after, journals)
            listed = assert_read_model_exactly_once(running, journals)
            # No service was restarted: the same processes, each recovered once by itself.
            assert running.all_alive()
            error_lines = {
                name: len(
                    re.findall(
                        r" ERROR ",
                        "\n".join(
                            running.running[name].output().splitlines()[lines_before[name] :]
                        ),
                    )
                )
                for name in SERVICES
            }
            # Errors while the broker was away are logged, not repeated in a loop.
            assert all(n < 200 for n in error_lines.values()), error_lines
            report(
                "broker loss",
                accepted_over_http=len(accepted),
                published_after_loss=len(extra),
                decided_before_loss=decided_before_loss,
                decisions_on_new_broker=counts["decisions"],
                letter_tasks_on_new_broker=counts["letter_tasks"],
                republished_duplicates_dropped=counts["republished_records"],
                read_model_persons=listed,
                error_lines_after_loss=sum(error_lines.values()),
            )
    finally:
        if replacement is not None:
            replacement.stop()
        broker.stop()


def broker_child(parent: int) -> int:
    """The pid of the embedded broker `ssp up` (process `parent`) started."""
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
            cmdline = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields.get("PPid", "0").strip()) == parent and b"broker" in cmdline:
            return int(status.parent.name)
    raise AssertionError(f"no broker process under {parent}")


def test_ssp_up_restarts_its_broker_and_its_services_recover(tmp_path: Path) -> None:
    """`ssp up` supervises its embedded broker: killed, a new one starts on the same address,
    and the services (in the same process) carry on on it."""
    data_dir = tmp_path / "data"
    ssp = start_ssp(["up"], {"SSP_DATA_DIR": str(data_dir), **service_ports()}, tmp_path / "up.log")
    try:
        bootstrap = ssp.wait_for(r"Kafka bootstrap servers: (\S+)").group(1)
        ssp.wait_for("Platform is up", timeout=180)
        first = [sample_incident(i, persons=1, age=14) for i in range(50)]
        produce(bootstrap, "ssp.police.incidents.v1", [(i["journal_number"], i) for i in first])
        before = OutputReader(bootstrap, ["ssp.triage.tovholder.v1"])
        assert before.poll_until(lambda r: len(decisions(r)) == len(first), 180)
        before.close()

        os.kill(broker_child(ssp.process.pid), signal.SIGKILL)
        ssp.wait_for("exited; starting a new one on the same address", timeout=60)
        for name in ("intake", "triage", "notifications", "reporting", "courses"):
            ssp.wait_for(f"{name}: recovered on the broker", timeout=180)
        later = [sample_incident(i, persons=1, age=14) for i in range(50, 60)]
        produce(bootstrap, "ssp.police.incidents.v1", [(i["journal_number"], i) for i in later])
        journals = {i["journal_number"] for i in first + later}
        after = OutputReader(
            bootstrap, ["ssp.triage.tovholder.v1", "ssp.notifications.letter-tasks.v1"]
        )
        done = after.poll_until(complete(journals), 300)
        after.linger()
        after.close()
        assert done
        counts = assert_exactly_once(after, journals)
        assert ssp.process.poll() is None
        report("ssp up broker restart", incidents=len(journals), **counts)
    finally:
        ssp.stop()
