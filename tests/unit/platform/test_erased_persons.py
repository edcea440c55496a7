"""`ErasedPersons` (issue 18) agrees with the store: a person joins the in-memory set only
once the batch that records the erasure committed (a failed commit and the message's
redelivery store the erasure), and a replica learns of an erasure another replica of its
service consumed by reading the store's log (`refresh`), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.domain import event
from pydantic import BaseModel

from shared.contracts import PERSON_ERASURES, PersonErased
from shared.eventstore import TracedAggregate, UnitOfWork, store_env
from shared.eventstore.application import ServiceApplication
from shared.eventstore.erasure import ErasedPerson, ErasedPersons
from shared.messaging.consumers import ConsumerTable, erasure_consumer
from shared.messaging.inbound import NOTIFICATION_ID_HEADER, ORIGIN_HEADER, Inbound
from shared.messaging.outgoing import Outgoing
from shared.messaging.relay import OutboxRelay
from shared.settings import PlatformSettings
from tests.unit.platform.test_outbox_relay import _RecordingProducer

_OFFSETS = count(1)


class Service:
    def __init__(self, app: ServiceApplication) -> None:
        self.app = app


TABLE = ConsumerTable[Service]("svc", [erasure_consumer()])


class FailingOnce(ServiceApplication):
    """A store whose next commit fails (a database error)."""

    fail_next = False

    def save_processed(self, *objs: Any, trackings: Any = ()) -> None:
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("database error")
        super().save_processed(*objs, trackings=trackings)


def erasure(person_key: str) -> Inbound:
    erased = PersonErased.model_validate(
        {
            "erasure_id": f"erasure-of-{person_key}",
            "person_key": person_key,
            "municipality_code": "607",
            "reason": "request",
            "erased_at": datetime(2026, 11, 18, 10, 0, tzinfo=UTC),
        }
    )
    n = next(_OFFSETS)
    return Inbound(
        PERSON_ERASURES,
        0,
        n,
        person_key.encode(),
        erased.model_dump_json().encode(),
        headers={ORIGIN_HEADER: "intake", NOTIFICATION_ID_HEADER: str(n)},
    )


def stored(app: ServiceApplication, person_key: str) -> bool:
    return app.aggregate_exists(ErasedPerson.create_id(person_key))


def test_a_failed_commit_leaves_the_person_unknown_and_the_redelivery_stores_the_erasure(
    tmp_path: Path,
) -> None:
    settings = PlatformSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path))
    app = FailingOnce(env=store_env(settings, "svc"))
    handle = TABLE.batch_handler(Service(app))
    message = erasure("p-1")

    app.fail_next = True
    with pytest.raises(RuntimeError):
        handle([message])
    assert "p-1" not in app.erased_persons
    assert not stored(app, "p-1")

    handle([message])  # the redelivery
    assert stored(app, "p-1")
    assert "p-1" in app.erased_persons


def test_an_erasure_twice_in_one_batch_is_recorded_once(tmp_path: Path) -> None:
    settings = PlatformSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path))
    app = ServiceApplication(env=store_env(settings, "svc"))
    uow = UnitOfWork(app)
    erased = erasure("p-1").decode(PersonErased)
    assert app.erased_persons.record(uow, erased)
    assert "p-1" not in app.erased_persons  # not before the commit
    assert not app.erased_persons.record(uow, erased)
    uow.commit()
    assert "p-1" in app.erased_persons
    assert not app.erased_persons.record(UnitOfWork(app), erased)


def test_a_replica_learns_of_an_erasure_another_replica_consumed(
    store_url: str | None, tmp_path: Path
) -> None:
    """Both replicas share the consumer group: only one consumes `PersonErased`."""
    settings = PlatformSettings(SSP_DATABASE_URL=store_url or "", SSP_DATA_DIR=str(tmp_path))
    consuming = ServiceApplication(env=store_env(settings, "svc"))
    other = ServiceApplication(env=store_env(settings, "svc"))
    assert len(other.erased_persons) == 0

    TABLE.batch_handler(Service(consuming))([erasure("p-1"), erasure("p-2")])
    assert "p-1" in consuming.erased_persons
    assert "p-1" not in other.erased_persons  # until it reads the log

    other.erased_persons.refresh()
    assert "p-1" in other.erased_persons and "p-2" in other.erased_persons
    assert "p-3" not in other.erased_persons
    assert other.erased_persons.withhold(erasure("p-1").decode(PersonErased)) is not None

    TABLE.batch_handler(Service(consuming))([erasure("p-3")])
    other.erased_persons.refresh()  # only what is new since its last read
    assert "p-3" in other.erased_persons
    assert len(other.erased_persons) == 3
    # The other replica does not record a second erasure of a person the first recorded.
    assert not other.erased_persons.record(UnitOfWork(other), erasure("p-3").decode(PersonErased))


class Mention(BaseModel):
    person_key: str


class Mentions(TracedAggregate):
    class Mentioned(TracedAggregate.Event):
        person_key: str

    @event("Opened")
    def __init__(self) -> None:
        pass

    @event(Mentioned)
    def mention(self, person_key: str) -> None:
        pass


def _mentions(domain_event: Any) -> list[Outgoing]:
    if isinstance(domain_event, Mentions.Mentioned):
        key = domain_event.person_key
        return [Outgoing("ssp.test.mentions.v1", key, Mention(person_key=key))]
    return []


async def test_the_relay_withholds_a_person_another_replica_erased(
    store_url: str | None, tmp_path: Path
) -> None:
    """The relay runs in one replica, the erasure was consumed by the other: before it
    publishes, the relay reads the erasures recorded since it last looked."""
    settings = PlatformSettings(SSP_DATABASE_URL=store_url or "", SSP_DATA_DIR=str(tmp_path))
    consuming = ServiceApplication(env=store_env(settings, "svc"))
    relaying = ServiceApplication(env=store_env(settings, "svc"))
    producer = _RecordingProducer()
    relay = OutboxRelay(
        service="svc",
        app=relaying,
        producer=producer,
        publications=_mentions,
        executor=ThreadPoolExecutor(max_workers=1),
        event_topics=[f"{__name__}:Mentions.Mentioned"],
    )
    TABLE.batch_handler(Service(consuming))([erasure("p-1")])
    mentions = Mentions()
    mentions.mention(person_key="p-1")
    mentions.mention(person_key="p-2")
    relaying.save(mentions)

    while await relay.publish_next_batch():
        pass

    assert [json.loads(value)["person_key"] for _, value, _ in producer.sent] == ["p-2"]


def test_a_refresh_reads_only_what_was_stored_since_the_last_one(tmp_path: Path) -> None:
    """The relay refreshes before every batch: with no erasure in the log, a refresh must not
    read it again from the start (the topic is not indexed: that would scan every event)."""
    settings = PlatformSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path))
    app = ServiceApplication(env=store_env(settings, "svc"))
    for _ in range(3):
        app.save(Mentions())
    starts: list[int | None] = []
    select = app.recorder.select_notifications

    def recorded(*args: Any, **kwargs: Any) -> Any:
        starts.append(kwargs.get("start"))
        return select(*args, **kwargs)

    app.recorder.select_notifications = recorded  # type: ignore[method-assign]
    app.erased_persons.refresh()
    newest = app.recorder.max_notification_id()
    assert newest is not None and starts == [0]
    starts.clear()
    app.erased_persons.refresh()
    assert starts == []  # nothing new: not even a query

    TABLE.batch_handler(Service(app))([erasure("p-9")])
    app.erased_persons.refresh()
    assert starts == [newest]
    assert "p-9" in app.erased_persons

    # A log longer than a page is read page by page, and nothing is missed.
    TABLE.batch_handler(Service(app))([erasure(f"q-{n}") for n in range(5)])
    fresh = ErasedPersons(app)
    fresh.page_size = 2
    fresh.refresh()
    assert all(key in fresh for key in ["p-9", *(f"q-{n}" for n in range(5))])
