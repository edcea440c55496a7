"""Messages that could not be processed, kept in the service's own store and relayed to its
dead-letter topic with the original bytes and where they came from.

The original bytes may hold personal data, and the store is append-only: since issue 18 a dead
letter's key and value are sealed under a data key of its own (owner `dead-letter:<id>`) in
the service's keyring (`app.keyring`, shared/keys). The service's daily job destroys that key
`SSP_RETENTION_DEAD_LETTER_DAYS` after the dead letter was kept
(shared/messaging/dead_letter_retention.py); from then on the bytes are unreadable in every
stored event and backup, and the relay, republishing, sends the record without them and with
the header `ssp-dlq-erased: after <N> days`. Dead letters kept before, or by an application
without a keyring (tests of the store alone), hold the bytes in `value_b64` as before."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from shared.contracts.topics import dead_letter_topic
from shared.eventstore.aggregate import TracedAggregate
from shared.eventstore.ids import IdSpace
from shared.keys.keyring import PersonKeyring
from shared.keys.sealing import PersonSealer
from shared.messaging.inbound import Inbound
from shared.messaging.outgoing import Outgoing

_IDS = IdSpace("urn:ssp:dead-letter")
RELAY_PARTITION = -1
"""`origin_partition` of a message the outbox relay could not publish (its `origin_offset` is
the stored event's notification id)."""
DLQ_HEADER_ERASED = "ssp-dlq-erased"
"""On a dead-letter record whose bytes were erased: `after <N> days` (its value is empty)."""
KIND = "dead_letter"
"""The kind of data its erasures count as (`ssp erasure-report`)."""


def owner_of(letter_id: UUID) -> str:
    """The keyring owner of a dead letter's data key."""
    return f"dead-letter:{letter_id}"


@dataclass(frozen=True)
class Original:
    """A dead letter's original message as it was received."""

    key: bytes | None
    value: bytes


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
        sealed: dict[str, Any] | None = None
        """Since issue 18: `{"key": Sealed | None, "value": Sealed}` under the dead letter's
        own key (`key_b64` None and `value_b64` empty then); in a copy the relay publishes
        after the key was destroyed: `{"erased_after_days": N}`."""

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
        sealed: dict[str, Any] | None = None,
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
        self.sealed = sealed

    @classmethod
    def _kept(
        cls,
        keyring: PersonKeyring | None,
        service: str,
        origin_topic: str,
        origin_partition: int,
        origin_offset: int,
        key: bytes | None,
        value: bytes,
        **rest: Any,
    ) -> DeadLetter:
        """A new dead letter, its bytes sealed under a key of its own when there is a keyring
        (its id is the original's either way)."""
        value_b64 = base64.b64encode(value).decode()
        letter_id = cls.create_id(service, origin_topic, origin_partition, origin_offset, value_b64)
        coordinates: dict[str, Any] = dict(
            service=service,
            origin_topic=origin_topic,
            origin_partition=origin_partition,
            origin_offset=origin_offset,
        )
        stored: dict[str, Any]
        if keyring is None:
            key_b64 = base64.b64encode(key).decode() if key is not None else None
            stored = {"key_b64": key_b64, "value_b64": value_b64, "sealed": None}
        else:
            sealer, owner = PersonSealer(keyring), [owner_of(letter_id)]
            sealed = {
                "key": sealer.seal(owner, key) if key is not None else None,
                "value": sealer.seal(owner, value),
            }
            stored = {"key_b64": None, "value_b64": "", "sealed": sealed}
        return cls._create(cls.Recorded, id=letter_id, **coordinates, **stored, **rest)

    @classmethod
    def record(
        cls,
        service: str,
        message: Inbound,
        error: str,
        attempts: int,
        publish_original: bool,
        keyring: PersonKeyring | None = None,
    ) -> DeadLetter:
        return cls._kept(
            keyring,
            service,
            message.topic,
            message.partition,
            message.offset,
            message.key,
            message.value,
            headers=dict(message.headers),
            error=error,
            attempts=attempts,
            publish_original=publish_original,
        )

    @classmethod
    def refused_by_broker(
        cls, service: str, refused: Refused, keyring: PersonKeyring | None = None
    ) -> DeadLetter:
        """A message the outbox relay could not publish (the broker refused it for good).

        Marked by partition -1; its offset is the stored event's notification id, so the same
        refusal is kept once however often the relay tries again. The value is kept in the
        store only: the dead-letter record goes out without it (the broker would refuse it
        again)."""
        return cls._kept(
            keyring,
            service,
            refused.topic,
            RELAY_PARTITION,
            refused.notification_id,
            refused.key,
            refused.value,
            headers=refused.headers,
            error=refused.reason,
            attempts=1,
            publish_original=False,
        )

    @property
    def original_value(self) -> bytes:
        """The original bytes of a dead letter kept unsealed (see `original_of`)."""
        return base64.b64decode(self.value_b64)


def original_of(
    letter: DeadLetter | DeadLetter.Recorded, keyring: PersonKeyring | None
) -> Original | None:
    """The original message of a dead letter; None once its key is destroyed (erased)."""
    sealed = letter.sealed
    if sealed is None:
        key = base64.b64decode(letter.key_b64) if letter.key_b64 is not None else None
        return Original(key, base64.b64decode(letter.value_b64))
    if keyring is None or "value" not in sealed:
        return None
    sealer = PersonSealer(keyring)
    value = sealer.open(sealed["value"])
    key = sealer.open(sealed["key"]) if sealed.get("key") is not None else None
    return None if value is None else Original(key, value)


def erased_after_days(letter_id: UUID, recorded_at: datetime, keyring: PersonKeyring) -> int | None:
    """Whole days from keeping the dead letter to destroying its key; None: not erased."""
    erasure = keyring.erasure_of(owner_of(letter_id))
    if erasure is None:
        return None
    return max(0, (erasure.erased_at - recorded_at).days)


def for_publication(
    event_: DeadLetter.Recorded, keyring: PersonKeyring | None
) -> DeadLetter.Recorded:
    """The event as `dead_letter_publications` may publish it: a sealed one opened (its bytes
    plain, in memory only), or, its key destroyed, marked with the days after which it was."""
    if event_.sealed is None or "value" not in event_.sealed:
        return event_
    original = original_of(event_, keyring)
    if original is not None:
        return _replace(
            event_,
            key_b64=base64.b64encode(original.key).decode() if original.key is not None else None,
            value_b64=base64.b64encode(original.value).decode(),
            sealed=None,
        )
    days = (
        erased_after_days(event_.originator_id, event_.timestamp, keyring)
        if keyring is not None
        else None
    )
    return _replace(event_, sealed={"erased_after_days": days})


def _replace(event_: DeadLetter.Recorded, **changes: Any) -> DeadLetter.Recorded:
    """A copy with `changes` (a stored event is a frozen dataclass; the copy is not stored)."""
    replace: Any = dataclasses.replace
    copy: DeadLetter.Recorded = replace(event_, **changes)
    return copy


def dead_letter_publications(event_: object) -> list[Outgoing]:
    """The dead-letter topic record: original bytes (unless the service keeps them private,
    as intake does for input that carries CPR numbers) and origin headers."""
    if not isinstance(event_, DeadLetter.Recorded):
        return []
    original = base64.b64decode(event_.value_b64)  # empty while sealed, or erased
    headers = {
        "ssp-dlq-service": event_.service,
        "ssp-dlq-origin-topic": event_.origin_topic,
        "ssp-dlq-origin-partition": str(event_.origin_partition),
        "ssp-dlq-origin-offset": str(event_.origin_offset),
        "ssp-dlq-error": event_.error,
        "ssp-dlq-attempts": str(event_.attempts),
        "ssp-dlq-reference": str(event_.originator_id),
    }
    if event_.sealed is not None and "erased_after_days" in event_.sealed:
        headers[DLQ_HEADER_ERASED] = f"after {event_.sealed['erased_after_days']} days"
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
