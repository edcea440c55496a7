"""Reporting through its Kafka entry point (TestKafkaBroker, in-memory store), then its read
models: the handover list, the trace, de-duplication and the rebuild."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from services.reporting.adapters.publications import reporting_publications
from services.reporting.adapters.views import tables
from services.reporting.application.projection import Projection
from services.reporting.application.queries import ReportingQueries
from services.reporting.bootstrap import build_read_side, definition
from services.reporting.domain.weeks import IsoWeek
from services.reporting.settings import ReportingSettings
from shared.contracts import (
    INTAKE_INCIDENTS,
    INTAKE_REJECTED,
    LETTER_TASKS,
    TRIAGE_CASEWORKER,
    TRIAGE_TOVHOLDER,
    dead_letter_topic,
)
from shared.messaging.dead_letters import DeadLetter
from tests.support import InboxHarness, inbox_harness, outbox
from tests.unit.reporting.documents import (
    FREDERICIA,
    JOURNAL,
    PK_CASEWORKER,
    PK_TOVHOLDER,
    TRACE_CASEWORKER,
    TRACE_INCIDENT,
    TRACE_TASK,
    TRACE_TOVHOLDER,
    WEEK,
    accepted_incident,
    letter_task,
    person,
    rejection,
    relay_headers,
    routing_decision,
)


@pytest.fixture
def settings(tmp_path: Path) -> ReportingSettings:
    return ReportingSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path))


async def publish_flow(h: InboxHarness) -> None:
    """Intake accepts two persons; triage routes one to the coordinator (who gets a letter
    task at once) and one with an active case to the caseworker (no task until assessed)."""
    incident = accepted_incident([person(PK_TOVHOLDER, 14), person(PK_CASEWORKER, 16)])
    await h.publish(
        incident, INTAKE_INCIDENTS, key=JOURNAL, headers=relay_headers("intake", 1, TRACE_INCIDENT)
    )
    await h.publish(
        routing_decision(PK_TOVHOLDER, "tovholder", decided_at="2026-11-16T08:12:03+01:00"),
        TRIAGE_TOVHOLDER,
        key=PK_TOVHOLDER,
        headers=relay_headers("triage", 7, TRACE_TOVHOLDER),
    )
    await h.publish(
        letter_task(PK_TOVHOLDER, "created", at="2026-11-16T08:12:05+01:00"),
        LETTER_TASKS,
        key=PK_TOVHOLDER,
        headers=relay_headers("notifications", 3, TRACE_TASK),
    )
    await h.publish(
        routing_decision(
            PK_CASEWORKER, "caseworker", decided_at="2026-11-16T08:12:04+01:00", age=16
        ),
        TRIAGE_CASEWORKER,
        key=PK_CASEWORKER,
        headers=relay_headers("triage", 8, TRACE_CASEWORKER),
    )


def handover(queries: ReportingQueries, municipality: str = FREDERICIA, week: str = WEEK) -> Any:
    return queries.handover(municipality, IsoWeek.parse(week)).model_dump()["persons"]


def snapshot(projection: Projection) -> dict[str, list[tuple[Any, ...]]]:
    with projection.views.engine.connect() as conn:
        return {
            table.name: sorted(tuple(row) for row in conn.execute(select(table)))
            for table in tables.metadata.sorted_tables
        }


async def test_handover_list_shows_each_person_with_route_and_letter_status(
    settings: ReportingSettings,
) -> None:
    async with inbox_harness(definition(settings)) as h:
        await publish_flow(h)
        projection, queries = build_read_side(settings, h.app)
        assert projection.catch_up() > 0

        rows = handover(queries)
        assert [r["person_key"] for r in rows] == [PK_TOVHOLDER, PK_CASEWORKER]
        coordinator, caseworker = rows
        assert coordinator == {
            "journal_number": JOURNAL,
            "revision": 1,
            "reported_at": "2026-11-16T08:12:00+01:00",
            "person_key": PK_TOVHOLDER,
            "role": "sigtet",
            "age_at_incident": 14,
            "offence_code": "butikstyveri",
            "route": "tovholder",
            "severity": "low",
            "workflow": "minor",
            "owner_role": "tovholder",
            "letter_task_status": "open",
            "letter_kind": "orientering",
            "due_at": "2026-11-19T16:00:00+01:00",
            "reasons": ["no_active_case"],
            "decision_kind": "initial",
            # a decision without the profile's fields (made before profiles)
            "owner_team": None,
            "district": None,
            "earlier_reports": None,
            "repeat": None,
            "psp_ksp_handover": False,
            "exit_referral": False,
            "confirmed_in_revision": None,
        }
        assert caseworker["route"] == "caseworker"
        assert caseworker["owner_role"] == "caseworker"
        assert caseworker["letter_task_status"] == "awaiting_assessment"
        assert caseworker["letter_kind"] is None and caseworker["due_at"] is None

        assert handover(queries, municipality="376") == []
        assert handover(queries, week="2026-W48") == []
        assert handover(queries, week="2026-W46") == []


async def test_trace_lists_every_step_in_time_order_with_trace_ids(
    settings: ReportingSettings,
) -> None:
    async with inbox_harness(definition(settings)) as h:
        await publish_flow(h)
        projection, queries = build_read_side(settings, h.app)
        projection.catch_up()
        trace = queries.trace(JOURNAL)

    assert trace is not None
    steps = [(s.service, s.step, s.person_key, s.trace_id) for s in trace.steps]
    assert steps == [
        ("intake", "incident_accepted", None, TRACE_INCIDENT),
        ("triage", "routed_tovholder", PK_TOVHOLDER, TRACE_TOVHOLDER),
        # decided after the tovholder decision, published after the letter task: time order wins
        ("triage", "routed_caseworker", PK_CASEWORKER, TRACE_CASEWORKER),
        ("notifications", "letter_task_created", PK_TOVHOLDER, TRACE_TASK),
    ]
    assert trace.steps[0].at == "2026-11-16T08:12:01+01:00"
    assert trace.steps[0].revision == 1
    assert "butikstyveri" in trace.steps[0].detail
    assert "tovholder" in trace.steps[1].detail and "no_active_case" in trace.steps[1].detail
    assert "orientering" in trace.steps[3].detail and "2026-11-19" in trace.steps[3].detail
    assert queries.trace("3700-00000-00000-26") is None


async def test_the_same_upstream_message_twice_is_one_step(settings: ReportingSettings) -> None:
    decision = routing_decision(PK_TOVHOLDER, "tovholder", decided_at="2026-11-16T08:12:03+01:00")
    async with inbox_harness(definition(settings)) as h:
        for _ in range(2):
            await h.publish(decision, TRIAGE_TOVHOLDER, headers=relay_headers("triage", 7))
        # Without relay headers (a republish after the broker lost its topics): same fact, once.
        await h.publish(decision, TRIAGE_TOVHOLDER)
        projection, queries = build_read_side(settings, h.app)
        projection.catch_up()
        trace = queries.trace(JOURNAL)
    assert trace is not None
    assert [s.step for s in trace.steps] == ["routed_tovholder"]


async def test_rebuild_gives_the_read_model_incremental_catch_up_built(
    settings: ReportingSettings,
) -> None:
    async with inbox_harness(definition(settings)) as h:
        projection, queries = build_read_side(settings, h.app)
        await publish_flow(h)
        projection.catch_up()
        # more arrives later, including a change of task status and a later revision
        await h.publish(
            letter_task(PK_TOVHOLDER, "completed", at="2026-11-17T10:00:00+01:00"),
            LETTER_TASKS,
            headers=relay_headers("notifications", 4),
        )
        projection.catch_up()
        assert projection.catch_up() == 0
        incremental = snapshot(projection), handover(queries), queries.trace(JOURNAL)

        events = projection.rebuild()
        rebuilt = snapshot(projection), handover(queries), queries.trace(JOURNAL)

        fresh_projection, fresh_queries = build_read_side(settings, h.app)
        assert fresh_projection.catch_up() == events
        from_scratch = snapshot(fresh_projection), handover(fresh_queries)

    assert rebuilt == incremental
    assert from_scratch == incremental[:2]
    assert incremental[1][0]["letter_task_status"] == "completed"
    assert len(incremental[0]["reporting_trace_steps"]) == 5


async def test_out_of_scope_persons_and_other_municipalities(settings: ReportingSettings) -> None:
    incident = accepted_incident(
        [person(PK_TOVHOLDER, 14), person("pk_adult", 31), person("pk_elsewhere", 15, "376")]
    )
    async with inbox_harness(definition(settings)) as h:
        await h.publish(incident, INTAKE_INCIDENTS, headers=relay_headers("intake", 1))
        projection, queries = build_read_side(settings, h.app)
        projection.catch_up()
        fredericia = handover(queries)
        guldborgsund = handover(queries, municipality="376")

    assert [(r["person_key"], r["route"]) for r in fredericia] == [
        (PK_TOVHOLDER, None),
        ("pk_adult", "out_of_scope"),
    ]
    adult = fredericia[1]
    assert adult["owner_role"] is None and adult["letter_task_status"] == "none"
    assert adult["reasons"] == ["age_out_of_scope"]
    assert [r["person_key"] for r in guldborgsund] == ["pk_elsewhere"]


async def test_week_is_counted_in_danish_time(settings: ReportingSettings) -> None:
    # Sunday 23:30 UTC is already Monday 00:30 in Copenhagen: the next ISO week.
    late = accepted_incident(
        [person(PK_TOVHOLDER, 14)],
        journal_number="3700-80123-00999-26",
        reported_at="2026-11-22T23:30:00+00:00",
    )
    async with inbox_harness(definition(settings)) as h:
        await h.publish(late, INTAKE_INCIDENTS, headers=relay_headers("intake", 1))
        projection, queries = build_read_side(settings, h.app)
        projection.catch_up()
        assert handover(queries, week="2026-W47") == []
        assert [r["journal_number"] for r in handover(queries, week="2026-W48")] == [
            "3700-80123-00999-26"
        ]


async def test_a_later_revision_replaces_the_persons_and_a_late_older_one_changes_nothing(
    settings: ReportingSettings,
) -> None:
    first = accepted_incident([person(PK_TOVHOLDER, 14), person(PK_CASEWORKER, 16)])
    second = accepted_incident(
        [person(PK_CASEWORKER, 16)], revision=2, accepted_at="2026-11-16T11:00:00+01:00"
    )
    async with inbox_harness(definition(settings)) as h:
        await h.publish(second, INTAKE_INCIDENTS, headers=relay_headers("intake", 2))
        await h.publish(first, INTAKE_INCIDENTS, headers=relay_headers("intake", 1))
        projection, queries = build_read_side(settings, h.app)
        projection.catch_up()
        rows = handover(queries)
        trace = queries.trace(JOURNAL)
    assert [(r["person_key"], r["revision"]) for r in rows] == [(PK_CASEWORKER, 2)]
    assert trace is not None and [s.revision for s in trace.steps] == [1, 2]


async def test_task_events_out_of_order_keep_the_latest_stage(settings: ReportingSettings) -> None:
    async with inbox_harness(definition(settings)) as h:
        await h.publish(
            accepted_incident([person(PK_TOVHOLDER, 14)]),
            INTAKE_INCIDENTS,
            headers=relay_headers("intake", 1),
        )
        await h.publish(
            letter_task(PK_TOVHOLDER, "completed", at="2026-11-17T10:00:00+01:00"),
            LETTER_TASKS,
            headers=relay_headers("notifications", 2),
        )
        await h.publish(
            letter_task(PK_TOVHOLDER, "created", at="2026-11-16T08:12:05+01:00"),
            LETTER_TASKS,
            headers=relay_headers("notifications", 1),
        )
        projection, queries = build_read_side(settings, h.app)
        projection.catch_up()
        assert handover(queries)[0]["letter_task_status"] == "completed"


async def test_rejections_are_kept_with_or_without_a_journal_number(
    settings: ReportingSettings,
) -> None:
    with_number = rejection("6f1c1b7e-2a0d-4c55-8f0e-7d8a9b0c1d2e", JOURNAL)
    without = rejection("0d3c0a1e-2a0d-4c55-8f0e-7d8a9b0c1d2e", None)
    async with inbox_harness(definition(settings)) as h:
        await h.publish(with_number, INTAKE_REJECTED, headers=relay_headers("intake", 1))
        await h.publish(without, INTAKE_REJECTED, headers=relay_headers("intake", 2))
        await h.publish(without, INTAKE_REJECTED)
        projection, queries = build_read_side(settings, h.app)
        projection.catch_up()
        trace = queries.trace(JOURNAL)
        kept = [n.topic for n in h.app.recorder.select_notifications(start=None, limit=100)]
    assert trace is not None
    assert [(s.step, s.detail) for s in trace.steps] == [
        ("incident_rejected", "kafka: persons[0].cpr (cpr_date)")
    ]
    assert sum(topic.endswith("UnattributedRejection.Recorded") for topic in kept) == 1


async def test_an_invalid_message_goes_to_the_dead_letter_topic(
    settings: ReportingSettings,
) -> None:
    broken = routing_decision(PK_TOVHOLDER, "nowhere", decided_at="2026-11-16T08:12:03+01:00")
    async with inbox_harness(definition(settings)) as h:
        await h.publish(broken, TRIAGE_TOVHOLDER, headers=relay_headers("triage", 9))
        await h.publish(b"\xff not json", LETTER_TASKS, headers=relay_headers("notifications", 1))
        published = outbox(h.app, reporting_publications)
        events = [
            h.app.mapper.to_domain_event(n)
            for n in h.app.recorder.select_notifications(start=None, limit=100)
        ]
    assert [m.topic for m in published] == [dead_letter_topic("reporting")] * 2
    errors = [e.error for e in events if isinstance(e, DeadLetter.Recorded)]
    assert errors[0] == "invalid RoutingDecision: route (literal_error)"
    assert "invalid_json" in errors[1]
