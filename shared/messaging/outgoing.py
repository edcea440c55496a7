"""A message a service's stored event turns into when the outbox relay publishes it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import BaseModel


@dataclass(frozen=True)
class Outgoing:
    topic: str  # the default (unprefixed) topic name
    key: str
    value: BaseModel | bytes
    headers: dict[str, str] = field(default_factory=dict)

    def withheld(self, withhold: Callable[[BaseModel], BaseModel | None]) -> Outgoing | None:
        """The message without erased persons (`withhold`: shared/eventstore/erasure.py):
        None when it is about one only; opaque bytes (dead letters) as they are."""
        if isinstance(self.value, bytes):
            return self
        value = withhold(self.value)
        if value is None:
            return None
        return self if value is self.value else replace(self, value=value)

    def body(self) -> bytes:
        if isinstance(self.value, bytes):
            return self.value
        return self.value.model_dump_json().encode()


def as_contract(
    topic: str, contract: type[BaseModel], document: Any, key: str = "person_key"
) -> Outgoing:
    """A stored contract document as the message the relay publishes: validated as its
    contract (a document the contract refuses fails the publication), keyed by its field
    `key`."""
    message = contract.model_validate(document)
    return Outgoing(topic, getattr(message, key), message)
