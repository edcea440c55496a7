"""Messages that could not be processed, kept in the service's own store and relayed to its
dead-letter topic with the original bytes and where they came from."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from shared.contracts.topics import dead_letter_topic
from shared.eventstore.aggregate import TracedAggregate
from shared.eventstore.ids import IdSpace
from shared.messaging.inbound import Inbound
from shared.messaging.outgoing import Outgoing

_IDS = IdSpace("urn:ssp:dead-letter")
RELAY_PARTITION = -1
"""`origin_partition` of a message the outbox relay could not publish (its `origin_offset` is
the stored event's notification id)."""


@dataclass(frozen=True)
class Refused:
    """A message the broker refused for good, and why (no personal data: a class name and a
    size); the outbox relay keeps it as a dead letter."""

    notification_id: int
    domain_event: Any
    topic: str
    key: bytes
    value: bytes
    headers: dict[str, str]
    reason: str


class DeadLetter(TracedAggregate):
    class Recorded(TracedAggregate.Created):
        service: str
        origin_topic: str
        origin_partition: int
        origin_offset: int
        key_b64: str | None
        value_b64: str
        headers: dict[str, str]
        error: str
        attempts: int
        publish_original: bool

    @staticmethod
    def create_id(
        service: str, origin_topic: str, origin_partition: int, origin_offset: int, value_b64: str
    ) -> UUID:
        digest = hashlib.sha256(base64.b64decode(value_b64)).hexdigest()
        coordinates = f"{service}|{origin_topic}|{origin_partition}|{origin_offset}|{digest}"
        return _IDS(coordinates)

    @classmethod
    def id_for(cls, service: str, message: Inbound) -> UUID:
        return cls.create_id(
            service,
            message.topic,
            message.partition,
            message.offset,
            base64.b64encode(message.value).decode(),
        )

    @event(Recorded)
    def __init__(
        self,
        service: str,
        origin_topic: str,
        origin_partition: int,
        origin_offset: int,
        key_b64: str | None,
        value_b64: str,
        headers: dict[str, str],
        error: str,
        attempts: int,
        publish_original: bool,
    ) -> None:
        self.service = service
        self.origin_topic = origin_topic
        self.origin_partition = origin_partition
        self.origin_offset = origin_offset
        self.key_b64 = key_b64
        self.value_b64 = value_b64
        self.headers = headers
        self.error = error
        self.attempts = attempts
        self.publish_original = publish_original

    @classmethod
    def record(
        cls, service: str, message: Inbound, error: str, attempts: int, publish_original: bool
    ) -> DeadLetter:
        return cls(
            service=service,
            origin_topic=message.topic,
            origin_partition=message.partition,
            origin_offset=message.offset,
            key_b64=base64.b64encode(message.key).decode() if message.key is not None else None,
            value_b64=base64.b64encode(message.value).decode(),
            headers=dict(message.headers),
            error=error,
            attempts=attempts,
            publish_original=publish_original,
        )

    @classmethod
    def refused_by_broker(cls, service: str, refused: Refused) -> DeadLetter:
        """A message the outbox relay could not publish (the broker refused it for good).

        Marked by partition -1; its offset is the stored event's notification id, so the same
        refusal is kept once however often the relay tries again. The value is kept in the
        store only: the dead-letter record goes out without it (the broker would refuse it
        again)."""
        return cls(
            service=service,
            origin_topic=refused.topic,
            origin_partition=RELAY_PARTITION,
            origin_offset=refused.notification_id,
            key_b64=base64.b64encode(refused.key).decode(),
            value_b64=base64.b64encode(refused.value).decode(),
            headers=refused.headers,
            error=refused.reason,
            attempts=1,
            publish_original=False,
        )

    @property
    def original_value(self) -> bytes:
        return base64.b64decode(self.value_b64)


def dead_letter_publications(event_: object) -> list[Outgoing]:
    """The dead-letter topic record: original bytes (unless the service keeps them private,
    as intake does for input that carries CPR numbers) and origin headers."""
    if not isinstance(event_, DeadLetter.Recorded):
        return []
    original = base64.b64decode(event_.value_b64)
    headers = {
        "ssp-dlq-service": event_.service,
        "ssp-dlq-origin-topic": event_.origin_topic,
        "ssp-dlq-origin-partition": str(event_.origin_partition),
        "ssp-dlq-origin-offset": str(event_.origin_offset),
        "ssp-dlq-error": event_.error,
        "ssp-dlq-attempts": str(event_.attempts),
        "ssp-dlq-reference": str(event_.originator_id),
    }
    key = event_.key_b64
    return [
        Outgoing(
            topic=dead_letter_topic(event_.service),
            key=base64.b64decode(key).decode("utf-8", "replace")
            if key
            else str(event_.originator_id),
            value=original if event_.publish_original else b"",
            headers=headers,
        )
    ]
