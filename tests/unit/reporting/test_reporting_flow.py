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
            "letter_waiver_reason": None,
            # issue 16: registered 08:12:00, accepted :01, routed :03; the letter is still open
            "clocks": {
                "registration_to_intake": 1.0,
                "intake_to_routed": 2.0,
                "routed_to_letter": None,
                "total": None,
                "letter_ended": None,
                "within_deadline": None,
            },
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


async def test_the_clocks_stop_when_the_letter_is_sent_or_waived(
    settings: ReportingSettings,
) -> None:
    """Issue 16, part 4: on the handover row, in the trace and in the week's statistics."""
    async with inbox_harness(definition(settings)) as h:
        await publish_flow(h)
        await h.publish(
            {
                **letter_task(PK_TOVHOLDER, "sent", at="2026-11-17T10:12:03+01:00"),
                "channel": "outbox",
                "letter_version": "tpl-0123456789abcdef",
                "copies": 1,
            },
            LETTER_TASKS,
            key=PK_TOVHOLDER,
            headers=relay_headers("notifications", 4, TRACE_TASK),
        )
        projection, queries = build_read_side(settings, h.app)
        projection.catch_up()
        rows = handover(queries)
        trace = queries.trace(JOURNAL)
        statistics = queries.statistics(FREDERICIA, IsoWeek.parse(WEEK))

    coordinator = rows[0]
    assert coordinator["letter_task_status"] == "sent"
    assert coordinator["clocks"] == {
        "registration_to_intake": 1.0,
        "intake_to_routed": 2.0,
        "routed_to_letter": 26 * 3600.0,
        "total": 26 * 3600.0 + 3.0,
        "letter_ended": "sent",
        "within_deadline": True,  # due 2026-11-19T16:00+01:00
    }
    assert trace is not None
    assert trace.clocks[PK_TOVHOLDER].total == 26 * 3600.0 + 3.0
    assert trace.steps[-1].step == "letter_task_sent"
    # Two routed persons: every group is below the smallest shown count, so suppressed.
    assert statistics.clocks
    assert all(g.persons is None and g.share_within_deadline is None for g in statistics.clocks)


async def test_a_waived_letter_shows_its_reason_and_stops_the_clock(
    settings: ReportingSettings,
) -> None:
    """Issue 14, part 2: waiving is shown on the handover list, and is not cancelling."""
    async with inbox_harness(definition(settings)) as h:
        await publish_flow(h)
        await h.publish(
            {
                **letter_task(PK_TOVHOLDER, "waived", at="2026-11-16T12:12:03+01:00"),
                "waiver_reason": "police_informs",
                "by_role": "team_leader",
            },
            LETTER_TASKS,
            key=PK_TOVHOLDER,
            headers=relay_headers("notifications", 4, TRACE_TASK),
        )
        # A late `created` changes nothing of the ending.
        await h.publish(
            letter_task(PK_TOVHOLDER, "created", at="2026-11-16T08:12:05+01:00"),
            LETTER_TASKS,
            key=PK_TOVHOLDER,
            headers=relay_headers("notifications", 3, TRACE_TASK),
        )
        projection, queries = build_read_side(settings, h.app)
        projection.catch_up()
        coordinator = handover(queries)[0]
    assert (coordinator["letter_task_status"], coordinator["letter_waiver_reason"]) == (
        "waived",
        "police_informs",
    )
    assert coordinator["clocks"]["letter_ended"] == "waived"
    assert coordinator["clocks"]["routed_to_letter"] == 4 * 3600.0


async def test_both_escalations_are_steps_of_the_trace(settings: ReportingSettings) -> None:
    """Issue 16, part 6: once to the team leader, once to management; the task stays to do."""
    async with inbox_harness(definition(settings)) as h:
        await publish_flow(h)
        for number, (level, at) in enumerate(
            [
                ("team_leader", "2026-11-20T09:00:00+01:00"),
                ("management", "2026-11-23T09:00:00+01:00"),
            ],
            start=4,
        ):
            await h.publish(
                {**letter_task(PK_TOVHOLDER, "escalated", at=at), "escalated_to": level},
                LETTER_TASKS,
                key=PK_TOVHOLDER,
                headers=relay_headers("notifications", number, TRACE_TASK),
            )
        projection, queries = build_read_side(settings, h.app)
        projection.catch_up()
        trace = queries.trace(JOURNAL)
        coordinator = handover(queries)[0]
    assert trace is not None
    escalations = [s.detail for s in trace.steps if s.step == "letter_task_escalated"]
    assert len(escalations) == 2
    assert "(team_leader)" in escalations[0] and "(management)" in escalations[1]
    assert coordinator["letter_task_status"] == "overdue"
    assert coordinator["clocks"]["letter_ended"] is None
