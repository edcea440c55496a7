"""Reporting's steps on SQLite files and PostgreSQL: a store written before steps were stored
on their own (JournalTimeline) and then by this version rebuilds the read models a store
written by this version alone does, and a fact an old timeline holds is not recorded again."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.utils import get_topic

from services.reporting.bootstrap import build_application, build_read_side
from services.reporting.domain.model import JournalTimeline, TimelineStep
from services.reporting.entrypoints.kafka import CONSUMERS
from services.reporting.settings import ReportingSettings
from shared.contracts import (
    INTAKE_INCIDENTS,
    LETTER_TASKS,
    TRIAGE_CASEWORKER,
    TRIAGE_EXIT_REFERRALS,
    TRIAGE_TOVHOLDER,
    TRIAGE_WITHDRAWALS,
)
from tests.conftest import (
    POSTGRES_HOST,
    POSTGRES_PASSWORD,
    POSTGRES_PORT,
    POSTGRES_USER,
    _admin_connection,
)
from tests.unit.reporting.documents import (
    FREDERICIA,
    accepted_incident,
    exit_referral,
    letter_task,
    person,
    routing_decision,
)
from tests.unit.reporting.test_reporting_step_store import (
    _inbound,
    _service,
    counting,
    handle_batch_as_before,
    views,
)

A, B, C = ("pk_" + "a" * 32, "pk_" + "b" * 32, "pk_" + "c" * 32)
J1, J2 = "3700-80123-00456-26", "3700-80123-00457-26"


def _before() -> list[tuple[str, dict[str, Any]]]:
    return [
        (INTAKE_INCIDENTS, accepted_incident([person(A, 14), person(B, 15)], journal_number=J1)),
        (TRIAGE_TOVHOLDER, routing_decision(A, "tovholder", decided_at="2026-11-16T08:12:03Z")),
        (
            TRIAGE_CASEWORKER,
            routing_decision(B, "caseworker", decided_at="2026-11-16T08:12:04Z", age=15),
        ),
        (LETTER_TASKS, letter_task(A, "created", at="2026-11-16T08:12:05Z", task_id="t-a")),
        (INTAKE_INCIDENTS, accepted_incident([person(C, 16)], journal_number=J2)),
    ]


def _after() -> list[tuple[str, dict[str, Any]]]:
    return [
        # republished facts an old timeline holds
        (TRIAGE_TOVHOLDER, routing_decision(A, "tovholder", decided_at="2026-11-16T08:12:03Z")),
        (LETTER_TASKS, letter_task(A, "created", at="2026-11-16T08:12:05Z", task_id="t-a")),
        # a later revision drops B, whose decision is withdrawn
        (
            INTAKE_INCIDENTS,
            accepted_incident([person(A, 14)], journal_number=J1, revision=2),
        ),
        (
            TRIAGE_WITHDRAWALS,
            {
                "withdrawal_id": "w-b",
                "decision_id": f"decision-{B}-1-caseworker",
                "journal_number": J1,
                "revision": 2,
                "person_key": B,
                "municipality_code": FREDERICIA,
                "reason": "person_removed_from_incident",
                "withdrawn_at": "2026-11-17T09:00:00Z",
            },
        ),
        (LETTER_TASKS, letter_task(A, "completed", at="2026-11-18T10:00:00Z", task_id="t-a")),
        (TRIAGE_EXIT_REFERRALS, exit_referral(C, journal_number=J2)),
        (
            TRIAGE_TOVHOLDER,
            routing_decision(C, "tovholder", decided_at="2026-11-16T09:00:00Z", journal_number=J2),
        ),
        # the same new fact twice in one batch
        (LETTER_TASKS, letter_task(C, "created", at="2026-11-16T09:00:05Z", task_id="t-c")),
        (LETTER_TASKS, letter_task(C, "created", at="2026-11-16T09:00:05Z", task_id="t-c")),
    ]


def _store(reporting: ReportingSettings, upgraded: bool) -> tuple[dict[str, list[Any]], set[str]]:
    app = build_application(reporting)
    try:
        service = _service(reporting, app)
        first = _inbound(reporting, _before(), 1)
        if upgraded:
            handle_batch_as_before(service, first)
        else:
            CONSUMERS.batch_handler(service)(first)
        with counting(app.recorder, "select_events_of") as queries:
            CONSUMERS.batch_handler(service)(_inbound(reporting, _after(), 100))
        assert len(queries) == 1
        projection, queries_side = build_read_side(reporting, app)
        projection.rebuild()
        trace = queries_side.trace(J1)
        assert trace is not None and len(trace.steps) == 8
        topics = {n.topic for n in app.recorder.select_notifications(start=None, limit=1000)}
        return views(projection), topics
    finally:
        app.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def two_stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[ReportingSettings]]:
    """Two reporting stores apart: SQLite files in two directories, or two databases."""
    if request.param == "sqlite":
        yield [ReportingSettings(SSP_DATA_DIR=str(tmp_path / name)) for name in ("a", "b")]
        return
    names = [f"ssp_test_{uuid.uuid4().hex[:12]}" for _ in range(2)]
    with _admin_connection() as conn:
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}"')
    password = f":{POSTGRES_PASSWORD}" if POSTGRES_PASSWORD else ""
    server = f"postgresql://{POSTGRES_USER}{password}@{POSTGRES_HOST}:{POSTGRES_PORT}"
    try:
        yield [
            ReportingSettings(SSP_DATABASE_URL=f"{server}/{name}", SSP_DATA_DIR=str(tmp_path))
            for name in names
        ]
    finally:
        with _admin_connection() as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_an_upgraded_store_rebuilds_what_a_new_one_does(
    two_stores: list[ReportingSettings],
) -> None:
    upgraded, upgraded_topics = _store(two_stores[0], upgraded=True)
    new, new_topics = _store(two_stores[1], upgraded=False)
    assert upgraded == new
    assert get_topic(JournalTimeline.StepObserved) in upgraded_topics
    assert not {get_topic(JournalTimeline.Opened), get_topic(JournalTimeline.StepObserved)} & (
        new_topics
    )
    assert get_topic(TimelineStep.Recorded) in new_topics
