"""The consumer table: a service declares (topic, contract, use case) and the shared runtime
decodes each message as its topic's contract, prefetches once per batch, runs each use case in
the message's span and commits the batch once, with a tracking row per upstream message.
Every service's definition consumes exactly the topics its table declares."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.domain import Aggregate, event
from pydantic import BaseModel

from shared.eventstore import UnitOfWork, store_env
from shared.eventstore.application import ServiceApplication
from shared.messaging.consumers import Consumer, ConsumerTable
from shared.messaging.errors import PoisonMessage
from shared.messaging.inbound import NOTIFICATION_ID_HEADER, ORIGIN_HEADER, Inbound
from shared.settings import PlatformSettings
from ssp_platform.registry import SERVICES, definition_factory


class Greeting(BaseModel):
    name: str


class Counted(BaseModel):
    n: int


class Tally(Aggregate):
    @event("Started")
    def __init__(self) -> None:
        self.names: list[str] = []

    @event("Greeted")
    def greet(self, name: str) -> None:
        self.names.append(name)


class Service:
    def __init__(self, app: ServiceApplication) -> None:
        self.app = app
        self.tally = Tally()
        app.save(self.tally)
        self.prefetched: list[list[Any]] = []
        self.counted: list[int] = []

    def prefetch(self, uow: UnitOfWork, payloads: Sequence[Any]) -> None:
        self.prefetched.append(list(payloads))
        uow.prefetch([self.tally.id])

    def greet_in(self, uow: UnitOfWork, greeting: Greeting) -> None:
        tally = uow.get(Tally, self.tally.id)
        assert tally is not None
        tally.greet(greeting.name)

    def count_in(self, uow: UnitOfWork, counted: Counted) -> None:
        self.counted.append(counted.n)


TABLE = ConsumerTable[Service](
    "svc",
    [
        Consumer("greetings.v1", Greeting, Service.greet_in),
        Consumer("counts.v1", Counted, Service.count_in),
    ],
    prefetch=Service.prefetch,
)


def inbound(topic: str, doc: Any, n: int) -> Inbound:
    return Inbound(
        topic=topic,
        partition=0,
        offset=n,
        key=None,
        value=json.dumps(doc).encode(),
        headers={ORIGIN_HEADER: "up", NOTIFICATION_ID_HEADER: str(n)},
    )


@pytest.fixture
def service(tmp_path: Path) -> Service:
    settings = PlatformSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path))
    return Service(ServiceApplication(env=store_env(settings, "svc")))


def test_a_batch_is_decoded_by_topic_prefetched_once_and_committed_once(service: Service) -> None:
    prefixed = PlatformSettings(SSP_DATABASE_URL="memory", SSP_TOPIC_PREFIX="test.")
    handle = TABLE.batch_handler(service, prefixed)
    handle(
        [
            inbound("test.greetings.v1", {"name": "a"}, 1),
            inbound("test.counts.v1", {"n": 7}, 2),
            inbound("test.unknown.v1", {"x": 1}, 3),  # tracked, not handled
            inbound("test.greetings.v1", {"name": "b"}, 4),
        ]
    )
    assert service.prefetched == [[Greeting(name="a"), Counted(n=7), Greeting(name="b")]]
    assert service.counted == [7]
    assert service.app.repository.get(service.tally.id).names == ["a", "b"]
    tracked = {
        topic: service.app.already_tracked(f"up@test.{topic}", [1, 2, 3, 4])
        for topic in ("greetings.v1", "counts.v1", "unknown.v1")
    }
    assert tracked == {"greetings.v1": {1, 4}, "counts.v1": {2}, "unknown.v1": {3}}


def test_a_message_that_is_not_its_topic_s_contract_is_poison(service: Service) -> None:
    handle = TABLE.batch_handler(service)
    with pytest.raises(PoisonMessage, match="not a valid Greeting"):
        handle([inbound("greetings.v1", {"n": 1}, 1)])
    assert service.app.repository.get(service.tally.id).names == []


def test_a_topic_is_declared_once() -> None:
    with pytest.raises(ValueError, match="declared twice"):
        ConsumerTable[Service](
            "svc",
            [
                Consumer("greetings.v1", Greeting, Service.greet_in),
                Consumer("greetings.v1", Greeting, Service.greet_in),
            ],
        )


@pytest.mark.parametrize("name", list(SERVICES))
def test_each_service_consumes_what_its_kafka_entry_point_declares(
    name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SSP_DATA_DIR", str(tmp_path))
    kafka = __import__(f"services.{name}.entrypoints.kafka", fromlist=["CONSUMERS"])
    table: ConsumerTable[Any] = kafka.CONSUMERS
    assert table.service == name
    assert list(definition_factory(name)().consumes) == table.topics
