"""An erased person leaves the read models (issue 18): every row with their person key, and
their entry in the facts of their incidents' trace steps, every revision's (the other persons
stay)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, Table, delete, select, union, update

from services.reporting.adapters.views import tables


def forget_person(conn: Connection, person_key: str, person_tables: Sequence[Table]) -> None:
    persons, timeline = tables.incident_persons, tables.person_timeline
    # Every journal that named them: a later revision may have left them out of the incident
    # (and its persons' table), not out of the earlier revision's step.
    journals = union(
        select(persons.c.journal_number).where(persons.c.person_key == person_key),
        select(timeline.c.journal_number).where(
            timeline.c.person_key == person_key, timeline.c.journal_number.is_not(None)
        ),
    )
    steps = tables.trace_steps
    for step_id, facts in conn.execute(
        select(steps.c.step_id, steps.c.facts).where(steps.c.journal_number.in_(journals))
    ):
        if facts and isinstance(facts.get("persons"), list):
            kept = [p for p in facts["persons"] if p.get("person_key") != person_key]
            if len(kept) != len(facts["persons"]):
                conn.execute(
                    update(steps)
                    .where(steps.c.step_id == step_id)
                    .values(facts={**facts, "persons": kept})
                )
    for table in person_tables:
        conn.execute(delete(table).where(table.c.person_key == person_key))
