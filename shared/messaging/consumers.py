"""What a service consumes, declared where Kafka enters it: one `Consumer` per topic (the topic,
its contract model, the use case that takes it), collected in the service's
`entrypoints/kafka.py`. Adding a topic to a service is one line there.

`ConsumerTable.batch_handler` is the shared runtime's side: for each batch the inbox hands it
(after de-duplication) it decodes every message as its topic's contract (a message that can
never be one is poison), lets the service load every aggregate the batch touches at once
(`prefetch`), runs each message's use case inside the message's span, and saves the batch in
one store transaction with a tracking row per upstream message. The use cases stay plain
methods of the service's application layer: `(service, unit of work, payload)`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel

from shared.contracts.erasures import PersonErased
from shared.contracts.topics import PERSON_ERASURES
from shared.eventstore.application import ServiceApplication
from shared.eventstore.erasure import withhold
from shared.eventstore.unit_of_work import UnitOfWork
from shared.messaging.inbound import Inbound
from shared.settings import PlatformSettings

log = logging.getLogger(__name__)


class _Service(Protocol):
    @property
    def app(self) -> ServiceApplication: ...


S = TypeVar("S", bound=_Service)

BatchHandler = Callable[[Sequence[Inbound]], None]


@dataclass(frozen=True)
class Consumer(Generic[S]):
    """One input topic of a service."""

    topic: str
    """The default (unprefixed) topic name."""
    model: type[BaseModel]
    """The contract its messages are."""
    handle: Callable[[S, UnitOfWork, Any], object]
    """The use case: called with the service, the batch's unit of work and the payload."""
    read: Callable[[S, Inbound], Any] | None = None
    """How a message becomes the use case's payload when that is not simply `model` decoded
    (e.g. input that is rejected rather than poison, or facts from the headers). It raises
    `PoisonMessage` for a message that can never be processed."""


def record_erasure(service: _Service, uow: UnitOfWork, erased: PersonErased) -> bool:
    """Issue 18: the service records that the person was erased; from then on its consumers,
    relay and in-memory views withhold them (shared/eventstore/erasure.py)."""
    return service.app.erased_persons.record(uow, erased)


def erasure_consumer(
    handle: Callable[[S, UnitOfWork, PersonErased], object] = record_erasure,
) -> Consumer[S]:
    """The `ssp.intake.person-erasures.v1` consumer every service declares; `handle` for a
    service with more to do than record it (it records it too)."""
    return Consumer(PERSON_ERASURES, PersonErased, handle)


@dataclass(frozen=True)
class ConsumerTable(Generic[S]):
    """A service's Kafka inputs."""

    service: str
    consumers: Sequence[Consumer[S]]
    prefetch: Callable[[S, UnitOfWork, Sequence[Any]], None] | None = None
    """Loads, with as few queries as it can, every aggregate the batch's payloads touch."""
    topics: list[str] = field(init=False)
    """The default names of the topics consumed, in the table's order."""

    def __post_init__(self) -> None:
        topics = [c.topic for c in self.consumers]
        if len(set(topics)) != len(topics):
            raise ValueError(f"{self.service}: a topic is declared twice in {topics}")
        object.__setattr__(self, "topics", topics)

    def batch_handler(
        self, service: S, settings: PlatformSettings | None = None
    ) -> TableHandler[S]:
        """The handler the inbox runtime calls with each batch of fresh messages (tests call
        it as the runtime would); `settings` give the topics' deployment names (the prefix),
        without them the default names."""
        topic_name = settings.topic if settings is not None else str
        return TableHandler(self, service, {topic_name(c.topic): c for c in self.consumers})


_WITHHELD: Any = object()
"""Stands for the consumer of a message withheld because it is about an erased person."""


@dataclass(frozen=True)
class TableHandler(Generic[S]):
    """A consumer table bound to its service: one batch, one unit of work."""

    table: ConsumerTable[S]
    service: S
    by_topic: dict[str, Consumer[S]]

    def _read(self, consumer: Consumer[S], message: Inbound) -> Any:
        if consumer.read is not None:
            return consumer.read(self.service, message)
        return message.decode(consumer.model)

    def __call__(self, messages: Sequence[Inbound]) -> None:
        service, name = self.service, self.table.service
        uow = UnitOfWork(service.app)
        received: list[tuple[Inbound, Consumer[S] | None, Any]] = []
        erased = service.app.erased_persons
        # Persons erased earlier in this batch: not yet in `erased` (it learns of them once
        # the batch committed), withheld from the batch's later messages all the same.
        erasing: set[str] = set()
        for message in messages:
            consumer = self.by_topic.get(message.topic)
            payload = None if consumer is None else self._read(consumer, message)
            if isinstance(payload, PersonErased):
                erasing.add(payload.person_key)
            if consumer is not None and payload is not None:
                payload = (
                    withhold(payload, lambda key: key in erasing or key in erased)
                    if erasing
                    else erased.withhold(payload)
                )
                if payload is None:  # about an erased person only (a replay): nothing to do
                    consumer = _WITHHELD
            received.append((message, consumer, payload))
        if self.table.prefetch is not None:
            # Erasures load nothing ahead (their use case loads what it needs).
            self.table.prefetch(
                service,
                uow,
                [
                    p
                    for _, c, p in received
                    if c is not None and c is not _WITHHELD and not isinstance(p, PersonErased)
                ],
            )
        for message, consumer, payload in received:
            if consumer is None:
                log.warning("%s: ignoring a message from unexpected topic %s", name, message.topic)
            elif consumer is not _WITHHELD:
                with message.processing_span(name):
                    consumer.handle(service, uow, payload)
            uow.processed(message.upstream)
        uow.commit()
