"""Exactly one relay per service at a time: two replicas of a service on one PostgreSQL
database (a rolling update) both run their relay loop, only the holder of the advisory lock
publishes; when it stops or its lock connection is lost, the other takes over. On SQLite a
file lock keeps a second process on the same files from relaying."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
import pytest
from eventsourcing.domain import event

from shared.eventstore import TracedAggregate
from shared.eventstore.application import ServiceApplication, store_env
from shared.messaging.leader import (
    FileLock,
    LeadershipLost,
    PostgresAdvisoryLock,
    relay_lock,
    run_while_leading,
)
from shared.messaging.outgoing import Outgoing
from shared.messaging.relay import OutboxRelay
from shared.settings import PlatformSettings


class Note(TracedAggregate):
    class Written(TracedAggregate.Event):
        text: str

    @event("Opened")
    def __init__(self) -> None:
        pass

    @event(Written)
    def write(self, text: str) -> None:
        pass


def _publications(domain_event: Any) -> list[Outgoing]:
    if isinstance(domain_event, Note.Written):
        return [Outgoing("ssp.test.notes.v1", "k", domain_event.text.encode())]
    return []


class _Producer:
    """Records what one replica's relay publishes (which replica publishes is under test)."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []

    async def send(self, topic: str, value: bytes, **_: Any) -> asyncio.Future[None]:
        self.sent.append(value)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done


class _Replica:
    def __init__(self, settings: PlatformSettings) -> None:
        self.app = ServiceApplication(env=store_env(settings, "notes"))
        self.producer = _Producer()
        self.relay = OutboxRelay(
            service="notes",
            app=self.app,
            producer=self.producer,  # type: ignore[arg-type]
            publications=_publications,
            executor=ThreadPoolExecutor(max_workers=1),
            idle_poll_s=0.05,
        )
        self.lock = relay_lock(settings, "notes")
        assert self.lock is not None
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(run_while_leading(self.lock, self.relay.run))

    async def stop(self) -> None:
        assert self.task is not None
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        self.app.close()


async def _until(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached"
        await asyncio.sleep(0.05)


def _recorded(replica: _Replica) -> int | None:
    """The last notification the replica's relay recorded as published."""
    tracking = replica.app.tracking_recorder
    return tracking.max_tracking_id(replica.relay.tracking_name)


def _write(replica: _Replica, *texts: str) -> None:
    note = Note()
    for text in texts:
        note.write(text=text)
    replica.app.save(note)


@pytest.mark.postgres
async def test_two_replicas_on_one_postgres_database_only_one_publishes(
    postgres_url: str,
) -> None:
    settings = PlatformSettings(SSP_DATABASE_URL=postgres_url)
    first, second = _Replica(settings), _Replica(settings)
    first.start()
    assert isinstance(first.lock, PostgresAdvisoryLock)
    await _until(lambda: first.lock._connection is not None)  # type: ignore[union-attr]
    second.start()
    try:
        _write(first, "a1", "a2")
        _write(second, "b1", "b2")
        await _until(lambda: len(first.producer.sent) == 4)
        # the second replica's loop ran all along; give it the same chance to publish
        _write(second, "b3")
        await _until(lambda: len(first.producer.sent) == 5)
        assert sorted(first.producer.sent) == [b"a1", b"a2", b"b1", b"b2", b"b3"]
        assert second.producer.sent == []

        # Stopped between publishing and recording that it did, a relay publishes again on
        # the next start (consumers de-duplicate by notification id): under load that window
        # is wide, so the handover waits for the record, to test that nothing else repeats.
        await _until(lambda: _recorded(first) == first.app.recorder.max_notification_id())
        await first.stop()  # a rolling update stops the old replica
        _write(second, "b4")
        await _until(lambda: second.producer.sent == [b"b4"])
    finally:
        for replica in (first, second):
            if replica.task is not None and not replica.task.done():
                await replica.stop()


@pytest.mark.postgres
async def test_a_relay_whose_lock_connection_is_lost_stops_and_seeks_the_lock_again(
    postgres_url: str,
) -> None:
    lock = PostgresAdvisoryLock(postgres_url, "ssp-relay:lost", check_interval_s=0.1)
    other = PostgresAdvisoryLock(postgres_url, "ssp-relay:lost", retry_interval_s=0.05)
    stopped = asyncio.Event()

    async def relay_forever() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            stopped.set()

    leading = asyncio.create_task(run_while_leading(lock, relay_forever))
    await _until(lambda: lock._connection is not None)
    taking_over = asyncio.create_task(other.acquire())
    await asyncio.sleep(0.2)
    assert not taking_over.done()  # held
    assert lock._connection is not None
    backend = lock._connection.info.backend_pid
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (backend,))
    with pytest.raises(LeadershipLost):
        await leading
    assert stopped.is_set()  # the relay stopped with the lock
    await asyncio.wait_for(taking_over, 30)  # and the other replica took it
    await other.release()
    # the first replica's supervisor runs it again: it takes the free lock
    await lock.acquire()
    await lock.release()


async def test_on_sqlite_a_second_process_on_the_same_files_does_not_relay(
    tmp_path: Path,
) -> None:
    settings = PlatformSettings(SSP_DATA_DIR=str(tmp_path))
    lock = relay_lock(settings, "notes")
    assert isinstance(lock, FileLock)
    await lock.acquire()
    # flock locks belong to an open file description: a second one in this process behaves
    # as another process would.
    second = FileLock(tmp_path / "notes.relay.lock", retry_interval_s=0.05)
    acquiring = asyncio.create_task(second.acquire())
    await asyncio.sleep(0.2)
    assert not acquiring.done()
    await lock.release()
    await asyncio.wait_for(acquiring, 10)
    await second.release()
