"""Courses on the real broker, on SQLite and on PostgreSQL: a tovholder routing decision on
Kafka makes a person eligible, a coordinator starts a TRIVSEL+ course through the API, and its
events appear on ssp.courses.events.v1 keyed by the course id; an acute procedure asks for its
standard letter, which notifications (the letter-task topic's only producer) creates, lists for
management and completes with step 4; a gang-flagged incident about a 16-year-old becomes an
exit referral listed for the exit coordinator."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
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
from tests.support import bearer, example

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

JOURNAL = "3700-80123-00456-26"
DECISION = {
    "decision_id": "d-1",
    "journal_number": JOURNAL,
    "revision": 1,
    "person_key": "pk_courses_it",
    "municipality_code": "607",
    "route": "tovholder",
    "workflow": "minor",
    "age_at_incident": 14,
    "role": "sigtet",
    "offence_code": "butikstyveri",
    "severity": "low",
    "reasons": ["no_active_case"],
    "case_id": None,
    "occurred_at": "2026-11-15T22:40:00+01:00",
    "decided_at": "2026-11-16T08:12:03+01:00",
}


async def test_a_tovholder_decision_becomes_a_trivsel_course_on_the_topic(
    embedded_broker: EmbeddedBroker,
    store_url: str | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    prefix = use_platform_env(monkeypatch, embedded_broker, tmp_path, store_url)
    platform = await start_platform(["courses", "notifications"], PlatformSettings())
    url, notifications_url = (s.http_url for s in platform.services)
    producer = AIOKafkaProducer(bootstrap_servers=embedded_broker.bootstrap_servers, acks="all")
    await producer.start()
    try:
        upstream = [("ssp-origin", b"triage"), ("ssp-notification-id", b"41")]
        for _ in range(2):  # a relay's redelivery has no further effect
            await producer.send_and_wait(
                prefix + "ssp.triage.tovholder.v1",
                json.dumps(DECISION).encode(),
                key=DECISION["person_key"].encode(),
                headers=upstream,
            )
        # The coordinator's development token, signed with the key the service created.
        tovholder = bearer(AuthSettings(), "tovholder")
        async with httpx.AsyncClient(base_url=url, headers=tovholder) as client:

            async def eligible() -> list[dict[str, Any]]:
                r = await client.get("/v1/eligibility", params={"municipality_code": "607"})
                found: list[dict[str, Any]] = r.json()["eligible"]
                return found

            persons = await eventually(eligible)
            assert [p["person_key"] for p in persons] == ["pk_courses_it"]
            started = await client.post(
                "/v1/trivsel-courses",
                json={
                    "person_key": "pk_courses_it",
                    "journal_number": JOURNAL,
                    "step": 2,
                    "rationale": "fritekst der bliver her",
                    "coordinator": "ABJ",
                    "local_leader": "KLM",
                },
            )
            assert started.status_code == 201, started.text
            course_id = started.json()["course_id"]
            consent = await client.post(
                f"/v1/trivsel-courses/{course_id}/request-consent", json={"expected_version": 1}
            )
            assert consent.status_code == 200, consent.text
            acute = await client.post(
                "/v1/acute-procedures",
                json={
                    "municipality_code": "607",
                    "reference": "2026-11-brand-skole",
                    # No police case (000 l.385): the letter needs no journal number (issue
                    # 14, part 3).
                    "director": "DIR",
                    "head_of_department": "FCH",
                },
            )
            assert acute.status_code == 201, acute.text
            procedure = acute.json()
            assert (await client.get("/readyz")).json()["checks"] == {
                "broker": True,
                "store": True,
            }

        # Notifications creates the acute letter's task: management, who runs the procedure,
        # finds it in the letter-task list with its 24-hour deadline.
        management = bearer(AuthSettings(), "management", purpose="sending the letters")
        async with httpx.AsyncClient(base_url=notifications_url, headers=management) as tasks:

            async def listed(status: str) -> list[dict[str, Any]]:
                r = await tasks.get(
                    "/v1/letter-tasks", params={"municipality_code": "607", "status": status}
                )
                assert r.status_code == 200, r.text
                found: list[dict[str, Any]] = r.json()["tasks"]
                return found

            (open_task,) = await eventually(lambda: listed("open"))
            assert (open_task["kind"], open_task["person_key"], open_task["owner_role"]) == (
                "akut_standardbrev",
                f"acute:{procedure['course_id']}",
                "management",
            )
            hours = (
                datetime.fromisoformat(open_task["due_at"])
                - datetime.fromisoformat(open_task["at"])
            ) / timedelta(hours=1)
            assert hours == 24
            async with httpx.AsyncClient(base_url=url, headers=management) as client:
                done = await client.post(
                    f"/v1/acute-procedures/{procedure['course_id']}/complete-step",
                    json={"expected_version": procedure["version"], "step": 4},
                )
                assert done.status_code == 200, done.text
            (completed,) = await eventually(lambda: listed("completed"))
            assert completed["task_id"] == open_task["task_id"]

        records = await read_topic(
            embedded_broker.bootstrap_servers,
            prefix + "ssp.courses.events.v1",
            until=lambda rs: len(rs) >= 4,
        )
        records = [r for r in records if r.key.decode() == course_id]
        bodies = [json.loads(r.value) for r in records]
        assert [b["event"] for b in bodies] == ["started", "consent_requested"]
        assert {b["person_key"] for b in bodies} == {"pk_courses_it"}
        assert {b["journal_number"] for b in bodies} == {JOURNAL}
        assert all("fritekst" not in r.value.decode() for r in records)
        assert {dict(r.headers)["ssp-origin"] for r in records} == {b"courses"}
        # The acute procedure's standard letter is published by notifications alone.
        letters = await read_topic(
            embedded_broker.bootstrap_servers,
            prefix + "ssp.notifications.letter-tasks.v1",
            until=lambda rs: len(rs) >= 3,  # the decision's orientering, the acute letter
        )
        tasks_published = [json.loads(letter.value) for letter in letters]
        assert [
            (t["kind"], t["event"], t["recipients"])
            for t in tasks_published
            if t["person_key"].startswith("acute:")
        ] == [
            # 000 l.390: "forældre og medarbejdere lokalt"
            ("akut_standardbrev", "created", ["parents", "local_staff"]),
            ("akut_standardbrev", "completed", ["parents", "local_staff"]),
        ]
        assert {
            t["journal_number"] for t in tasks_published if t["kind"] != "akut_standardbrev"
        } == {JOURNAL}
        assert {
            t["journal_number"] for t in tasks_published if t["kind"] == "akut_standardbrev"
        } == {None}
        assert {dict(r.headers)["ssp-origin"] for r in letters} == {b"notifications"}
    finally:
        await producer.stop()
        await stop_platform(platform)


async def test_a_gang_flagged_incident_about_a_16_year_old_is_listed_for_the_exit_coordinator(
    embedded_broker: EmbeddedBroker,
    store_url: str | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Intake → triage → courses: the referral triage makes is listed in courses as referred,
    not yet started, and the exit programme the coordinator starts for it marks it started."""
    prefix = use_platform_env(monkeypatch, embedded_broker, tmp_path, store_url)
    incident = example("incident-valid.json")
    incident["persons"] = incident["persons"][:1]  # born 2010-03-12: 16 at the incident
    incident["flags"] = ["bande"]
    # Started together, as `ssp up` does: on PostgreSQL they share one database.
    platform = await start_platform(["courses", "triage", "intake"], PlatformSettings())
    url = platform.services[0].http_url
    producer = AIOKafkaProducer(bootstrap_servers=embedded_broker.bootstrap_servers, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(
            prefix + "ssp.police.incidents.v1",
            json.dumps(incident).encode(),
            key=incident["journal_number"].encode(),
        )
        exit_coordinator = bearer(AuthSettings(), "exit_coordinator", ["607"])
        async with httpx.AsyncClient(base_url=url, headers=exit_coordinator) as client:

            async def referrals(status: str = "referred") -> list[dict[str, Any]]:
                r = await client.get(
                    "/v1/exit-referrals", params={"municipality_code": "607", "status": status}
                )
                assert r.status_code == 200, r.text
                found: list[dict[str, Any]] = r.json()["referrals"]
                return found

            (referral,) = await eventually(referrals)
            assert (referral["age_at_incident"], referral["flags"], referral["status"]) == (
                16,
                ["bande"],
                "referred",
            )
            assert referral["journal_number"] == JOURNAL
            started = await client.post(
                "/v1/exit-programmes",
                json={
                    "person_key": referral["person_key"],
                    "municipality_code": "607",
                    "age_at_referral": 16,
                    "referred_by": "police",
                    "referred_on": "2026-11-16",
                    "coordinator": "EXK",
                    "journal_number": JOURNAL,
                },
            )
            assert started.status_code == 201, started.text
            assert await referrals() == []
            (taken,) = await referrals("started")
            assert taken["programme_id"] == started.json()["course_id"]
    finally:
        await producer.stop()
        await stop_platform(platform)
