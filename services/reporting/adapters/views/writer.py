"""Writes to the read models, all of them idempotent: applying the same event twice, or
replaying the whole log, leaves the tables as applying it once did."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, bindparam, delete, inspect, select
from sqlalchemy.dialects import postgresql, sqlite

from services.reporting.adapters.views import tables
from services.reporting.adapters.views.erasure import forget_person
from services.reporting.domain.handover import TaskStatus, decision_wins, task_status_wins

_PROJECTION = "views"

Row = dict[str, Any]


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


def _upsert_many(
    conn: Connection, table: Table, rows: Sequence[Row], keys: tuple[str, ...]
) -> None:
    """One statement per column set, executed once for all its rows."""
    # Grouped by the keys in their order first (the rules build each kind of row alike), then
    # by column set: sorting each row's keys cost more than the grouping.
    in_order: dict[tuple[str, ...], list[Row]] = {}
    for row in rows:
        in_order.setdefault(tuple(row), []).append(row)
    shapes: dict[tuple[str, ...], list[Row]] = {}
    for keys_in_order, same_keys in in_order.items():
        shapes.setdefault(tuple(sorted(keys_in_order)), []).extend(same_keys)
    for columns, same_shape in shapes.items():
        conn.execute(_upsert_statement(conn.dialect.name, table, columns, keys), same_shape)


_KEYS: dict[str, tuple[str, ...]] = {
    tables.position.name: ("name",),
    tables.trace_steps.name: ("step_id",),
    tables.person_timeline.name: ("row_id",),
    tables.incidents.name: ("journal_number",),
    tables.incident_persons.name: ("journal_number", "person_key"),
    tables.routings.name: ("journal_number", "person_key"),
    tables.exit_referrals.name: ("journal_number", "person_key"),
    tables.confirmations.name: ("journal_number", "person_key"),
    tables.letter_tasks.name: ("task_id",),
    tables.person_concerns.name: ("concern_id",),
}
# Flushed in this order, so an incident row exists before anything that refers to it.
_FLUSH_ORDER = (
    tables.incidents,
    tables.incident_persons,
    tables.routings,
    tables.exit_referrals,
    tables.confirmations,
    tables.letter_tasks,
    tables.person_concerns,
    tables.trace_steps,
    tables.person_timeline,
    tables.position,
)


class ViewWriter:
    """One read-model transaction; the projection's position is saved in it too.

    Writes are staged and flushed together when the transaction ends (one statement per table
    and column set instead of several per event), and what the rules read back — the stored
    revision of an incident, the current routing of a person, a task's status — comes from
    what `prefetch` loaded for the batch's journal numbers, or what this transaction staged.
    The result is exactly that of applying the events one by one."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._staged: dict[str, dict[tuple[Any, ...], Row]] = {t.name: {} for t in _FLUSH_ORDER}
        self._staged_steps = self._staged[tables.trace_steps.name]
        # What the database holds (or will, after the flush), by key; None: known absent.
        self._incidents: dict[str, int | None] = {}
        # The journal numbers whose incident the database holds: only these can have persons
        # there for a later revision to delete.
        self._incidents_stored: set[str] = set()
        self._routings: dict[tuple[str, str], Row | None] = {}
        self._tasks: dict[str, Row | None] = {}
        self._loaded_journals: set[str] = set()
        # The keys of the persons staged for each journal number (put_incident replaces them).
        self._staged_persons: dict[str, list[tuple[Any, ...]]] = {}
        # journal → revision: its persons of lower revisions go (the highest revision put in
        # the transaction; revisions put only grow); (journal, person, revision): routings of
        # lower revisions go. Run before the staged rows are written.
        self._person_deletes: dict[str, int] = {}
        self._routing_deletes: list[tuple[str, str, int]] = []

    # --- reads for the rules ------------------------------------------------------------
    def prefetch(self, journal_numbers: set[str]) -> None:
        """Load what the rules need for these journal numbers in three queries."""
        wanted = sorted(journal_numbers - self._loaded_journals)
        if not wanted:
            return
        for start in range(0, len(wanted), _MOST_JOURNALS):
            chunk = wanted[start : start + _MOST_JOURNALS]
            for journal_number in chunk:
                self._incidents.setdefault(journal_number, None)
            journals = {"journals": chunk}
            for journal_number, revision in self.conn.execute(_STORED_INCIDENTS, journals):
                self._incidents[journal_number] = int(revision)
                self._incidents_stored.add(journal_number)
            for values in self.conn.execute(_STORED_ROUTINGS, journals):
                routing = dict(zip(_ROUTING_RULE_NAMES, values, strict=True))
                key = (routing["journal_number"], routing["person_key"])
                self._routings.setdefault(key, routing)
            for values in self.conn.execute(_STORED_TASKS, journals):
                task = dict(zip(_TASK_RULE_NAMES, values, strict=True))
                self._tasks.setdefault(task["task_id"], task)
        self._loaded_journals.update(wanted)

    def _stored_incident_revision(self, journal_number: str) -> int | None:
        if journal_number not in self._incidents:
            self.prefetch({journal_number})
        return self._incidents[journal_number]

    def _stored_routing(self, journal_number: str, person_key: str) -> Row | None:
        if journal_number not in self._loaded_journals:
            self.prefetch({journal_number})
        return self._routings.get((journal_number, person_key))

    def _stored_task(self, task: Row) -> Row | None:
        # A task belongs to one journal number for good: loading the journal loads the task.
        if task["journal_number"] not in self._loaded_journals:
            self.prefetch({task["journal_number"]})
        return self._tasks.get(task["task_id"])

    def _stage(self, table: Table, row: Row) -> None:
        names = _KEYS[table.name]
        key = (row[names[0]],) if len(names) == 1 else tuple([row[name] for name in names])
        staged = self._staged[table.name]
        if key in staged:
            # Later values win; columns only the earlier row set stay set.
            staged[key] = {**staged[key], **row}
        else:
            staged[key] = dict(row)

    # --- writes ---------------------------------------------------------------------------
    def position(self) -> int:
        stored = self.conn.execute(_POSITION, {"name": _PROJECTION}).scalar()
        return int(stored) if stored is not None else 0

    def set_position(self, notification_id: int) -> None:
        self._stage(tables.position, {"name": _PROJECTION, "notification_id": notification_id})

    def put_step(self, row: Row) -> None:
        # `_stage` for the table every event writes to, keyed by its one key column.
        key = (row["step_id"],)
        staged = self._staged_steps
        if key in staged:
            staged[key] = {**staged[key], **row}
        else:
            staged[key] = dict(row)

    def put_person_step(self, row: Row) -> None:
        """A row of a person's timeline: the same step applied again overwrites it."""
        self._stage(tables.person_timeline, row)

    def put_concern(self, concern: Row) -> None:
        """A concern about a person (issue 15, part 5): one row per concern id."""
        self._stage(tables.person_concerns, concern)

    def put_incident(self, incident: Row, persons: list[Row]) -> None:
        """The latest revision's persons replace the earlier ones; an older revision arriving
        late changes nothing."""
        journal_number = incident["journal_number"]
        revision = incident["revision"]
        stored = self._stored_incident_revision(journal_number)
        if stored is not None and stored > revision:
            return
        self._stage(tables.incidents, incident)
        self._incidents[journal_number] = revision
        staged_persons = self._staged[tables.incident_persons.name]
        staged_keys = self._staged_persons.setdefault(journal_number, [])
        for key in staged_keys:
            if key in staged_persons and staged_persons[key]["revision"] < revision:
                del staged_persons[key]
        if journal_number in self._incidents_stored:
            # A journal without a stored incident has no stored persons.
            self._person_deletes[journal_number] = max(
                revision, self._person_deletes.get(journal_number, revision)
            )
        for person in persons:
            self._stage(tables.incident_persons, person)
            staged_keys.append((journal_number, person["person_key"]))

    def put_routing(self, routing: Row) -> None:
        key = (routing["journal_number"], routing["person_key"])
        stored = self._stored_routing(*key)
        if stored is None or decision_wins(
            routing["revision"],
            routing["decided_at_utc"],
            int(stored["revision"]),
            str(stored["decided_at_utc"]),
            new_replaces_current=stored["decision_id"] is not None
            and routing.get("revises_decision_id") == stored["decision_id"],
            current_replaces_new=stored["revises_decision_id"] is not None
            and stored["revises_decision_id"] == routing.get("decision_id"),
        ):
            self._stage(tables.routings, routing)
            self._routings[key] = {
                "journal_number": key[0],
                "person_key": key[1],
                "revision": routing["revision"],
                "decided_at_utc": routing["decided_at_utc"],
                "decision_id": routing.get("decision_id"),
                "revises_decision_id": routing.get("revises_decision_id"),
            }

    def put_exit_referral(self, referral: Row) -> None:
        self._stage(tables.exit_referrals, referral)

    def put_confirmation(self, confirmation: Row) -> None:
        """A later revision confirmed the person's decision: statements of one person come in
        order (one topic, keyed by the person), so the latest put wins."""
        self._stage(tables.confirmations, confirmation)

    def withdraw_routing(self, journal_number: str, person_key: str, revision: int) -> None:
        """The person's decisions up to `revision` no longer stand."""
        key = (journal_number, person_key)
        stored = self._stored_routing(journal_number, person_key)
        if stored is not None and int(stored["revision"]) < revision:
            self._routings[key] = None
            self._staged[tables.routings.name].pop(key, None)
        self._routing_deletes.append((journal_number, person_key, revision))

    def put_task_event(self, task: Row) -> None:
        stored = self._stored_task(task)
        row = dict(
            task,
            first_seen_at_utc=task["status_at_utc"],
            latest_at_utc=task["status_at_utc"],
            waiver_reason=task.get("waiver_reason"),
        )
        if stored is not None:
            row["first_seen_at_utc"] = min(str(stored["first_seen_at_utc"]), task["status_at_utc"])
            latest_at_utc = stored["latest_at_utc"]
            if latest_at_utc is not None and str(latest_at_utc) > task["status_at_utc"]:
                # An older event arriving late: the deadline an update set stays.
                row.update(due_at=stored["due_at"], latest_at_utc=latest_at_utc)
            if not task_status_wins(
                task["status"],
                task["status_at_utc"],
                cast(TaskStatus, stored["status"]),
                str(stored["status_at_utc"]),
            ):
                row.update(
                    status=stored["status"],
                    status_at_utc=stored["status_at_utc"],
                    waiver_reason=stored["waiver_reason"],
                )
        self._stage(tables.letter_tasks, row)
        self._tasks[task["task_id"]] = {name: row.get(name) for name in _TASK_RULE_NAMES}

    def forget_person(self, person_key: str) -> None:
        """Delete every row about an erased person (what is staged is written first)."""
        self.flush()
        forget_person(self.conn, person_key, _PERSON_TABLES)
        # What the rules read back is loaded again for the journals that follow.
        self._routings.clear()
        self._tasks.clear()
        self._loaded_journals.clear()

    # --- the end of the transaction ---------------------------------------------------------
    def flush(self) -> None:
        if self._person_deletes:
            self.conn.execute(
                _DELETE_EARLIER_PERSONS,
                [{"j": j, "rev": rev} for j, rev in self._person_deletes.items()],
            )
        if self._routing_deletes:
            self.conn.execute(
                _DELETE_EARLIER_ROUTINGS,
                [{"j": j, "pk": pk, "rev": rev} for j, pk, rev in self._routing_deletes],
            )
        for table in _FLUSH_ORDER:
            staged = self._staged[table.name]
            if staged:
                _upsert_many(self.conn, table, list(staged.values()), _KEYS[table.name])
        self._person_deletes.clear()
        for (journal_number,) in self._staged[tables.incidents.name]:
            self._incidents_stored.add(journal_number)
        self._routing_deletes.clear()
        for staged in self._staged.values():
            staged.clear()
        self._staged_persons.clear()


_ROUTING_RULE_NAMES = (
    "journal_number",
    "person_key",
    "revision",
    "decided_at_utc",
    "decision_id",
    "revises_decision_id",
)
_TASK_RULE_NAMES = (
    "task_id",
    "status",
    "status_at_utc",
    "first_seen_at_utc",
    "due_at",
    "latest_at_utc",
    "waiver_reason",
)
# What `position`, `flush` and `prefetch` run, built once: building them again for every
# batch cost more than a small batch's queries.
_POSITION = select(tables.position.c.notification_id).where(
    tables.position.c.name == bindparam("name")
)
_DELETE_EARLIER_PERSONS = delete(tables.incident_persons).where(
    tables.incident_persons.c.journal_number == bindparam("j"),
    tables.incident_persons.c.revision < bindparam("rev"),
)
_DELETE_EARLIER_ROUTINGS = delete(tables.routings).where(
    tables.routings.c.journal_number == bindparam("j"),
    tables.routings.c.person_key == bindparam("pk"),
    tables.routings.c.revision < bindparam("rev"),
)
_PERSON_TABLES = tuple(t for t in _FLUSH_ORDER if "person_key" in t.c)
"""Every table with a row per person: an erased person's rows go (issue 18)."""
_MOST_JOURNALS = 512
"""Journal numbers per prefetch query (SQLite binds each one)."""


def _prefetch(table: Table, names: tuple[str, ...]) -> Any:
    """What `prefetch` reads of `table` for a list of journal numbers (`journals`)."""
    return select(*(table.c[name] for name in names)).where(
        table.c.journal_number.in_(bindparam("journals", expanding=True))
    )


_STORED_INCIDENTS = _prefetch(tables.incidents, ("journal_number", "revision"))
_STORED_ROUTINGS = _prefetch(tables.routings, _ROUTING_RULE_NAMES)
_STORED_TASKS = _prefetch(tables.letter_tasks, _TASK_RULE_NAMES)


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
            writer = ViewWriter(conn)
            yield writer
            writer.flush()

    def reset(self) -> None:
        """Drop and recreate every table (also picks up a changed schema); position 0."""
        with self.engine.begin() as conn:
            tables.metadata.drop_all(conn)
            tables.metadata.create_all(conn)

    def dispose(self) -> None:
        self.engine.dispose()
