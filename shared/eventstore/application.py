"""The base of every service's eventsourcing application."""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, cast
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    ProcessRecorder,
    Recording,
    Tracking,
)
from eventsourcing.utils import get_topic

from shared.eventstore.erasure import ErasedPersons
from shared.eventstore.recorders import (
    MultiTrackingPostgresProcessRecorder,
    MultiTrackingSQLiteProcessRecorder,
    TrackingRecorder,
)
from shared.files import private_sqlite_file
from shared.keys.keyring import PersonKeyring
from shared.settings import PlatformSettings, postgres_env


def store_env(settings: PlatformSettings, service: str, **extra: str) -> dict[str, str]:
    """eventsourcing's environment for one service: one SQLite file per service (table names
    are fixed there), or that service's own tables in a shared PostgreSQL database."""
    env: dict[str, str] = {"SINGLE_ROW_TRACKING": "n"}
    if settings.database_url == "memory":
        # Unit tests and throw-away runs: an in-memory SQLite database private to this app.
        env["PERSISTENCE_MODULE"] = "eventsourcing.sqlite"
        env["PROCESS_RECORDER_TOPIC"] = get_topic(MultiTrackingSQLiteProcessRecorder)
        env["SQLITE_DBNAME"] = f"file:{service}-{uuid4().hex}?mode=memory&cache=shared"
    elif settings.database_url:
        env.update(postgres_env(settings.database_url))
        env["PERSISTENCE_MODULE"] = "eventsourcing.postgres"
        env["PROCESS_RECORDER_TOPIC"] = get_topic(MultiTrackingPostgresProcessRecorder)
        env["POSTGRES_POOL_SIZE"] = "4"
    else:
        database = private_sqlite_file(Path(settings.data_dir) / f"{service}.sqlite")
        env["PERSISTENCE_MODULE"] = "eventsourcing.sqlite"
        env["PROCESS_RECORDER_TOPIC"] = get_topic(MultiTrackingSQLiteProcessRecorder)
        env["SQLITE_DBNAME"] = str(database)
        env["SQLITE_LOCK_TIMEOUT"] = "10"
    env.update(extra)
    return env


class ServiceApplication(Application[UUID]):
    """An application whose recorder can record which upstream messages it has processed."""

    keyring: PersonKeyring | None = None
    """The service's data keys (shared/keys): its dead letters are sealed under keys of their
    own there. Set by a service that has one (intake), else by the runtime; None (an
    application of a test alone): dead letters are kept unsealed."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env=env)
        self._saved_listeners: list[Callable[[], None]] = []
        self._recorded_listeners: list[Callable[[Sequence[Recording[UUID]]], None]] = []
        self._listeners_lock = threading.Lock()
        # Read once here, in the thread that builds the application (the store's): the relay
        # withholds erased persons on the event loop without reading the store.
        self.erased_persons.refresh()

    @functools.cached_property
    def erased_persons(self) -> ErasedPersons:
        """The persons erased (issue 18), whom this service's consumers, relay and read
        models withhold (shared/eventstore/erasure.py)."""
        return ErasedPersons(self)

    def construct_recorder(self) -> ProcessRecorder:
        return self.factory.process_recorder()

    @property
    def tracking_recorder(self) -> TrackingRecorder:
        return cast(TrackingRecorder, self.recorder)

    def on_saved(self, listener: Callable[[], None]) -> None:
        """Call `listener` after each save (the outbox relay wakes on it)."""
        with self._listeners_lock:
            self._saved_listeners.append(listener)

    def on_recorded(self, listener: Callable[[Sequence[Recording[UUID]]], None]) -> None:
        """Call `listener` with what each save recorded (its events and notification ids),
        in the saving thread, before the `on_saved` listeners."""
        with self._listeners_lock:
            self._recorded_listeners.append(listener)

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        # Application.save, except that aggregates are recognised by their class: the
        # library's runtime-checkable Protocol checks cost ~30 µs each on Python 3.11, more
        # than the rest of collecting an aggregate's events.
        processing_event: ProcessingEvent[UUID] = ProcessingEvent()
        for obj in objs:
            if isinstance(obj, Aggregate):
                processing_event.events.extend(obj.collect_events())
                processing_event.aggregates[obj.id] = obj
            elif obj is not None:
                processing_event.collect_events(obj)
        processing_event.saved_kwargs.update(kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        for recorded in list(self._recorded_listeners):
            recorded(recordings)
        for listener in list(self._saved_listeners):
            listener()
        return recordings

    def save_processed(self, *objs: Any, trackings: Sequence[Tracking] = ()) -> None:
        """Save new events together with the upstream messages that caused them."""
        self.save(*objs, trackings=list(trackings))

    def already_tracked(self, application_name: str, notification_ids: Iterable[int]) -> set[int]:
        return self.tracking_recorder.select_tracked(application_name, notification_ids)

    def load_many(self, aggregate_ids: Iterable[UUID]) -> dict[UUID, Any]:
        """Reconstruct many aggregates from one query (no snapshots: these are short-lived)."""
        if self.snapshots is not None:
            found: dict[UUID, Any] = {}
            for aggregate_id in aggregate_ids:
                with contextlib.suppress(AggregateNotFoundError):
                    found[aggregate_id] = self.repository.get(aggregate_id)
            return found
        aggregates: dict[UUID, Any] = {}
        for aggregate_id, stored in self.tracking_recorder.select_events_of(aggregate_ids).items():
            aggregate = None
            for notification in stored:
                # project_aggregate() without its per-event Protocol assertion (see save).
                event: Any = self.mapper.to_domain_event(notification)
                aggregate = event.mutate(aggregate)
            aggregates[aggregate_id] = aggregate
        return aggregates

    def aggregate_exists(self, aggregate_id: UUID) -> bool:
        return bool(self.recorder.select_events(aggregate_id, limit=1))
