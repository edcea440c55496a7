"""Per-person data keys (crypto-shredding, issue 18 part 1), wrapped by a service's store key.

A service keeps a keyring of its own (`service=`, e.g. intake, courses, triage). Every person
(or other owner, e.g. `rejection:<reference>`) it holds data about has a random 256-bit data
key; in intake their identity, their part of rejected input and the free text of their
incidents are sealed with it (AES-256-GCM, `shared/keys/sealing.py`). The data keys live here,
in their own table (`<service>_person_keys`: SQLite `<data_dir>/<service>-keys.sqlite`, or the
PostgreSQL database),
never in the append-only event store: each is wrapped (AES-256-GCM, the owner as associated
data) by the wrapping key whose id it names. Destroying a person's key (erasure, part 3)
deletes its row and records the erasure (`<service>_erasures`: owner, when, why; no personal
data); from then on every stored event and every backup of the event store holds only
ciphertext nobody can open. The SQLite file is written with `secure_delete`, so a deleted key
does not linger in the file's free pages. Backups of *this* table must therefore be kept
shorter than the shortest deletion deadline (docs/record-of-processing.md).

Rotation of the wrapping key: the current key wraps new data keys; `rewrap` unwraps every data
key wrapped under a retired key and wraps it under the current one (`ssp intake-rewrap-keys`).

Unwrapped keys are cached for `cache_seconds` (another replica learns of an erasure within
that time; this one at once)."""

from __future__ import annotations

import base64
import functools
import hashlib
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import SecretStr
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.pool import StaticPool

from shared.secret_checks import listed_keys
from shared.settings import PlatformSettings
from shared.sql import service_engine


@functools.cache
def _tables(service: str) -> tuple[MetaData, Table, Table]:
    """The service's two tables: `<service>_person_keys` (the wrapped data keys) and
    `<service>_erasures` (which owners were erased, when and why; no personal data)."""
    metadata = MetaData()
    keys = Table(
        f"{service}_person_keys",
        metadata,
        Column("owner", String(80), primary_key=True),
        Column("wrapping_key_id", String(40), nullable=False, index=True),
        Column("wrapped", LargeBinary(80), nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )
    erasures = Table(
        f"{service}_erasures",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("owner", String(80), nullable=False, unique=True),
        Column("erasure_id", String(40), nullable=False),
        Column("kind", String(40), nullable=False),
        Column("reason", String(40), nullable=False),
        Column("erased_at", DateTime(timezone=True), nullable=False, index=True),
    )
    return metadata, keys, erasures


@dataclass(frozen=True)
class WrappingKey:
    """A key that wraps data keys; its id is a fingerprint (the key cannot be derived from it)."""

    key_id: str
    key: bytes

    @classmethod
    def of(cls, key: bytes) -> WrappingKey:
        if len(key) != 32:
            raise ValueError("a wrapping key is 32 bytes")
        # The fingerprint's label says "intake" for every service: key ids already stored
        # name it, and the label only separates this use of SHA-256 from any other.
        return cls("wk-" + hashlib.sha256(b"ssp-intake-wrapping-key:" + key).hexdigest()[:24], key)

    @classmethod
    def listed(cls, keys: SecretStr | None) -> list[WrappingKey]:
        """The keys of a comma-separated setting of base64 keys (the retired ones)."""
        return [cls.of(base64.b64decode(key)) for key in listed_keys(keys)]


@dataclass(frozen=True)
class Erasure:
    owner: str
    erasure_id: str
    kind: str
    reason: str
    erased_at: datetime


class KeyDestroyed(LookupError):
    """The owner's data key was destroyed (erased): nothing sealed with it can be read."""


Clock = Callable[[], datetime]


def _wrap(wrapping: WrappingKey, owner: str, data_key: bytes) -> bytes:
    nonce = secrets.token_bytes(12)
    return nonce + AESGCM(wrapping.key).encrypt(nonce, data_key, owner.encode())


def _unwrap(wrapping: WrappingKey, owner: str, wrapped: bytes) -> bytes:
    return AESGCM(wrapping.key).decrypt(wrapped[:12], wrapped[12:], owner.encode())


class PersonKeyring:
    def __init__(
        self,
        engine: Engine,
        wrapping: WrappingKey,
        retired: Sequence[WrappingKey] = (),
        *,
        clock: Clock | None = None,
        cache_seconds: float = 30.0,
        service: str = "intake",
    ) -> None:
        self.engine = engine
        metadata, self._keys, self._erasures = _tables(service)
        columns = self._keys.c
        self._wrapped_columns = (columns.owner, columns.wrapping_key_id, columns.wrapped)
        self.wrapping = wrapping
        self._by_id = {k.key_id: k for k in (*retired, wrapping)}
        self.clock = clock or (lambda: datetime.now(UTC))
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[bytes, float]] = {}
        self._erased: frozenset[str] = frozenset()
        self._erased_read = -1e9
        self._lock = threading.Lock()
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _secure_delete)
        metadata.create_all(engine)

    @classmethod
    def open(
        cls,
        settings: PlatformSettings,
        wrapping: WrappingKey,
        retired: Sequence[WrappingKey] = (),
        *,
        service: str = "intake",
    ) -> PersonKeyring:
        """The service's keyring: `<data_dir>/<service>-keys.sqlite`, or its tables in the
        PostgreSQL database."""
        return cls(service_engine(settings, f"{service}-keys"), wrapping, retired, service=service)

    @classmethod
    def in_memory(cls, service: str = "intake") -> PersonKeyring:
        """A keyring in a private in-memory database, under a random wrapping key."""
        engine = create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
        return cls(engine, WrappingKey.of(secrets.token_bytes(32)), service=service)

    # --- data keys ---------------------------------------------------------------------
    def keys_of(self, owners: Iterable[str], *, create: bool = True) -> dict[str, bytes]:
        """The data keys of `owners`, with one query for those not cached; missing ones are
        created when `create` (never for an erased owner: it is left out)."""
        wanted = set(owners)
        now = time.monotonic()
        found: dict[str, bytes] = {}
        with self._lock:
            for owner in wanted:
                cached = self._cache.get(owner)
                if cached is not None and now - cached[1] < self.cache_seconds:
                    found[owner] = cached[0]
        missing = wanted - found.keys()
        if missing:
            loaded = self._load(missing)
            absent = missing - loaded.keys() - self.erased_among(missing)
            if create and absent:
                self._create(absent)
                loaded.update(self._load(absent))
            with self._lock:
                for owner, key in loaded.items():
                    self._cache[owner] = (key, now)
            found.update(loaded)
        return found

    def key_of(self, owner: str, *, create: bool = True) -> bytes:
        key = self.keys_of([owner], create=create).get(owner)
        if key is None:
            raise KeyDestroyed(owner)
        return key

    def _load(self, owners: set[str]) -> dict[str, bytes]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    self._keys.c.owner, self._keys.c.wrapping_key_id, self._keys.c.wrapped
                ).where(self._keys.c.owner.in_(sorted(owners)))
            ).all()
        keys: dict[str, bytes] = {}
        for owner, key_id, wrapped in rows:
            wrapping = self._by_id.get(key_id)
            if wrapping is None:
                raise ValueError(f"data keys are wrapped by {key_id}, which is not configured")
            try:
                keys[owner] = _unwrap(wrapping, owner, bytes(wrapped))
            except InvalidTag as exc:
                raise ValueError(f"the data key of one owner does not open with {key_id}") from exc
        return keys

    def _create(self, owners: set[str]) -> None:
        """New data keys for `owners`, in one transaction (one commit for a whole batch of
        persons, not one each: a commit is a disk sync, and one a person cost intake over 1 ms
        a message in `bench.handlers`). An owner another replica has just created a key for
        keeps theirs (`ON CONFLICT DO NOTHING`); the caller loads what is stored."""
        created_at = self.clock()
        rows = [
            {
                "owner": owner,
                "wrapping_key_id": self.wrapping.key_id,
                "wrapped": _wrap(self.wrapping, owner, AESGCM.generate_key(bit_length=256)),
                "created_at": created_at,
            }
            for owner in sorted(owners)
        ]
        dialect_insert = (
            postgresql_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        )
        with self.engine.begin() as conn:
            conn.execute(dialect_insert(self._keys).on_conflict_do_nothing(), rows)

    # --- erasure -----------------------------------------------------------------------
    def destroy(
        self, owner: str, erasure_id: str, kind: str, reason: str, at: datetime | None = None
    ) -> Erasure:
        """Delete the owner's data key and record that (once: a second call returns the
        first erasure)."""
        erased_at = at or self.clock()
        with self.engine.begin() as conn:
            conn.execute(delete(self._keys).where(self._keys.c.owner == owner))
            earlier = conn.execute(
                select(self._erasures).where(self._erasures.c.owner == owner)
            ).first()
            if earlier is None:
                conn.execute(
                    insert(self._erasures).values(
                        owner=owner,
                        erasure_id=erasure_id,
                        kind=kind,
                        reason=reason,
                        erased_at=erased_at,
                    )
                )
        with self._lock:
            self._cache.pop(owner, None)
            self._erased = self._erased | {owner}
        if earlier is not None:
            return _erasure(earlier)
        return Erasure(owner, erasure_id, kind, reason, erased_at)

    def _erasure_query(self, owner: str) -> Any:
        return select(self._erasures).where(self._erasures.c.owner == owner)

    def erasure_of(self, owner: str) -> Erasure | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(self._erasures).where(self._erasures.c.owner == owner)
            ).first()
        return None if row is None else _erasure(row)

    def erasures(self) -> list[Erasure]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(self._erasures).order_by(self._erasures.c.id)).all()
        return [_erasure(row) for row in rows]

    def is_erased(self, owner: str) -> bool:
        return owner in self.erased_owners()

    def erased_known(self) -> frozenset[str]:
        """The erased owners as last read (no I/O: for the event loop)."""
        return self._erased

    def erased_owners(self) -> frozenset[str]:
        """Re-read at most every `cache_seconds` (this process's own erasures at once)."""
        now = time.monotonic()
        if now - self._erased_read >= self.cache_seconds:
            with self.engine.connect() as conn:
                owners = frozenset(conn.execute(select(self._erasures.c.owner)).scalars())
            with self._lock:
                self._erased, self._erased_read = owners, now
        return self._erased

    def erased_among(self, owners: Iterable[str]) -> set[str]:
        return {owner for owner in owners if self.is_erased(owner)}

    # --- rotation ----------------------------------------------------------------------
    def rewrap(self) -> int:
        """Wrap every data key wrapped under a retired key under the current one; how many."""
        rewrapped = 0
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(
                    self._keys.c.owner, self._keys.c.wrapping_key_id, self._keys.c.wrapped
                ).where(self._keys.c.wrapping_key_id != self.wrapping.key_id)
            ).all()
            for owner, key_id, wrapped in rows:
                retired = self._by_id.get(key_id)
                if retired is None:
                    raise ValueError(f"data keys are wrapped by {key_id}, which is not configured")
                data_key = _unwrap(retired, owner, bytes(wrapped))
                conn.execute(
                    update(self._keys)
                    .where(self._keys.c.owner == owner)
                    .values(
                        wrapping_key_id=self.wrapping.key_id,
                        wrapped=_wrap(self.wrapping, owner, data_key),
                    )
                )
                rewrapped += 1
        return rewrapped

    def count_by_wrapping_key(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(self._keys.c.wrapping_key_id, func.count()).group_by(
                    self._keys.c.wrapping_key_id
                )
            ).all()
        return {key_id: int(count) for key_id, count in rows}

    def close(self) -> None:
        self.engine.dispose()


def _secure_delete(dbapi_connection: object, _: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA secure_delete = ON")
    cursor.close()


def _erasure(row: Any) -> Erasure:
    at: datetime = row.erased_at
    at = at if at.tzinfo is not None else at.replace(tzinfo=UTC)  # SQLite keeps no zone
    return Erasure(row.owner, row.erasure_id, row.kind, row.reason, at)
