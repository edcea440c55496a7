"""A message a service's stored event turns into when the outbox relay publishes it."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel


@dataclass(frozen=True)
class Outgoing:
    topic: str  # the default (unprefixed) topic name
    key: str
    value: BaseModel | bytes
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> bytes:
        if isinstance(self.value, bytes):
            return self.value
        return self.value.model_dump_json().encode()
