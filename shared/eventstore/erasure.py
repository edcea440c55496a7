"""Erased persons as each service knows them (issue 18, part 3).

When intake erases a person it publishes `PersonErased`; every service records it here, in
its own store (`ErasedPerson`, one per pseudonym), removes the person from its read models and
from then on withholds the pseudonym wherever it reads or writes messages:

- its consumers drop a message about the person (or, for an incident naming several, the
  person's entry), so a replay of a topic cannot bring them back (shared/messaging/consumers.py);
- its outbox relay does the same to what it publishes, so republishing from the start cannot
  either (shared/messaging/relay.py);
- its read models skip them when rebuilt.

Its events stay (the store is append-only) and hold only the pseudonym, which resolves to
nothing once intake destroyed the person's key."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from eventsourcing.domain import event
from pydantic import BaseModel

from shared.contracts.erasures import PersonErased
from shared.eventstore.aggregate import TracedAggregate
from shared.eventstore.ids import IdSpace, keyed_id

_IDS = IdSpace("urn:ssp:erased-persons")
T = TypeVar("T")


class ErasedPerson(TracedAggregate):
    """That a person was erased: in intake the record it publishes as `PersonErased`, in
    every other service what it learnt from that."""

    class Recorded(TracedAggregate.Created):
        person_key: str
        erasure_id: str
        reason: str
        erased_at: datetime
        municipality_code: str | None

    create_id = keyed_id(_IDS, "person_key")

    @event(Recorded)
    def __init__(
        self,
        person_key: str,
        erasure_id: str,
        reason: str,
        erased_at: datetime,
        municipality_code: str | None = None,
    ) -> None:
        self.person_key = person_key
        self.erasure_id = erasure_id
        self.reason = reason
        self.erased_at = erased_at
        self.municipality_code = municipality_code


def person_erased(recorded: ErasedPerson.Recorded) -> PersonErased:
    """The message intake publishes for its record of an erasure."""
    return PersonErased.model_validate(
        {
            "erasure_id": recorded.erasure_id,
            "person_key": recorded.person_key,
            "municipality_code": recorded.municipality_code,
            "reason": recorded.reason,
            "erased_at": recorded.erased_at,
        }
    )


RECORDED_TOPIC = f"{ErasedPerson.Recorded.__module__}:{ErasedPerson.Recorded.__qualname__}"


def withhold(payload: T, is_erased: Callable[[str], bool]) -> T | None:
    """`payload` without erased persons: None when it is about one (its `person_key`), or
    names only erased ones (its `persons`); a copy without their entries when it names others
    too. `PersonErased` itself always passes."""
    if isinstance(payload, PersonErased):
        return payload
    key = getattr(payload, "person_key", None)
    if isinstance(key, str) and is_erased(key):
        return None
    persons = getattr(payload, "persons", None)
    if isinstance(payload, BaseModel) and isinstance(persons, list) and persons:
        kept = [p for p in persons if not is_erased(str(getattr(p, "person_key", "")))]
        if len(kept) != len(persons):
            return payload.model_copy(update={"persons": kept}) if kept else None
    return payload


class ErasedPersons:
    """The pseudonyms erased in one service's store, followed from its notification log
    (every `ErasedPerson.Recorded`): read once when the application is built, then again from
    where the last read stopped by `refresh` — which the relay calls before it publishes and
    the service at a short interval, so a replica learns of an erasure another replica of the
    service consumed (they share the consumer group: only one of them consumes it).

    `record` changes nothing in memory before its unit of work committed: a failed commit
    leaves the person unknown, so the message's redelivery records the erasure again."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._keys: set[str] | None = None
        self._position = 0
        self.page_size = 1000
        # Serialises the reads of the log; membership tests never wait for it (a set's
        # `in` and `add` are atomic), so the relay on the event loop never waits for I/O.
        self._lock = threading.Lock()

    def refresh(self) -> None:
        """Read the erasures recorded since the last read (all of them the first time): in
        the store's thread, never on the event loop. The read stops at the log's newest
        notification and the next one starts there, whether or not it found an erasure: the
        topic is not indexed, so a read from the last *erasure* would scan every event since
        it, on each relay batch."""
        with self._lock:
            keys = self._keys if self._keys is not None else set()
            position = self._position
            newest = self.app.recorder.max_notification_id() or 0
            while position < newest:
                page = self.app.recorder.select_notifications(
                    start=position,
                    limit=self.page_size,
                    stop=newest,
                    topics=[RECORDED_TOPIC],
                    inclusive_of_start=False,
                )
                for notification in page:
                    keys.add(self.app.mapper.to_domain_event(notification).person_key)
                position = page[-1].id if len(page) == self.page_size else newest
            self._position = position
            self._keys = keys

    def _loaded(self) -> set[str]:
        if self._keys is None:
            self.refresh()
        assert self._keys is not None
        return self._keys

    def __contains__(self, person_key: object) -> bool:
        return person_key in self._loaded()

    def is_erased(self, person_key: str) -> bool:
        return person_key in self._loaded()

    def __len__(self) -> int:
        return len(self._loaded())

    def record(self, uow: Any, erased: PersonErased) -> bool:
        """Record the erasure in `uow` (the batch's unit of work); False when it was known
        (recorded before, by this replica or another, or earlier in the same batch). The
        person joins the in-memory set only once `uow` committed."""
        key = erased.person_key
        if key in self or uow.get(ErasedPerson, ErasedPerson.create_id(key)) is not None:
            return False
        uow.add(
            ErasedPerson(
                person_key=key,
                erasure_id=erased.erasure_id,
                reason=erased.reason,
                erased_at=erased.erased_at,
                municipality_code=erased.municipality_code,
            )
        )
        uow.after_commit(lambda: self._loaded().add(key))
        return True

    def withhold(self, payload: T) -> T | None:
        if not self._loaded():
            return payload
        return withhold(payload, self.is_erased)
