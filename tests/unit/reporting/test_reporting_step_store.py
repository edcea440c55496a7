"""Steps are stored on their own (`TimelineStep`, one event each), no longer as events of a
journal's `JournalTimeline` (an `Opened`, then a `StepObserved` per step). Stores written the
old way still load: the service does not record again a fact an old timeline holds, and the
projection reads both kinds, so old, new and upgraded stores rebuild the same read models."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.utils import get_topic
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from services.reporting.adapters.views import tables
from services.reporting.application.app import ReportingApplication
from services.reporting.application.projection import Projection
from services.reporting.application.service import ReportingService, Seen
from services.reporting.bootstrap import build_application, build_read_side
from services.reporting.domain.model import JournalTimeline, TimelineStep
from services.reporting.domain.observations import Observation
from services.reporting.domain.weeks import IsoWeek
from services.reporting.entrypoints.kafka import CONSUMERS
from services.reporting.settings import ReportingSettings
from shared.contracts import INTAKE_INCIDENTS, LETTER_TASKS, TRIAGE_TOVHOLDER
from shared.eventstore import UnitOfWork
from shared.messaging.inbound import ORIGIN_HEADER, Inbound
from tests.unit.reporting.documents import (
    FREDERICIA,
    JOURNAL,
    PK_TOVHOLDER,
    TRACE_INCIDENT,
    WEEK,
    accepted_incident,
    letter_task,
    person,
    relay_headers,
    routing_decision,
)
from tests.unit.reporting.test_reporting_batched_views import messages

OBSERVED_AT = "2026-11-16T07:30:00+00:00"

Sent = tuple[str, dict[str, Any]]


def _service(reporting: ReportingSettings, app: ReportingApplication) -> ReportingService:
    return ReportingService(app, clock=lambda: datetime.fromisoformat(OBSERVED_AT))


def _inbound(reporting: ReportingSettings, sent: Sequence[Sent], first_id: int) -> list[Inbound]:
    return [
        Inbound(
            topic=reporting.topic(topic),
            partition=0,
            offset=first_id + i,
            key=doc["journal_number"].encode(),
            value=json.dumps(doc).encode(),
            headers=relay_headers("upstream", first_id + i, f"{first_id + i:032x}"),
        )
        for i, (topic, doc) in enumerate(sent)
    ]


def handle_batch(service: ReportingService, batch: Sequence[Inbound]) -> None:
    """The batch as reporting's Kafka entry point handles it."""
    CONSUMERS.batch_handler(service)(batch)


def _observation(service: ReportingService, message: Inbound) -> Observation | None:
    consumer = next(c for c in CONSUMERS.consumers if c.topic == message.topic)
    assert consumer.read is not None
    seen: Seen = consumer.read(service, message)
    return seen.observation


def handle_batch_as_before(service: ReportingService, batch: Sequence[Inbound]) -> None:
    """The handler as it was before steps were stored on their own: each journal's timeline
    loaded, opened when new, and the step recorded on it unless it holds that fact."""
    uow = UnitOfWork(service.app)
    seen = [(message, _observation(service, message)) for message in batch]
    uow.prefetch(
        JournalTimeline.create_id(o.journal_number)
        for _, o in seen
        if o is not None and o.journal_number is not None
    )
    for message, observation in seen:
        if observation is not None and observation.journal_number is not None:
            timeline = uow.get(
                JournalTimeline, JournalTimeline.create_id(observation.journal_number)
            )
            if timeline is None:
                timeline = JournalTimeline(observation.journal_number)
                uow.add(timeline)
            timeline.observe(
                observation,
                service=message.headers[ORIGIN_HEADER],
                trace_id=message.headers["traceparent"].split("-")[1],
                observed_at=service.clock(),
            )
        uow.processed(message.upstream)
    uow.commit()


def views(projection: Projection) -> dict[str, list[Any]]:
    """Every read model, without what names stored events (a step's originator id and version,
    its notification id): the trace steps in trace order, the other tables' rows sorted."""
    found: dict[str, list[Any]] = {}
    with projection.views.engine.connect() as conn:
        for table in tables.metadata.sorted_tables:
            if table is tables.position:
                continue
            rows = [dict(row._mapping) for row in conn.execute(select(table))]
            if table in (tables.trace_steps, tables.person_timeline):
                rows.sort(key=lambda r: (r["journal_number"], r["at_utc"], r["notification_id"]))
                found[table.name] = [
                    {
                        k: v
                        for k, v in r.items()
                        if k not in ("step_id", "notification_id", "row_id")
                    }
                    for r in rows
                ]
            else:
                found[table.name] = sorted((tuple(map(str, r.values())) for r in rows), key=str)
    return found


def _store_kinds(app: ReportingApplication) -> set[str]:
    return {n.topic for n in app.recorder.select_notifications(start=None, limit=10_000)}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sent=messages, data=st.data())
@example(  # the decision and task re-sent after the upgrade, an old timeline holds them
    sent=[
        (INTAKE_INCIDENTS, accepted_incident([person(PK_TOVHOLDER, 14)])),
        (TRIAGE_TOVHOLDER, routing_decision(PK_TOVHOLDER, "tovholder", decided_at=OBSERVED_AT)),
        (LETTER_TASKS, letter_task(PK_TOVHOLDER, "created", at=OBSERVED_AT)),
    ],
    data=None,
)
def test_old_new_and_upgraded_stores_rebuild_the_same_read_models(
    tmp_path: Path, sent: list[Sent], data: st.DataObject | None
) -> None:
    if data is None:
        split, resent = 3, [1, 2]
    else:
        split = data.draw(st.integers(0, len(sent)), label="split")
        resent = data.draw(st.lists(st.integers(0, len(sent) - 1), max_size=5), label="resent")
    reporting = ReportingSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path))
    # The same facts republished later (new notification ids): recorded once all the same.
    first = _inbound(reporting, sent[:split], 1)
    second = _inbound(reporting, sent[split:] + [sent[i] for i in resent], 1 + split)
    built: dict[str, dict[str, list[Any]]] = {}
    kinds: dict[str, set[str]] = {}
    for name, handlers in {
        "old": (handle_batch_as_before, handle_batch_as_before),
        "new": (handle_batch, handle_batch),
        "upgraded": (handle_batch_as_before, handle_batch),
    }.items():
        app = build_application(reporting)
        try:
            service = _service(reporting, app)
            incremental, _ = build_read_side(reporting, app)
            for handle, batch in zip(handlers, (first, second), strict=True):
                handle(service, batch)
                incremental.catch_up()
            rebuilt, _ = build_read_side(reporting, app)
            rebuilt.rebuild()
            built[name] = views(rebuilt)
            assert views(incremental) == built[name]
            kinds[name] = _store_kinds(app)
        finally:
            app.close()
    assert built["new"] == built["old"]
    assert built["upgraded"] == built["old"]
    assert get_topic(JournalTimeline.StepObserved) in kinds["old"]
    assert (
        not {get_topic(JournalTimeline.Opened), get_topic(JournalTimeline.StepObserved)}
        & (kinds["new"])
    )


@pytest.fixture
def reporting(tmp_path: Path) -> ReportingSettings:
    return ReportingSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path))


def test_an_old_timeline_keeps_its_steps_and_its_facts_are_not_recorded_again(
    reporting: ReportingSettings,
) -> None:
    incident = (INTAKE_INCIDENTS, accepted_incident([person(PK_TOVHOLDER, 14)]))
    decided = (
        TRIAGE_TOVHOLDER,
        routing_decision(PK_TOVHOLDER, "tovholder", decided_at="2026-11-16T08:12:03+01:00"),
    )
    task = (LETTER_TASKS, letter_task(PK_TOVHOLDER, "created", at="2026-11-16T08:12:05+01:00"))
    app = build_application(reporting)
    try:
        service = _service(reporting, app)
        handle_batch_as_before(service, _inbound(reporting, [incident, decided], 1))
        stored_before = app.recorder.max_notification_id()
        # After the upgrade: the decision again (republished), and the letter task.
        CONSUMERS.batch_handler(service)(_inbound(reporting, [decided, task], 10))
        added = app.recorder.select_notifications(
            start=stored_before, limit=10, inclusive_of_start=False
        )
        assert [n.topic for n in added] == [get_topic(TimelineStep.Recorded)]
        projection, queries = build_read_side(reporting, app)
        projection.catch_up()
        trace = queries.trace(JOURNAL)
        assert trace is not None
        assert [(s.service, s.step, s.trace_id) for s in trace.steps] == [
            ("upstream", "incident_accepted", f"{1:032x}"),
            ("upstream", "routed_tovholder", f"{2:032x}"),
            ("upstream", "letter_task_created", f"{11:032x}"),
        ]
        listed = queries.handover(FREDERICIA, IsoWeek.parse(WEEK)).persons
        assert [(p.person_key, p.route, p.letter_task_status) for p in listed] == [
            (PK_TOVHOLDER, "tovholder", "open")
        ]
    finally:
        app.close()


@contextmanager
def counting(obj: Any, name: str) -> Iterator[list[Any]]:
    calls: list[Any] = []
    original = getattr(obj, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return original(*args, **kwargs)

    setattr(obj, name, counted)
    try:
        yield calls
    finally:
        setattr(obj, name, original)


def test_a_batch_asks_the_store_once_and_rebuilds_no_aggregate(
    reporting: ReportingSettings,
) -> None:
    journals = [f"3700-80123-{n:05d}-26" for n in range(1, 4)]
    app = build_application(reporting)
    try:
        service = _service(reporting, app)
        CONSUMERS.batch_handler(service)(
            _inbound(
                reporting,
                [
                    (
                        INTAKE_INCIDENTS,
                        accepted_incident([person(PK_TOVHOLDER, 14)], journal_number=j),
                    )
                    for j in journals
                ],
                1,
            )
        )
        # One event per step: nothing else is stored for a journal number seen first.
        assert app.recorder.max_notification_id() == len(journals)
        later = [
            (
                TRIAGE_TOVHOLDER,
                routing_decision(
                    PK_TOVHOLDER, "tovholder", decided_at=OBSERVED_AT, journal_number=j
                ),
            )
            for j in journals
        ]
        with (
            counting(app.recorder, "select_events_of") as batch_queries,
            counting(app.recorder, "select_events") as single_queries,
            counting(app.mapper, "to_domain_event") as decoded,
        ):
            CONSUMERS.batch_handler(service)(_inbound(reporting, [*later, later[0]], 10))
        assert len(batch_queries) == 1 and single_queries == []
        assert decoded == []  # no earlier step loaded: the journals' steps stay in the store
        assert app.recorder.max_notification_id() == 2 * len(journals)
    finally:
        app.close()


def test_a_step_keeps_the_trace_of_its_message(reporting: ReportingSettings) -> None:
    app = build_application(reporting)
    try:
        service = _service(reporting, app)
        incident = (INTAKE_INCIDENTS, accepted_incident([person(PK_TOVHOLDER, 14)]))
        batch = _inbound(reporting, [incident], 1)
        batch[0].headers.update(relay_headers("intake", 1, TRACE_INCIDENT))
        CONSUMERS.batch_handler(service)(batch)
        (stored,) = app.recorder.select_notifications(start=None, limit=10)
        step = app.mapper.to_domain_event(stored)
        assert isinstance(step, TimelineStep.Recorded)
        assert (step.service, step.trace_id) == ("intake", TRACE_INCIDENT)
        # The event carries the processing span's context: the message's trace continues.
        assert step.trace_context["traceparent"].split("-")[1] == TRACE_INCIDENT
    finally:
        app.close()


@pytest.mark.parametrize(("steps", "batch_size", "transactions"), [(3, 5, 1), (5, 5, 2), (7, 5, 2)])
def test_a_catch_up_stops_at_the_log_s_end(
    reporting: ReportingSettings, steps: int, batch_size: int, transactions: int
) -> None:
    """A batch shorter than the limit is the log's end: no transaction only to find nothing
    (a full one may not be, so the next is read)."""
    app = build_application(reporting)
    try:
        CONSUMERS.batch_handler(_service(reporting, app))(
            _inbound(
                reporting,
                [
                    (
                        INTAKE_INCIDENTS,
                        accepted_incident(
                            [person(PK_TOVHOLDER, 14)], journal_number=f"3700-80123-{n:05d}-26"
                        ),
                    )
                    for n in range(1, steps + 1)
                ],
                1,
            )
        )
        projection, _ = build_read_side(reporting, app)
        projection.batch_size = batch_size
        with counting(projection.views, "transaction") as opened:
            assert projection.catch_up() == steps
        assert len(opened) == transactions
        assert projection.catch_up() == 0
        with projection.views.engine.connect() as conn:
            assert len(conn.execute(select(tables.incidents)).all()) == steps
    finally:
        app.close()


def test_the_sqlite_read_models_keep_a_write_ahead_log(tmp_path: Path) -> None:
    from sqlalchemy import text

    from services.reporting.adapters.views.database import views_engine

    engine = views_engine(ReportingSettings(SSP_DATA_DIR=str(tmp_path)))
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
    finally:
        engine.dispose()


@pytest.mark.parametrize("kept_in_memory", [5000, 2])
def test_what_this_process_saved_is_projected_without_reading_the_log_back(
    reporting: ReportingSettings, kept_in_memory: int
) -> None:
    """The live projection takes the events it was just handed; when it was handed too many
    to keep, it reads the log instead. Either way the views are what a rebuild makes."""
    app = build_application(reporting)
    try:
        live, _ = build_read_side(reporting, app)
        live.just_saved.limit = kept_in_memory
        CONSUMERS.batch_handler(_service(reporting, app))(
            _inbound(
                reporting,
                [
                    (INTAKE_INCIDENTS, accepted_incident([person(PK_TOVHOLDER, 14)])),
                    (
                        TRIAGE_TOVHOLDER,
                        routing_decision(PK_TOVHOLDER, "tovholder", decided_at=OBSERVED_AT),
                    ),
                    (LETTER_TASKS, letter_task(PK_TOVHOLDER, "created", at=OBSERVED_AT)),
                ],
                1,
            )
        )
        with counting(app.recorder, "select_notifications") as read_back:
            assert live.catch_up() == 3
        assert len(read_back) == (0 if kept_in_memory > 3 else 1)
        rebuilt, _ = build_read_side(reporting, app)
        rebuilt.rebuild()
        assert views(live) == views(rebuilt)
        assert views(live)[tables.trace_steps.name]
    finally:
        app.close()
