"""The read models' writer runs its statements as the driver's SQL, compiled once, with the
parameters SQLAlchemy's bind processors would have made (writer.DriverStatement), rather than
through SQLAlchemy's per-row parameter processing. On SQLite and on PostgreSQL (psycopg, whose
compiled SQL casts every bind, `::JSON` included) it must write exactly the rows SQLAlchemy's
own path writes, and read exactly what it reads."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Table, Text, cast, select

from services.reporting.adapters.views import tables, writer
from services.reporting.adapters.views.database import views_engine
from services.reporting.adapters.views.writer import DriverStatement, ReadModels, Row
from services.reporting.bootstrap import build_application, build_read_side
from services.reporting.entrypoints.kafka import CONSUMERS
from services.reporting.settings import ReportingSettings
from tests.integration.test_reporting_step_store import _after, _before
from tests.unit.reporting.test_reporting_step_store import _inbound, _service, views

PK_A, PK_B = "pk_" + "a" * 32, "pk_" + "b" * 32
J1, J2 = "3700-80123-00456-26", "3700-80123-00457-26"


@pytest.fixture
def settings(store_url: str | None, tmp_path: Path) -> ReportingSettings:
    """Reporting on a SQLite file (the read models beside the store) or on PostgreSQL."""
    if store_url is None:
        return ReportingSettings(SSP_DATA_DIR=str(tmp_path))
    return ReportingSettings(SSP_DATABASE_URL=store_url, SSP_DATA_DIR=str(tmp_path))


@pytest.fixture
def read_models(settings: ReportingSettings) -> Iterator[ReadModels]:
    models = ReadModels(views_engine(settings))
    try:
        yield models
    finally:
        models.dispose()


def _routing(person_key: str, revision: int, **changes: Any) -> Row:
    return {
        "journal_number": J1,
        "person_key": person_key,
        "revision": revision,
        "route": "tovholder",
        "workflow": "tovholder",
        "severity": "high",
        # JSON: non-ASCII, quotes, an empty list below
        "reasons": ["gang_affiliation", 'særlig "grund"', "ø"],
        "decided_at_utc": "2026-11-16T07:12:03+00:00",
        "decision_id": f"decision-{person_key}-{revision}",
        "revises_decision_id": None,
        "decision_kind": "initial",
        "owner_role": "tovholder",
        "owner_team": "SSP Fredericia Øst",
        "district": None,
        "earlier_reports": 0,
        "repeat_in_window": False,
        "psp_ksp_handover": True,
    } | changes


# Two rounds per table: the first inserts, the second updates on conflict (and adds a row).
ROUNDS: dict[Table, tuple[list[Row], list[Row]]] = {
    tables.incidents: (
        [
            {
                "journal_number": J1,
                "revision": 1,
                "reported_at": "2026-11-16T08:00:00+01:00",
                "reported_at_utc": "2026-11-16T07:00:00+00:00",
                "iso_week": "2026-W47",
                "offence_code": "vold",
            }
        ],
        [
            {
                "journal_number": J1,
                "revision": 2,
                "reported_at": "2026-11-16T09:00:00+01:00",
                "reported_at_utc": "2026-11-16T08:00:00+00:00",
                "iso_week": "2026-W47",
                "offence_code": "tyveri",
            }
        ],
    ),
    tables.incident_persons: (
        [
            {
                "journal_number": J1,
                "person_key": key,
                "revision": 1,
                "position": position,
                "role": "suspect",
                "municipality_code": "607",
                "age_at_incident": 14 + position,
                "in_scope": position == 0,
                "school": "Skole Ø" if position == 0 else None,
            }
            for position, key in enumerate((PK_A, PK_B))
        ],
        [
            {
                "journal_number": J1,
                "person_key": PK_A,
                "revision": 2,
                "position": 0,
                "role": "victim",
                "municipality_code": "607",
                "age_at_incident": 26,
                "in_scope": False,
                "school": None,
            },
        ],
    ),
    tables.routings: (
        [_routing(PK_A, 1), _routing(PK_B, 1, reasons=[], repeat_in_window=None)],
        [
            _routing(PK_A, 2, reasons=["exit_referral"], repeat_in_window=True),
            # a decision made before profiles: none of their facts
            _routing(
                PK_B,
                2,
                owner_role=None,
                owner_team=None,
                earlier_reports=None,
                repeat_in_window=None,
                psp_ksp_handover=None,
            ),
        ],
    ),
    tables.exit_referrals: (
        [
            {
                "journal_number": J1,
                "person_key": PK_A,
                "referral_id": "r-1",
                "revision": 1,
                "referred_at_utc": "2026-11-16T07:00:00+00:00",
            }
        ],
        [
            {
                "journal_number": J1,
                "person_key": PK_A,
                "referral_id": "r-2",
                "revision": 2,
                "referred_at_utc": "2026-11-17T07:00:00+00:00",
            }
        ],
    ),
    tables.letter_tasks: (
        [
            {
                "task_id": "t-a",
                "journal_number": J1,
                "person_key": PK_A,
                "kind": "parent_letter",
                "due_at": "2026-11-19T16:00:00+01:00",
                "status": "open",
                "status_at_utc": "2026-11-16T07:00:00+00:00",
                "first_seen_at_utc": "2026-11-16T07:00:00+00:00",
                "latest_at_utc": None,
            }
        ],
        [
            {
                "task_id": "t-a",
                "journal_number": J1,
                "person_key": PK_A,
                "kind": "parent_letter",
                "due_at": "2026-11-21T08:00:00Z",
                "status": "completed",
                "status_at_utc": "2026-11-18T07:00:00+00:00",
                "first_seen_at_utc": "2026-11-16T07:00:00+00:00",
                "latest_at_utc": "2026-11-18T07:00:00+00:00",
            }
        ],
    ),
    tables.trace_steps: (
        [
            {
                "step_id": f"{n}:1",
                "journal_number": J1 if n else J2,
                "notification_id": n + 1,
                "at": "2026-11-16T08:12:03+01:00",
                "at_utc": "2026-11-16T07:12:03+00:00",
                "service": "triage",
                "step": "routed_tovholder",
                "person_key": PK_A if n else None,
                "revision": 1 if n else None,
                "detail": "tovholder, høj",
                "trace_id": "0" * 31 + "1" if n else None,
            }
            for n in range(3)
        ],
        [],
    ),
    tables.position: (
        [{"name": "views", "notification_id": 7}],
        [{"name": "views", "notification_id": 9}],
    ),
}


def _sqlalchemy_upsert_many(conn: Connection, table: Table, rows: Sequence[Row]) -> None:
    """What the writer ran before: SQLAlchemy's executemany, one per column set."""
    shapes: dict[tuple[str, ...], list[Row]] = {}
    for row in rows:
        shapes.setdefault(tuple(sorted(row)), []).append(row)
    for columns, same_shape in shapes.items():
        keys = writer._KEYS[table.name]
        conn.execute(writer._upsert_statement(conn.dialect.name, table, columns, keys), same_shape)


def _contents(conn: Connection) -> dict[str, list[Any]]:
    """Every table's rows as SQLAlchemy reads them, and the JSON column's stored text."""
    found: dict[str, list[Any]] = {
        table.name: sorted((tuple(row) for row in conn.execute(select(table))), key=repr)
        for table in tables.metadata.sorted_tables
    }
    found["reasons as stored"] = sorted(
        conn.execute(
            select(tables.routings.c.person_key, cast(tables.routings.c.reasons, Text))
        ).all()
    )
    return found


def _write(read_models: ReadModels, *, driver: bool) -> dict[str, list[Any]]:
    read_models.reset()
    for round_ in (0, 1):
        with read_models.engine.begin() as conn:
            if round_ == 1:
                person_deletes = [{"j": J1, "rev": 2}]
                routing_deletes = [{"j": J1, "pk": PK_B, "rev": 3}]
                if driver:
                    read_models.statements.execute_many(
                        conn, writer._DELETE_EARLIER_PERSONS, person_deletes
                    )
                    read_models.statements.execute_many(
                        conn, writer._DELETE_EARLIER_ROUTINGS, routing_deletes
                    )
                else:
                    conn.execute(writer._DELETE_EARLIER_PERSONS, person_deletes)
                    conn.execute(writer._DELETE_EARLIER_ROUTINGS, routing_deletes)
            for table, rounds in ROUNDS.items():
                rows = rounds[round_]
                if not rows:
                    continue
                if driver:
                    writer._upsert_many(
                        conn, read_models.statements, table, rows, writer._KEYS[table.name]
                    )
                else:
                    _sqlalchemy_upsert_many(conn, table, rows)
    with read_models.engine.connect() as conn:
        return _contents(conn)


def test_every_statement_compiles_to_the_drivers_sql(read_models: ReadModels) -> None:
    """None would mean SQLAlchemy's path runs it: correct, but the slow path."""
    dialect = read_models.engine.dialect
    for table in ROUNDS:
        columns = tuple(sorted(column.name for column in table.columns))
        statement = writer._upsert_statement(dialect.name, table, columns, writer._KEYS[table.name])
        assert DriverStatement.compile(dialect, statement, columns) is not None, table.name
    others = [writer._POSITION, writer._DELETE_EARLIER_PERSONS, writer._DELETE_EARLIER_ROUTINGS]
    others += [writer._stored(what, size) for what in writer._PREFETCHED for size in (1, 2, 512)]
    for statement in others:
        assert DriverStatement.compile(dialect, statement) is not None, str(statement)


def test_the_drivers_path_writes_what_sqlalchemys_path_writes(read_models: ReadModels) -> None:
    by_sqlalchemy = _write(read_models, driver=False)
    by_driver = _write(read_models, driver=True)
    assert by_driver == by_sqlalchemy
    # the rounds did what they say: updates, a delete, the JSON and boolean columns' values
    persons = {row[1]: row for row in by_driver[tables.incident_persons.name]}
    assert set(persons) == {PK_A} and persons[PK_A][2] == 2 and persons[PK_A][7] is False
    routings = {row[1]: row for row in by_driver[tables.routings.name]}
    assert routings[PK_A][2] == 2 and routings[PK_A][6] == ["exit_referral"]
    assert routings[PK_A][15] is True and routings[PK_B][11] is None
    assert by_driver[tables.position.name] == [("views", 9)]


def test_the_drivers_reads_are_sqlalchemys(read_models: ReadModels) -> None:
    _write(read_models, driver=True)
    with read_models.engine.connect() as conn:
        assert read_models.statements.fetch(conn, writer._POSITION, {"name": "views"}) == [(9,)]
        for what in writer._PREFETCHED:
            for journals in ([J1], [J2, J1, J1, J1], [J2]):
                parameters = {f"j{i}": journal for i, journal in enumerate(journals)}
                statement = writer._stored(what, len(journals))
                expected = [tuple(row) for row in conn.execute(statement, parameters)]
                found = [
                    tuple(row) for row in read_models.statements.fetch(conn, statement, parameters)
                ]
                assert sorted(found, key=repr) == sorted(expected, key=repr)
                assert bool(found) == (J1 in journals), what


def test_the_projection_builds_the_same_read_models_on_either_path(
    settings: ReportingSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = build_application(settings)
    try:
        service = _service(settings, app)
        CONSUMERS.batch_handler(service)(_inbound(settings, _before(), 1))
        CONSUMERS.batch_handler(service)(_inbound(settings, _after(), 100))
        projection, _ = build_read_side(settings, app)
        try:
            assert projection.rebuild() > 0
            by_driver = views(projection)
            # Every statement then goes SQLAlchemy's way, as before.
            monkeypatch.setattr(DriverStatement, "compile", classmethod(lambda *_: None))
            projection.views.statements = writer.DriverStatements(projection.views.engine.dialect)
            projection.rebuild()
            by_sqlalchemy = views(projection)
        finally:
            projection.views.dispose()
        assert by_driver == by_sqlalchemy
        assert by_driver[tables.routings.name] and by_driver[tables.letter_tasks.name]
    finally:
        app.close()
