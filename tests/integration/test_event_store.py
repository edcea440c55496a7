"""The event store on SQLite and PostgreSQL: results and the upstream messages that caused them
are recorded in one transaction, and "already processed" is exact membership."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from eventsourcing.domain import event
from eventsourcing.persistence import IntegrityError

from shared.eventstore import ServiceApplication, TracedAggregate, UnitOfWork, UpstreamId, store_env
from shared.settings import PlatformSettings


class Counter(TracedAggregate):
    @event("Started")
    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0

    @event("Incremented")
    def increment(self) -> None:
        self.count += 1


class CounterApp(ServiceApplication):
    name = "countertest"


@pytest.fixture
def app(store_url: str | None, tmp_path: Path) -> CounterApp:
    settings = PlatformSettings(SSP_DATABASE_URL=store_url, SSP_DATA_DIR=str(tmp_path))
    return CounterApp(env=store_env(settings, "countertest"))


def test_many_trackings_in_one_transaction_and_exact_membership(app: CounterApp) -> None:
    uow = UnitOfWork(app)
    counter = Counter("a")
    uow.add(counter)
    for notification_id in (5, 2, 9):  # out of order, as from several partitions
        counter.increment()
        uow.processed(UpstreamId("triage@topic", notification_id))
    uow.commit()

    assert app.already_tracked("triage@topic", [1, 2, 3, 5, 7, 9, 10]) == {2, 5, 9}
    assert app.already_tracked("other@topic", [2, 5]) == set()
    assert app.repository.get(counter.id).count == 3


def test_a_duplicate_upstream_id_rolls_back_the_whole_result(app: CounterApp) -> None:
    first = UnitOfWork(app)
    counter = Counter("b")
    first.add(counter)
    first.processed(UpstreamId("intake@topic", 1))
    first.commit()

    second = UnitOfWork(app)
    again = second.get(Counter, counter.id)
    assert again is not None
    again.increment()
    second.processed(UpstreamId("intake@topic", 2))
    second.processed(UpstreamId("intake@topic", 1))  # already recorded
    with pytest.raises(IntegrityError):
        second.commit()

    assert app.repository.get(counter.id).count == 0
    assert app.already_tracked("intake@topic", [1, 2]) == {1}


def test_events_remember_the_trace_they_were_caused_in(app: CounterApp) -> None:
    from shared.telemetry import current_trace_id, tracer

    with tracer("test").start_as_current_span("request"):
        trace_id = current_trace_id()
        counter = Counter("c")
        app.save(counter)
    notification = app.recorder.select_notifications(start=None, limit=1)[0]
    stored = app.mapper.to_domain_event(notification)
    assert trace_id is not None
    assert trace_id in stored.trace_context["traceparent"]


@pytest.mark.postgres
def test_services_sharing_a_new_database_can_create_their_tables_at_the_same_moment(
    postgres_url: str,
) -> None:
    """`ssp up` starts the services together, and production may start their processes at
    once: each creates the shared composite type of the event tables on first start."""
    settings = PlatformSettings(SSP_DATABASE_URL=postgres_url)
    names = [f"concurrent{i}" for i in range(6)]
    ready = threading.Barrier(len(names))

    def construct(name: str) -> ServiceApplication:
        ready.wait()
        return type(f"App{name}", (ServiceApplication,), {"name": name})(
            env=store_env(settings, name)
        )

    with ThreadPoolExecutor(len(names)) as pool:
        apps = list(pool.map(construct, names))
    try:
        for app in apps:
            counter = Counter(app.name)
            app.save(counter)
            assert app.repository.get(counter.id).name == app.name
    finally:
        for app in apps:
            app.close()
