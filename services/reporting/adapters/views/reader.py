"""Reads of the read models, for the HTTP queries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Engine, FromClause, and_, func, select

from services.reporting.adapters.views import tables


def _same_person(table: FromClause, person: FromClause) -> ColumnElement[bool]:
    """`table`'s row of the same person in the same incident as `person`'s (both keyed by
    journal number and person key)."""
    return and_(
        table.c.journal_number == person.c.journal_number,
        table.c.person_key == person.c.person_key,
    )


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

    def journals_of(self, person_key: str) -> list[str]:
        """The journal numbers with a step about the person (for the erasure's trace step)."""
        t = tables.trace_steps
        statement = select(t.c.journal_number).where(t.c.person_key == person_key).distinct()
        with self.engine.connect() as conn:
            return sorted(str(row[0]) for row in conn.execute(statement))

    def person_timeline(self, person_key: str) -> list[dict[str, Any]]:
        """Every row of the person's timeline, in time order (then as recorded)."""
        t = tables.person_timeline
        statement = (
            select(t)
            .where(t.c.person_key == person_key)
            .order_by(t.c.at_utc, t.c.notification_id, t.c.row_id)
        )
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(statement)]

    def persons_of_year(self, municipality_code: str, year: int) -> list[str]:
        """The in-scope persons of the municipality in police reports of the year (the year of
        the police's own registration time): the review's population."""
        i, p = tables.incidents, tables.incident_persons
        statement = (
            select(p.c.person_key)
            .distinct()
            .join(i, i.c.journal_number == p.c.journal_number)
            .where(
                p.c.municipality_code == municipality_code,
                p.c.in_scope.is_(True),
                i.c.reported_at.like(f"{year:04d}-%"),
            )
        )
        with self.engine.connect() as conn:
            return sorted(str(row[0]) for row in conn.execute(statement))

    def persons_registered(self, municipality_code: str, iso_week: str) -> list[dict[str, Any]]:
        """Persons of the municipality in incidents reported that week, with their latest
        routing (if any), in meeting order."""
        i, p, r = tables.incidents, tables.incident_persons, tables.routings
        x = tables.exit_referrals
        c = tables.confirmations
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
                r.c.owner_role,
                r.c.owner_team,
                r.c.district,
                r.c.earlier_reports,
                r.c.repeat_in_window,
                r.c.psp_ksp_handover,
                x.c.referral_id.label("exit_referral_id"),
                r.c.decision_id,
                c.c.revision.label("confirmed_revision"),
                c.c.decision_id.label("confirmed_decision_id"),
            )
            .join(p, p.c.journal_number == i.c.journal_number)
            .outerjoin(r, _same_person(r, p))
            .outerjoin(x, _same_person(x, p))
            .outerjoin(c, _same_person(c, p))
            .where(i.c.iso_week == iso_week, p.c.municipality_code == municipality_code)
            .order_by(i.c.reported_at_utc, i.c.journal_number, p.c.position)
        )
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(statement)]

    def registration_counts(
        self, municipality_code: str, iso_week: str
    ) -> list[tuple[bool, str | None, str | None, str, int]]:
        """How many of the persons `persons_registered` lists share each (in scope, route,
        severity, offence code): counted by the database, not row by row."""
        i, p, r = tables.incidents, tables.incident_persons, tables.routings
        statement = (
            select(p.c.in_scope, r.c.route, r.c.severity, i.c.offence_code, func.count())
            .select_from(i)
            .join(p, p.c.journal_number == i.c.journal_number)
            .outerjoin(r, _same_person(r, p))
            .where(i.c.iso_week == iso_week, p.c.municipality_code == municipality_code)
            .group_by(p.c.in_scope, r.c.route, r.c.severity, i.c.offence_code)
        )
        with self.engine.connect() as conn:
            return [
                (bool(in_scope), route, severity, offence, count)
                for in_scope, route, severity, offence, count in conn.execute(statement)
            ]

    def clock_facts(
        self, municipality_code: str | None, iso_week: str | None, journal_number: str | None
    ) -> list[dict[str, Any]]:
        """What the clocks of issue 16 read, per person: the registration, intake's acceptance,
        the decision and the letter task's status and time. One municipality's week, or one
        journal number."""
        i, p, r, t = tables.incidents, tables.incident_persons, tables.routings, tables.letter_tasks
        statement = (
            select(
                i.c.journal_number,
                p.c.person_key,
                p.c.in_scope,
                p.c.municipality_code,
                i.c.reported_at_utc,
                i.c.accepted_at_utc,
                r.c.decided_at_utc,
                r.c.route,
                r.c.severity,
                t.c.status.label("task_status"),
                t.c.status_at_utc.label("task_status_at_utc"),
                t.c.due_at,
            )
            .select_from(i)
            .join(p, p.c.journal_number == i.c.journal_number)
            .outerjoin(r, _same_person(r, p))
            .outerjoin(t, _same_person(t, p))
        )
        if journal_number is not None:
            statement = statement.where(i.c.journal_number == journal_number)
        else:
            statement = statement.where(
                i.c.iso_week == iso_week, p.c.municipality_code == municipality_code
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

    def concerns_of(self, person_key: str) -> list[dict[str, Any]]:
        """The concerns about a person, most recent first (every municipality's)."""
        c = tables.person_concerns
        statement = (
            select(c)
            .where(c.c.person_key == person_key)
            .order_by(c.c.registered_at_utc.desc(), c.c.concern_id)
        )
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(statement)]

    def registrations_with_others(self, person_key: str) -> list[dict[str, Any]]:
        """Every incident (its latest revision) the person is registered in, each joined with
        every other person registered in it (other_person_key None when the person was alone):
        journal_number, reported_at, reported_at_utc, municipality_code (the person's),
        other_person_key, other_municipality_code, other_role."""
        i = tables.incidents
        mine = tables.incident_persons.alias("mine")
        other = tables.incident_persons.alias("other")
        statement = (
            select(
                mine.c.journal_number,
                i.c.reported_at,
                i.c.reported_at_utc,
                mine.c.municipality_code,
                other.c.person_key.label("other_person_key"),
                other.c.municipality_code.label("other_municipality_code"),
                other.c.role.label("other_role"),
            )
            .join(i, i.c.journal_number == mine.c.journal_number)
            .outerjoin(
                other,
                and_(
                    other.c.journal_number == mine.c.journal_number,
                    other.c.person_key != mine.c.person_key,
                ),
            )
            .where(mine.c.person_key == person_key)
            .order_by(i.c.reported_at_utc, mine.c.journal_number, other.c.position)
        )
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(statement)]
