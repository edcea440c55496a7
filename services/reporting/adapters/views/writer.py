"""Writes to the read models, all of them idempotent: applying the same event twice, or
replaying the whole log, leaves the tables as applying it once did."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, delete, inspect, select
from sqlalchemy.dialects import postgresql, sqlite

from services.reporting.adapters.views import tables
from services.reporting.domain.handover import TaskStatus, decision_wins, task_status_wins

_PROJECTION = "views"


@functools.lru_cache(maxsize=64)
def _upsert_statement(
    dialect_name: str, table: Table, columns: tuple[str, ...], keys: tuple[str, ...]
) -> Any:
    # Built once per shape: constructing SQLAlchemy statements per row cost more than the
    # database work itself.
    dialect: Any = postgresql if dialect_name == "postgresql" else sqlite
    statement = dialect.insert(table)
    updates = {name: statement.excluded[name] for name in columns if name not in keys}
    return statement.on_conflict_do_update(index_elements=list(keys), set_=updates)


def _upsert(conn: Connection, table: Table, values: dict[str, Any], keys: Sequence[str]) -> None:
    statement = _upsert_statement(conn.dialect.name, table, tuple(sorted(values)), tuple(keys))
    conn.execute(statement, values)


class ViewWriter:
    """One read-model transaction; the projection's position is saved in it too."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def position(self) -> int:
        row = self.conn.execute(
            select(tables.position.c.notification_id).where(tables.position.c.name == _PROJECTION)
        ).first()
        return int(row[0]) if row else 0

    def set_position(self, notification_id: int) -> None:
        _upsert(
            self.conn,
            tables.position,
            {"name": _PROJECTION, "notification_id": notification_id},
            ["name"],
        )

    def put_step(self, row: dict[str, Any]) -> None:
        _upsert(self.conn, tables.trace_steps, row, ["step_id"])

    def put_incident(self, incident: dict[str, Any], persons: list[dict[str, Any]]) -> None:
        """The latest revision's persons replace the earlier ones; an older revision arriving
        late changes nothing."""
        t = tables.incidents
        journal_number = incident["journal_number"]
        stored = self.conn.execute(
            select(t.c.revision).where(t.c.journal_number == journal_number)
        ).first()
        if stored is not None and int(stored[0]) > incident["revision"]:
            return
        _upsert(self.conn, t, incident, ["journal_number"])
        p = tables.incident_persons
        self.conn.execute(
            delete(p).where(
                p.c.journal_number == journal_number, p.c.revision < incident["revision"]
            )
        )
        for person in persons:
            _upsert(self.conn, p, person, ["journal_number", "person_key"])

    def put_routing(self, routing: dict[str, Any]) -> None:
        t = tables.routings
        stored = self.conn.execute(
            select(
                t.c.revision, t.c.decided_at_utc, t.c.decision_id, t.c.revises_decision_id
            ).where(
                t.c.journal_number == routing["journal_number"],
                t.c.person_key == routing["person_key"],
            )
        ).first()
        if stored is None or decision_wins(
            routing["revision"],
            routing["decided_at_utc"],
            int(stored[0]),
            str(stored[1]),
            new_replaces_current=stored[2] is not None
            and routing.get("revises_decision_id") == stored[2],
            current_replaces_new=stored[3] is not None and stored[3] == routing.get("decision_id"),
        ):
            _upsert(self.conn, t, routing, ["journal_number", "person_key"])

    def put_exit_referral(self, referral: dict[str, Any]) -> None:
        _upsert(self.conn, tables.exit_referrals, referral, ["journal_number", "person_key"])

    def withdraw_routing(self, journal_number: str, person_key: str, revision: int) -> None:
        """The person's decisions up to `revision` no longer stand."""
        t = tables.routings
        self.conn.execute(
            delete(t).where(
                t.c.journal_number == journal_number,
                t.c.person_key == person_key,
                t.c.revision < revision,
            )
        )

    def put_task_event(self, task: dict[str, Any]) -> None:
        t = tables.letter_tasks
        stored = self.conn.execute(
            select(
                t.c.status, t.c.status_at_utc, t.c.first_seen_at_utc, t.c.due_at, t.c.latest_at_utc
            ).where(t.c.task_id == task["task_id"])
        ).first()
        row = dict(
            task, first_seen_at_utc=task["status_at_utc"], latest_at_utc=task["status_at_utc"]
        )
        if stored is not None:
            status, status_at_utc, first_seen_at_utc, due_at, latest_at_utc = stored
            row["first_seen_at_utc"] = min(str(first_seen_at_utc), task["status_at_utc"])
            if latest_at_utc is not None and str(latest_at_utc) > task["status_at_utc"]:
                # An older event arriving late: the deadline an update set stays.
                row.update(due_at=due_at, latest_at_utc=latest_at_utc)
            if not task_status_wins(
                task["status"], task["status_at_utc"], cast(TaskStatus, status), str(status_at_utc)
            ):
                row.update(status=status, status_at_utc=status_at_utc)
        _upsert(self.conn, t, row, ["task_id"])


class ReadModels:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        if self._schema_is_older():
            # Read models are derived: an older layout is dropped and rebuilt from the log.
            with self.engine.begin() as conn:
                tables.metadata.drop_all(conn)
        tables.metadata.create_all(engine)

    def _schema_is_older(self) -> bool:
        inspector = inspect(self.engine)
        for table in tables.metadata.sorted_tables:
            if not inspector.has_table(table.name):
                continue
            present = {column["name"] for column in inspector.get_columns(table.name)}
            if not {column.name for column in table.columns} <= present:
                return True
        return False

    @contextmanager
    def transaction(self) -> Iterator[ViewWriter]:
        with self.engine.begin() as conn:
            yield ViewWriter(conn)

    def reset(self) -> None:
        """Drop and recreate every table (also picks up a changed schema); position 0."""
        with self.engine.begin() as conn:
            tables.metadata.drop_all(conn)
            tables.metadata.create_all(conn)

    def dispose(self) -> None:
        self.engine.dispose()
