"""Triage's aggregate ids: uuid5 of a name in triage's namespace, so the same journal number or
person key always finds the same aggregate."""

from __future__ import annotations

from functools import lru_cache
from uuid import NAMESPACE_URL, UUID, uuid5

NAMESPACE = uuid5(NAMESPACE_URL, "urn:ssp:triage")


@lru_cache(maxsize=8192)
def aggregate_id(name: str) -> UUID:
    """Remembered for the recent names: a batch asks for each id several times (to load the
    batch at once, in the use case, and eventsourcing again when it creates the aggregate)."""
    return uuid5(NAMESPACE, name)
