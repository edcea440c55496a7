"""One transaction for a batch of messages: aggregates loaded once, saved once, together with
tracking rows for every upstream message in the batch."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import Tracking

from shared.eventstore.application import ServiceApplication

A = TypeVar("A")
P = TypeVar("P")
R = TypeVar("R")


@dataclass(frozen=True, order=True)
class UpstreamId:
    """Where a message came from: the publishing application (and topic), notification id."""

    application_name: str
    notification_id: int

    def tracking(self) -> Tracking:
        return Tracking(self.application_name, self.notification_id)


class UnitOfWork:
    def __init__(self, app: ServiceApplication) -> None:
        self.app = app
        self._aggregates: dict[UUID, Any] = {}
        self._absent: set[UUID] = set()
        self._processed: set[UpstreamId] = set()
        self._after_commit: list[Callable[[], None]] = []

    @classmethod
    def run(cls, app: ServiceApplication, use_case: Callable[[UnitOfWork, P], R], payload: P) -> R:
        """`use_case` on its own (an HTTP call, a tool, a test) rather than in a Kafka batch's
        unit of work: in a unit of work of its own, committed when it returns."""
        uow = cls(app)
        result = use_case(uow, payload)
        uow.commit()
        return result

    def prefetch(self, aggregate_ids: Iterable[UUID]) -> None:
        """Load many aggregates with one query; those not found are remembered as absent, so
        `get` answers without asking the database again."""
        wanted = {i for i in aggregate_ids if i not in self._aggregates and i not in self._absent}
        if not wanted:
            return
        loaded = self.app.load_many(wanted)
        self._aggregates.update(loaded)
        self._absent.update(wanted - loaded.keys())

    def get(self, aggregate_type: type[A], aggregate_id: UUID) -> A | None:
        if aggregate_id in self._aggregates:
            aggregate = self._aggregates[aggregate_id]
            if not isinstance(aggregate, aggregate_type):
                raise TypeError(f"aggregate {aggregate_id} is not a {aggregate_type.__name__}")
            return aggregate
        if aggregate_id in self._absent:
            return None
        try:
            aggregate = self.app.repository.get(aggregate_id)
        except AggregateNotFoundError:
            self._absent.add(aggregate_id)
            return None
        if not isinstance(aggregate, aggregate_type):
            raise TypeError(f"aggregate {aggregate_id} is not a {aggregate_type.__name__}")
        self._aggregates[aggregate_id] = aggregate
        return aggregate

    def add(self, aggregate: Any) -> None:
        self._aggregates[aggregate.id] = aggregate
        self._absent.discard(aggregate.id)

    def aggregates(self, aggregate_type: type[A]) -> list[A]:
        """The aggregates of that type loaded or added in this unit of work, not yet saved."""
        return [a for a in self._aggregates.values() if isinstance(a, aggregate_type)]

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Call `callback` once this unit of work's batch is committed, never if the commit
        fails (in-memory state that must agree with the store: `ErasedPersons`)."""
        self._after_commit.append(callback)

    def processed(self, upstream: UpstreamId | None) -> None:
        if upstream is not None:
            self._processed.add(upstream)

    def commit(self) -> None:
        self.app.save_processed(
            *self._aggregates.values(),
            trackings=[
                Tracking(name, notification_id)
                # Sorted by a plain tuple: the dataclass's generated ordering costs ~8 calls
                # per comparison.
                for name, notification_id in sorted(
                    (u.application_name, u.notification_id) for u in self._processed
                )
            ],
        )
        self._aggregates.clear()
        self._processed.clear()
        committed, self._after_commit = self._after_commit, []
        for callback in committed:
            callback()
