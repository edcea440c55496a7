"""The caseworker's side on the real broker (issue 17, part 3): a decision on the caseworker
route reaches notifications and reporting; the caseworker records "indkald" (summon) and the
meeting with the family through notifications' API; notifications publishes both on
ssp.notifications.assessments.v1 (codes only), the parents' letter task follows, and
reporting shows both in the journal's trace (`ssp trace`)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from shared.auth import AuthSettings
from shared.settings import PlatformSettings
from ssp_platform.broker import EmbeddedBroker
from ssp_platform.platform import start_platform, stop_platform
from tests.integration.platform_env import eventually, read_topic, use_platform_env
from tests.support import bearer

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

JOURNAL = "3700-80123-00789-26"
PERSON = "pk_assessment_it"


def caseworker_decision() -> dict[str, Any]:
    now = datetime.now(UTC).isoformat()
    return {
        "decision_id": "d-assessment-1",
        "journal_number": JOURNAL,
        "revision": 1,
        "person_key": PERSON,
        "municipality_code": "607",
        "route": "caseworker",
        "workflow": "minor",
        "age_at_incident": 15,
        "role": "sigtet",
        "offence_code": "butikstyveri",
        "severity": "low",
        "reasons": ["active_case"],
        "case_id": "DUBU-2026-009999",
        "occurred_at": now,
        "decided_at": now,
    }


def accepted_incident() -> dict[str, Any]:
    """What intake publishes for the incident (reporting learns the person's municipality)."""
    now = datetime.now(UTC).isoformat()
    return {
        "journal_number": JOURNAL,
        "revision": 1,
        "source": "doegnrapport",
        "police_district": "Sydøstjyllands Politi",
        "reported_at": now,
        "occurred_at": now,
        "offence_code": "butikstyveri",
        "location_municipality_code": "607",
        "flags": [],
        "accepted_at": now,
        "persons": [
            {
                "person_key": PERSON,
                "role": "sigtet",
                "municipality_code": "607",
                "age_at_incident": 15,
                "in_scope": True,
                "school": None,
                "turns_18_on": "2029-03-12",
                "served": True,
            }
        ],
    }


async def test_an_assessment_and_a_family_meeting_over_http_are_in_the_trace(
    embedded_broker: EmbeddedBroker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = use_platform_env(monkeypatch, embedded_broker, tmp_path, None)
    platform = await start_platform(["notifications", "reporting"], PlatformSettings())
    urls = {s.name: s.http_url for s in platform.services}
    producer = AIOKafkaProducer(bootstrap_servers=embedded_broker.bootstrap_servers, acks="all")
    await producer.start()
    caseworker = bearer(AuthSettings(), "caseworker")
    try:
        await producer.send_and_wait(
            prefix + "ssp.intake.incidents.v1",
            json.dumps(accepted_incident()).encode(),
            key=JOURNAL.encode(),
            headers=[("ssp-origin", b"intake"), ("ssp-notification-id", b"3")],
        )
        await producer.send_and_wait(
            prefix + "ssp.triage.caseworker.v1",
            json.dumps(caseworker_decision()).encode(),
            key=PERSON.encode(),
            headers=[("ssp-origin", b"triage"), ("ssp-notification-id", b"7")],
        )
        async with httpx.AsyncClient(timeout=30) as client:

            async def assessed() -> httpx.Response | None:
                r = await client.post(
                    f"{urls['notifications']}/v1/assessments",
                    json={
                        "journal_number": JOURNAL,
                        "person_key": PERSON,
                        "outcome": "summon",
                        "caseworker": "ABJ",
                    },
                    headers=caseworker,
                )
                return r if r.status_code != 404 else None  # until the decision arrived

            answer = await eventually(assessed)
            assert answer is not None and answer.status_code == 200, answer
            assert answer.json()["result"] == "task_created"
            met = await client.post(
                f"{urls['notifications']}/v1/assessments/family-meeting",
                json={
                    "journal_number": JOURNAL,
                    "person_key": PERSON,
                    "held_on": datetime.now(UTC).date().isoformat(),
                    "caseworker": "ABJ",
                    "youth_attended": True,
                },
                headers=caseworker,
            )
            assert met.status_code == 200, met.text

            records = await read_topic(
                embedded_broker.bootstrap_servers,
                prefix + "ssp.notifications.assessments.v1",
                until=lambda rs: len(rs) >= 2,
            )
            assert [json.loads(r.value)["event"] for r in records] == [
                "assessed",
                "family_meeting_held",
            ]
            assert all(r.key == PERSON.encode() for r in records)

            async def trace_steps() -> list[str]:
                r = await client.get(
                    f"{urls['reporting']}/v1/trace/{JOURNAL}",
                    headers=bearer(AuthSettings(), "team_leader"),
                )
                steps = [s["step"] for s in r.json().get("steps", [])] if r.is_success else []
                return steps if "family_meeting_held" in steps else []

            steps = await eventually(trace_steps)
            assert "routed_caseworker" in steps
            assert steps.index("caseworker_assessed") < steps.index("family_meeting_held")
            assert "letter_task_created" in steps
    finally:
        await producer.stop()
        await stop_platform(platform)
