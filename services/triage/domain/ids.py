"""Triage's aggregate ids: uuid5 of a name in triage's namespace, so the same journal number or
person key always finds the same aggregate."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from uuid import NAMESPACE_URL, UUID, uuid5

NAMESPACE = uuid5(NAMESPACE_URL, "urn:ssp:triage")


class Uuid5s:
    """`uuid5(namespace, name)` with the namespace hashed once: each id copies this state
    instead of hashing it again, which with the rest `uuid5` does costs about half as much
    (tests hold it to `uuid5`)."""

    def __init__(self, namespace: UUID) -> None:
        self._hashed = hashlib.sha1(namespace.bytes, usedforsecurity=False)

    def __call__(self, name: str) -> UUID:
        digest = self._hashed.copy()
        digest.update(name.encode())
        return UUID(bytes=digest.digest()[:16], version=5)

    def text(self, name: str) -> str:
        """`str(uuid5(namespace, name))`, formatted straight from the digest."""
        digest = self._hashed.copy()
        digest.update(name.encode())
        raw = bytearray(digest.digest()[:16])
        raw[6] = (raw[6] & 0x0F) | 0x50  # version 5
        raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
        hex_ = raw.hex()
        return f"{hex_[:8]}-{hex_[8:12]}-{hex_[12:16]}-{hex_[16:20]}-{hex_[20:]}"


_AGGREGATE_IDS = Uuid5s(NAMESPACE)


@lru_cache(maxsize=8192)
def aggregate_id(name: str) -> UUID:
    """Remembered for the recent names: a batch asks for each id several times (to load the
    batch at once, in the use case, and eventsourcing again when it creates the aggregate)."""
    return _AGGREGATE_IDS(name)  # uuid5(NAMESPACE, name)
