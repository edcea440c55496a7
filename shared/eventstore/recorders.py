"""Process recorders that record many tracking rows in the events' transaction.

eventsourcing records at most one `Tracking` per transaction. A consumer that commits a batch
of messages at once needs one per message, so these subclasses take `trackings=[...]` as well.
They require multi-row tracking (SINGLE_ROW_TRACKING=n): with several partitions, upstream
notification ids arrive out of order, so "seen" must be exact membership, not `<= max`; the
rows are then plain inserts, written with one `executemany` per batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, LiteralString
from uuid import UUID

from eventsourcing.persistence import StoredEvent, Tracking
from eventsourcing.postgres import PostgresProcessRecorder
from eventsourcing.sqlite import SQLiteProcessRecorder
from psycopg.sql import SQL, Identifier


def _group_by_originator(rows: Iterable[StoredEvent]) -> dict[UUID, list[StoredEvent]]:
    grouped: dict[UUID, list[StoredEvent]] = {}
    for stored in rows:
        originator_id = stored.originator_id
        key = originator_id if isinstance(originator_id, UUID) else UUID(str(originator_id))
        grouped.setdefault(key, []).append(stored)
    return grouped


_LOCK_SCHEMA = SQL("SELECT pg_advisory_lock(hashtext('ssp-eventstore-schema'))")
_UNLOCK_SCHEMA = SQL("SELECT pg_advisory_unlock(hashtext('ssp-eventstore-schema'))")


def _tracking_rows(recorder: Any, trackings: Sequence[Tracking]) -> list[dict[str, Any]]:
    if recorder.datastore.single_row_tracking:
        raise ValueError("recording several tracking rows needs SINGLE_ROW_TRACKING=n")
    return [
        {"application_name": t.application_name, "notification_id": t.notification_id}
        for t in trackings
    ]


class MultiTrackingSQLiteProcessRecorder(SQLiteProcessRecorder):
    def _insert_events(
        self, c: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        returning = super()._insert_events(c, stored_events, **kwargs)
        trackings: Sequence[Tracking] = kwargs.get("trackings", ())
        if trackings:
            # One statement for the batch's rows (multi-row tracking: plain inserts).
            self._check_has_multi_row_tracking_table(c)
            c.executemany(self.insert_tracking_statement, _tracking_rows(self, trackings))
        return returning

    def select_tracked(self, application_name: str, notification_ids: Iterable[int]) -> set[int]:
        ids = sorted(set(notification_ids))
        if not ids:
            return set()
        placeholders = ",".join("?" * len(ids))
        statement = (
            "SELECT notification_id FROM tracking WHERE application_name=? "  # noqa: S608
            f"AND notification_id IN ({placeholders})"
        )
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, [application_name, *ids])
            return {int(row[0]) for row in c.fetchall()}

    def select_events_of(self, originator_ids: Iterable[UUID]) -> dict[UUID, list[StoredEvent]]:
        """The events of many aggregates in one query (a batch loads its aggregates at once)."""
        ids = sorted({i.hex for i in originator_ids})
        if not ids:
            return {}
        placeholders = ",".join("?" * len(ids))
        statement = (
            "SELECT originator_id, originator_version, topic, state "  # noqa: S608
            f"FROM {self.events_table_name} WHERE originator_id IN ({placeholders}) "
            "ORDER BY originator_id, originator_version"
        )
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, ids)
            return _group_by_originator(
                StoredEvent(
                    originator_id=UUID(row["originator_id"]),
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=row["state"],
                )
                for row in c.fetchall()
            )


class MultiTrackingPostgresProcessRecorder(PostgresProcessRecorder):
    def create_table(self) -> None:
        # Services sharing a database create the same composite type (stored_event_uuid) and
        # catalogue entries when they first start; doing so at the same moment fails (unique
        # violation, "tuple concurrently updated"). One creates at a time, across processes.
        with self.datastore.get_connection() as conn:
            conn.execute(_LOCK_SCHEMA)
            try:
                super().create_table()
            finally:
                conn.execute(_UNLOCK_SCHEMA)

    def _insert_events(
        self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        trackings: Sequence[Tracking] = kwargs.get("trackings", ())
        if trackings:
            # One pipelined statement for the batch's rows, not a round trip per message.
            self._check_has_multi_row_tracking_table(curs)
            curs.executemany(self.insert_tracking_statement, _tracking_rows(self, trackings))
        super()._insert_events(curs, stored_events, **kwargs)

    def _select(self, query: LiteralString, table: str, params: Sequence[Any]) -> list[Any]:
        """The rows of `query`, whose `{schema}.{table}` names `table` in the datastore's
        schema."""
        statement = SQL(query).format(
            schema=Identifier(self.datastore.schema or "public"), table=Identifier(table)
        )
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, params)
            return curs.fetchall()

    def select_tracked(self, application_name: str, notification_ids: Iterable[int]) -> set[int]:
        ids = sorted(set(notification_ids))
        if not ids:
            return set()
        rows = self._select(
            "SELECT notification_id FROM {schema}.{table} "
            "WHERE application_name=%s AND notification_id = ANY(%s)",
            self.tracking_table_name,
            (application_name, ids),
        )
        return {int(row["notification_id"]) for row in rows}

    def select_events_of(self, originator_ids: Iterable[UUID]) -> dict[UUID, list[StoredEvent]]:
        """The events of many aggregates in one query (a batch loads its aggregates at once)."""
        ids = sorted(set(originator_ids))
        if not ids:
            return {}
        rows = self._select(
            "SELECT originator_id, originator_version, topic, state FROM {schema}.{table} "
            "WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version",
            self.events_table_name,
            (ids,),
        )
        return _group_by_originator(
            StoredEvent(
                originator_id=row["originator_id"],
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=bytes(row["state"]),
            )
            for row in rows
        )


TrackingRecorder = MultiTrackingSQLiteProcessRecorder | MultiTrackingPostgresProcessRecorder
