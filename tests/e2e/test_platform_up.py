"""`ssp up` as a user runs it: embedded broker and stores, an outside Kafka client publishes
police incidents and case events, and the decisions, letter tasks, rejections, handover list
and trace come out."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.kafka_client import TopicReader, produce
from tests.e2e.processes import PROJECT_ROOT, SSP, service_ports, start_ssp
from tests.support import example

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.slow]


def created_tasks(reader: TopicReader) -> list[dict[str, Any]]:
    # The example incident is days old: its tasks may be marked overdue while the test runs.
    return [t for t in reader.values("letter-tasks.v1") if t["event"] == "created"]


def dev_token(data_dir: Path, *args: str) -> str:
    """`ssp token`, as a user mints a development token for the running platform."""
    minted = subprocess.run(
        [SSP, "token", *args],
        env={**os.environ, "SSP_DATA_DIR": str(data_dir)},
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "development token" in minted.stderr
    return minted.stdout.strip()


def test_ssp_up_routes_an_incident_end_to_end(tmp_path: Path) -> None:
    ports = service_ports()
    data_dir = tmp_path / "data"
    ssp = start_ssp(["up"], {"SSP_DATA_DIR": str(data_dir), **ports}, tmp_path / "up.log")
    try:
        bootstrap = ssp.wait_for(r"Kafka bootstrap servers: (\S+)").group(1)
        ssp.wait_for("Platform is up", timeout=120)
        # The console is started too, and its printed address answers in Danish.
        console = ssp.wait_for(r"console\s+(http://\S+)").group(1)
        assert console.endswith(f":{ports['CONSOLE_HTTP_PORT']}")
        login = httpx.get(f"{console}/login", timeout=30)
        assert login.status_code == 200 and 'lang="da"' in login.text
        incident = example("incident-valid.json")
        ida_cpr = incident["persons"][1]["cpr"]
        case_opened = {
            "event": "case_opened",
            "case_id": "DUBU-2026-000042",
            "cpr": ida_cpr,
            "municipality_code": "607",
            "team": "Børn og Familie Team Nord",
            "caseworker": "ABJ",
            "at": "2026-10-02T09:00:00+02:00",
        }
        reader = TopicReader(
            bootstrap,
            [
                "ssp.triage.caseworker.v1",
                "ssp.triage.tovholder.v1",
                "ssp.notifications.letter-tasks.v1",
                "ssp.intake.rejected.v1",
                "ssp.intake.case-events.v1",
            ],
        )
        produce(bootstrap, "ssp.socialservices.cases.v1", [("DUBU-2026-000042", case_opened)])
        assert reader.poll_until(lambda r: r.values("case-events.v1"), 60), "case event not seen"
        time.sleep(1.0)  # triage records the case (its own consumer) before the incident
        started = time.monotonic()
        produce(bootstrap, "ssp.police.incidents.v1", [(incident["journal_number"], incident)])
        assert reader.poll_until(
            lambda r: r.values("caseworker.v1") and r.values("tovholder.v1") and created_tasks(r),
            60,
        ), "decisions and task did not appear"
        print(f"decisions and letter task {time.monotonic() - started:.3f} s after publishing")

        [to_tovholder] = reader.values("tovholder.v1")
        [to_caseworker] = reader.values("caseworker.v1")
        assert to_caseworker["case_id"] == "DUBU-2026-000042"
        assert to_caseworker["reasons"][0] == "active_case"
        assert to_tovholder["reasons"][0] == "no_active_case"
        [task] = created_tasks(reader)
        assert task["kind"] == "orientering" and task["person_key"] == to_tovholder["person_key"]
        assert task["recipients"] == ["parents", "youth"]  # 16 years old

        assessment = {
            "journal_number": incident["journal_number"],
            "person_key": to_caseworker["person_key"],
            "outcome": "summon",
            "caseworker": "ABJ",
            "at": "2026-11-17T10:00:00+01:00",
        }
        produce(
            bootstrap, "ssp.caseworker.assessments.v1", [(to_caseworker["person_key"], assessment)]
        )
        produce(bootstrap, "ssp.police.incidents.v1", [("bad", example("incident-invalid.json"))])
        assert reader.poll_until(
            lambda r: len(created_tasks(r)) >= 2 and r.values("rejected.v1"), 60
        )
        kinds = sorted(t["kind"] for t in created_tasks(reader))
        assert kinds == ["indkaldelse", "orientering"]
        [rejection] = reader.values("rejected.v1")
        assert {"journal_number", "persons[0].cpr"} <= {p["field"] for p in rejection["reasons"]}
        reader.close()

        for _, _, value, _ in reader.records:
            text = value.decode()
            assert "120310" not in text and "Mads" not in text and "Ida" not in text

        reporting = f"http://127.0.0.1:{ports['REPORTING_HTTP_PORT']}"
        tovholder = {
            "Authorization": f"Bearer {dev_token(data_dir, 'tovholder', '--municipality', '607')}",
            "X-Purpose": "handover meeting",
        }
        assert httpx.get(f"{reporting}/v1/handover/607/2026-W47").status_code == 401
        # Every service's API refuses a body over SSP_HTTP_MAX_BODY_BYTES (1 MiB) unread.
        for name in ("INTAKE", "TRIAGE", "NOTIFICATIONS", "REPORTING", "COURSES"):
            url = f"http://127.0.0.1:{ports[f'{name}_HTTP_PORT']}/v1/anything"
            assert httpx.post(url, content=b" " * (2 * 1024 * 1024)).status_code == 413, name
        deadline = time.monotonic() + 30
        rows: list[dict[str, object]] = []
        while time.monotonic() < deadline:
            response = httpx.get(f"{reporting}/v1/handover/607/2026-W47", headers=tovholder)
            rows = response.json()["persons"]
            if len(rows) == 2 and all(r["letter_task_status"] == "open" for r in rows):
                break
            time.sleep(0.3)
        assert sorted(r["owner_role"] for r in rows) == ["caseworker", "tovholder"]

        trace = subprocess.run(
            [SSP, "trace", incident["journal_number"]],
            # no token given: on a development platform `ssp trace` mints an operations token
            env={
                **os.environ,
                "SSP_REPORTING_URL": reporting,
                "SSP_DATA_DIR": str(data_dir),
                "COLUMNS": "200",
            },
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        for step in (
            "incident_accepted",
            "routed_tovholder",
            "routed_caseworker",
            "letter_task_created",
        ):
            assert step in trace.stdout
        for service in ("intake", "triage", "notifications"):
            assert service in trace.stdout
        assert "pk_" not in trace.stdout  # operations trace without person keys
        assert "DEVELOPMENT signing key" in ssp.output()
    finally:
        exit_code = ssp.interrupt()
    assert exit_code == 0, ssp.output()[-3000:]
    assert "Stopped." in ssp.output()
    for line in ssp.output().splitlines():
        assert "120310" not in line and "Mads" not in line
