"""Every stored intake event encrypted with the current store key (`ssp reencrypt-store
intake`), after `INTAKE_STORE_CIPHER_KEY` was rotated and the old key listed in
`INTAKE_RETIRED_STORE_CIPHER_KEYS`.

Events are immutable facts; only the bytes that hold them are replaced, each by the same
plaintext under the new key, in batches of their own transactions (a store that is running
goes on meanwhile: it reads either key, and the rows it appends are under the new one
already). Stopped half-way, it is run again: rows under the current key are left as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eventsourcing.postgres import PostgresDatastore
from psycopg.sql import SQL, Identifier

from services.intake.adapters.cipher import StoreCipher
from services.intake.application.app import IntakeApplication


@dataclass
class Reencryption:
    events: int = 0
    """Stored events read."""
    reencrypted: int = 0
    """Of them, encrypted anew (a retired key had encrypted them)."""


def reencrypt_store(
    app: IntakeApplication,
    *,
    batch_size: int = 500,
    progress: Callable[[Reencryption, int], None] = lambda done, total: None,
) -> Reencryption:
    """Encrypt every event a retired key encrypted with the current key; `progress` after each
    batch, with the number of events in the store. Raises ValueError (naming the row, never
    its content) for an event no key opens."""
    cipher = app.mapper.cipher
    if not isinstance(cipher, StoreCipher):
        raise TypeError("intake's store has no StoreCipher")
    rows = _Rows(app)
    total = rows.count()
    done = Reencryption()
    after = 0
    while batch := rows.after(after, batch_size):
        changed: list[tuple[bytes, int]] = []
        for row_id, state in batch:
            try:
                reencrypted = cipher.reencrypted(bytes(state))
            except ValueError as exc:
                raise ValueError(f"stored event {row_id}: no key opens it ({exc})") from None
            if reencrypted is not None:
                changed.append((reencrypted, row_id))
        rows.replace(changed)
        done.events += len(batch)
        done.reencrypted += len(changed)
        after = batch[-1][0]
        progress(done, total)
    return done


class _Rows:
    """The events table's rows by their position (SQLite's rowid, PostgreSQL's notification
    id), read and replaced in batches."""

    def __init__(self, app: IntakeApplication) -> None:
        recorder: Any = app.recorder
        self.datastore: Any = recorder.datastore
        self.postgres = isinstance(self.datastore, PostgresDatastore)
        table = recorder.events_table_name
        self._count: Any
        self._after: Any
        self._replace: Any
        if self.postgres:
            name = SQL("{}.{}").format(
                Identifier(self.datastore.schema or "public"), Identifier(table)
            )
            self._count = SQL("SELECT count(*) AS n FROM {}").format(name)
            self._after = SQL(
                "SELECT notification_id AS id, state FROM {} WHERE notification_id > %s "
                "ORDER BY notification_id LIMIT %s"
            ).format(name)
            self._replace = SQL("UPDATE {} SET state = %s WHERE notification_id = %s").format(name)
        else:
            self._count = f"SELECT count(*) AS n FROM {table}"  # noqa: S608 (the library's name)
            self._after = (
                f"SELECT rowid AS id, state FROM {table} "  # noqa: S608 (the library's name)
                "WHERE rowid > ? ORDER BY rowid LIMIT ?"
            )
            self._replace = f"UPDATE {table} SET state = ? WHERE rowid = ?"  # noqa: S608

    def count(self) -> int:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(self._count)
            return int(cursor.fetchone()["n"])

    def after(self, position: int, limit: int) -> list[tuple[int, bytes]]:
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(self._after, (position, limit))
            return [(int(row["id"]), row["state"]) for row in cursor.fetchall()]

    def replace(self, changed: list[tuple[bytes, int]]) -> None:
        if not changed:
            return
        with self.datastore.transaction(commit=True) as cursor:
            cursor.executemany(self._replace, changed)
