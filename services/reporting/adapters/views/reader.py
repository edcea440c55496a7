"""Reads of the read models, for the HTTP queries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Engine, and_, select

from services.reporting.adapters.views import tables


class ViewReader:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def trace_steps(self, journal_number: str) -> list[dict[str, Any]]:
        t = tables.trace_steps
        statement = (
            select(t)
            .where(t.c.journal_number == journal_number)
            .order_by(t.c.at_utc, t.c.notification_id)
        )
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(statement)]

    def persons_registered(self, municipality_code: str, iso_week: str) -> list[dict[str, Any]]:
        """Persons of the municipality in incidents reported that week, with their latest
        routing (if any), in meeting order."""
        i, p, r = tables.incidents, tables.incident_persons, tables.routings
        statement = (
            select(
                i.c.journal_number,
                i.c.revision.label("incident_revision"),
                i.c.reported_at,
                i.c.offence_code,
                p.c.person_key,
                p.c.role,
                p.c.age_at_incident,
                p.c.in_scope,
                p.c.school,
                r.c.revision.label("decision_revision"),
                r.c.route,
                r.c.workflow,
                r.c.severity,
                r.c.reasons,
                r.c.decision_kind,
            )
            .join(p, p.c.journal_number == i.c.journal_number)
            .outerjoin(
                r,
                and_(r.c.journal_number == p.c.journal_number, r.c.person_key == p.c.person_key),
            )
            .where(i.c.iso_week == iso_week, p.c.municipality_code == municipality_code)
            .order_by(i.c.reported_at_utc, i.c.journal_number, p.c.position)
        )
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(statement)]

    def latest_tasks(self, journal_numbers: Iterable[str]) -> dict[tuple[str, str], dict[str, Any]]:
        """The newest letter task of each (journal number, person)."""
        numbers = sorted(set(journal_numbers))
        if not numbers:
            return {}
        t = tables.letter_tasks
        statement = (
            select(t)
            .where(t.c.journal_number.in_(numbers))
            .order_by(t.c.first_seen_at_utc, t.c.task_id)
        )
        latest: dict[tuple[str, str], dict[str, Any]] = {}
        with self.engine.connect() as conn:
            for row in conn.execute(statement):
                task = dict(row._mapping)
                latest[(task["journal_number"], task["person_key"])] = task
        return latest
