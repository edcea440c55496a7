"""The read models are written in batches (writer.py stages rows and reads the rules' inputs
from one prefetch per batch). Property: whatever the messages and their order, projecting them
in one batch gives exactly the tables that projecting them one event per transaction gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select

from services.reporting.adapters.views import tables
from services.reporting.application.projection import Projection
from services.reporting.bootstrap import build_application, build_read_side, build_service
from services.reporting.entrypoints.kafka import CONSUMERS
from services.reporting.settings import ReportingSettings
from shared.contracts import (
    INTAKE_INCIDENTS,
    LETTER_TASKS,
    TRIAGE_CASEWORKER,
    TRIAGE_EXIT_REFERRALS,
    TRIAGE_TOVHOLDER,
    TRIAGE_WITHDRAWALS,
)
from tests.unit.reporting.documents import (
    FREDERICIA,
    accepted_incident,
    exit_referral,
    letter_task,
    person,
    relayed,
    routing_decision,
)

JOURNALS = ("3700-80123-00456-26", "3700-80123-00457-26")
PERSONS = ("pk_" + "a" * 32, "pk_" + "b" * 32, "pk_" + "c" * 32)
TIMES = ("2026-11-16T08:12:03+01:00", "2026-11-16T09:00:00+01:00", "2026-11-17T10:00:00+01:00")

journals = st.sampled_from(JOURNALS)
persons = st.sampled_from(PERSONS)
revisions = st.integers(min_value=1, max_value=3)
times = st.sampled_from(TIMES)


@st.composite
def incidents(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    listed = draw(st.lists(persons, min_size=1, max_size=3, unique=True))
    doc = accepted_incident(
        [person(key, draw(st.integers(10, 17))) for key in listed],
        journal_number=draw(journals),
        revision=draw(revisions),
    )
    return INTAKE_INCIDENTS, doc


@st.composite
def decisions(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    route = draw(st.sampled_from(["tovholder", "caseworker"]))
    key, journal = draw(persons), draw(journals)
    doc = routing_decision(
        key, route, decided_at=draw(times), revision=draw(revisions), journal_number=journal
    )
    if draw(st.booleans()):
        earlier = routing_decision(
            key, "tovholder", decided_at=TIMES[0], revision=doc["revision"], journal_number=journal
        )
        doc |= {
            "decision_id": f"{doc['decision_id']}-handover",
            "decision_kind": "handover",
            "revises_decision_id": earlier["decision_id"],
        }
    topic = TRIAGE_TOVHOLDER if route == "tovholder" else TRIAGE_CASEWORKER
    return topic, doc


@st.composite
def withdrawals(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    key, journal, revision = draw(persons), draw(journals), draw(revisions)
    return TRIAGE_WITHDRAWALS, {
        "withdrawal_id": f"withdrawal-{journal}-{key}-{revision}",
        "decision_id": f"decision-{key}-{revision - 1}-tovholder",
        "journal_number": journal,
        "revision": revision,
        "person_key": key,
        "municipality_code": FREDERICIA,
        "reason": "person_removed_from_incident",
        "withdrawn_at": draw(times),
    }


@st.composite
def task_events(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    key, journal = draw(persons), draw(journals)
    doc = letter_task(
        key,
        draw(st.sampled_from(["created", "updated", "completed", "cancelled", "overdue"])),
        at=draw(times),
        task_id=f"task-{journal}-{key}",
        journal_number=journal,
    )
    doc["due_at"] = draw(st.sampled_from(["2026-11-19T16:00:00+01:00", "2026-11-21T08:00:00Z"]))
    return LETTER_TASKS, doc


@st.composite
def referrals(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    return TRIAGE_EXIT_REFERRALS, exit_referral(draw(persons), journal_number=draw(journals))


messages = st.lists(
    st.one_of(incidents(), decisions(), withdrawals(), task_events(), referrals()),
    min_size=1,
    max_size=25,
)


def _tables(projection: Projection) -> dict[str, list[tuple[Any, ...]]]:
    with projection.views.engine.connect() as conn:
        return {
            table.name: sorted(
                (tuple(str(v) for v in row) for row in conn.execute(select(table))), key=str
            )
            for table in tables.metadata.sorted_tables
            if table is not tables.position
        }


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sent=messages)
@example(  # a later revision drops a person: their row of the earlier one goes
    sent=[
        (INTAKE_INCIDENTS, accepted_incident([person(PERSONS[0], 14), person(PERSONS[1], 15)])),
        (INTAKE_INCIDENTS, accepted_incident([person(PERSONS[0], 14)], revision=2)),
    ]
)
@example(  # a decision withdrawn by a later revision, in the same batch
    sent=[
        (TRIAGE_TOVHOLDER, routing_decision(PERSONS[0], "tovholder", decided_at=TIMES[0])),
        (
            TRIAGE_WITHDRAWALS,
            {
                "withdrawal_id": "w",
                "decision_id": f"decision-{PERSONS[0]}-1-tovholder",
                "journal_number": JOURNALS[0],
                "revision": 2,
                "person_key": PERSONS[0],
                "municipality_code": FREDERICIA,
                "reason": "person_removed_from_incident",
                "withdrawn_at": TIMES[1],
            },
        ),
    ]
)
def test_one_batch_writes_what_one_event_at_a_time_writes(
    tmp_path: Path, sent: list[tuple[str, dict[str, Any]]]
) -> None:
    reporting = ReportingSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path))
    app = build_application(reporting)
    try:
        service = build_service(reporting, app)
        CONSUMERS.batch_handler(service)(relayed(reporting, sent))
        one_by_one, _ = build_read_side(reporting, app)
        one_by_one.batch_size = 1
        batched, _ = build_read_side(reporting, app)
        assert one_by_one.catch_up() == batched.catch_up()
        assert _tables(batched) == _tables(one_by_one)
    finally:
        app.close()


def _person_row(journal: str, key: str, revision: int, position: int) -> dict[str, Any]:
    return {
        "journal_number": journal,
        "person_key": key,
        "revision": revision,
        "position": position,
        "role": "sigtet",
        "municipality_code": FREDERICIA,
        "age_at_incident": 14,
        "in_scope": True,
        "school": None,
    }


def _incident_row(journal: str, revision: int) -> dict[str, Any]:
    return {
        "journal_number": journal,
        "revision": revision,
        "reported_at": TIMES[0],
        "reported_at_utc": "2026-11-16T07:12:03.000000+00:00",
        "iso_week": "2026-W47",
        "offence_code": "butikstyveri",
    }


def test_earlier_persons_are_deleted_only_where_an_incident_is_stored(tmp_path: Path) -> None:
    """A journal number without a stored incident has no stored persons: no DELETE is run for
    it. One flushed within the transaction is stored: a later revision's DELETE runs."""
    reporting = ReportingSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path))
    app = build_application(reporting)
    try:
        _check_deletes(build_read_side(reporting, app)[0])
    finally:
        app.close()


def _check_deletes(projection: Projection) -> None:
    views = projection.views
    deletes: list[Any] = []

    def record_deletes(
        conn: Any, clauseelement: Any, multiparams: Any, params: Any, options: Any
    ) -> None:
        if getattr(clauseelement, "is_delete", False):
            deletes.append(list(multiparams[0]) if multiparams else [params])

    event.listen(views.engine, "before_execute", record_deletes)
    journal = JOURNALS[0]
    with views.transaction() as writer:
        writer.put_incident(
            _incident_row(journal, 1),
            [_person_row(journal, PERSONS[0], 1, 0), _person_row(journal, PERSONS[1], 1, 1)],
        )
        writer.put_incident(_incident_row(journal, 2), [_person_row(journal, PERSONS[0], 2, 0)])
        writer.flush()
        assert deletes == []
        writer.put_incident(_incident_row(journal, 3), [_person_row(journal, PERSONS[2], 3, 0)])
    assert deletes == [[{"j": journal, "rev": 3}]]
    with views.engine.connect() as conn:
        stored = conn.execute(
            select(tables.incident_persons.c.person_key, tables.incident_persons.c.revision)
        ).all()
    assert [tuple(row) for row in stored] == [(PERSONS[2], 3)]
