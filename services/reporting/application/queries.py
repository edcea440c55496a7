"""The questions the read models answer: the weekly handover list, its aggregate counts, and a
journal's trace, each scoped to the caller by the access policy (shared/auth/policy.py).

Scoping happens here, on every record, so no entry point can forget it: a row is returned only
when the policy lets the caller see it, and fields the caller may not see are emptied."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, cast

from pydantic import BaseModel
from sqlalchemy import select

from services.reporting.adapters.views import tables
from services.reporting.adapters.views.reader import ViewReader
from services.reporting.domain.handover import LetterStatus, Route, TaskStatus, letter_status
from services.reporting.domain.weeks import IsoWeek
from shared.auth import Action, DataKind, Decision, Principal, Resource, Visibility, decide

OUT_OF_SCOPE_REASON = "age_out_of_scope"
SMALLEST_SHOWN_COUNT = 3
"""Aggregate cells below this are suppressed: a count of one or two can identify a child."""


class HandoverEntry(BaseModel):
    journal_number: str
    revision: int
    reported_at: str
    person_key: str
    role: str
    age_at_incident: int
    offence_code: str
    route: Route | None
    """None while triage has not routed an in-scope person yet, and for callers who may not
    see social services' involvement (the police)."""
    severity: str | None
    workflow: str | None
    owner_role: str | None
    letter_task_status: LetterStatus | None
    """None for callers who may not see social services' involvement."""
    letter_kind: str | None
    due_at: str | None
    reasons: list[str]
    decision_kind: str | None = None
    """initial, revised (a higher revision changed the decision) or handover (a case was
    opened after tovholder routing); None while not routed and for callers who may not see
    social services' involvement."""


class HandoverList(BaseModel):
    municipality_code: str
    iso_week: str
    persons: list[HandoverEntry]


class CountCell(BaseModel):
    value: str
    count: int | None
    """None when fewer than SMALLEST_SHOWN_COUNT persons (suppressed)."""


class HandoverStatistics(BaseModel):
    """Aggregates only: for management and the district groups (no person keys)."""

    municipality_code: str
    iso_week: str
    persons: int
    by_route: list[CountCell]
    by_severity: list[CountCell]
    by_offence: list[CountCell]
    suppressed_below: int = SMALLEST_SHOWN_COUNT


class TraceStep(BaseModel):
    at: str
    service: str
    step: str
    person_key: str | None
    revision: int | None
    detail: str
    trace_id: str | None


class Trace(BaseModel):
    journal_number: str
    steps: list[TraceStep]


@dataclass(frozen=True)
class TraceAnswer:
    known: bool
    """Anything is known about the journal number."""
    decision: Decision
    """Whether the caller may see the journal at all (any person of their municipality)."""
    trace: Trace | None = None
    """What the caller may see of it; None unless known and allowed."""


_NOTHING_KNOWN = TraceAnswer(known=False, decision=Decision(False, "not_found"))


class ReportingQueries:
    def __init__(self, reader: ViewReader) -> None:
        self.reader = reader

    # --- unscoped: for the projection's tests and internal checks, never for a caller ---
    def handover(self, municipality_code: str, week: IsoWeek) -> HandoverList:
        return self._handover(municipality_code, week, None)

    def trace(self, journal_number: str) -> Trace | None:
        steps = self.reader.trace_steps(journal_number)
        if not steps:
            return None
        return Trace(
            journal_number=journal_number,
            steps=[TraceStep.model_validate(step) for step in steps],
        )

    # --- scoped to the caller --------------------------------------------------------------
    def handover_for(
        self, principal: Principal, municipality_code: str, week: IsoWeek
    ) -> HandoverList:
        return self._handover(
            municipality_code, week, Visibility(principal, Action.READ_HANDOVER_LIST)
        )

    def _handover(
        self, municipality_code: str, week: IsoWeek, visibility: Visibility | None
    ) -> HandoverList:
        persons = [
            person
            for person in self.reader.persons_registered(municipality_code, str(week))
            if visibility is None or visibility.sees(_person_resource(municipality_code, person))
        ]
        tasks = self.reader.latest_tasks(p["journal_number"] for p in persons)
        entries = []
        for person in persons:
            entry = _entry(person, tasks.get((person["journal_number"], person["person_key"])))
            resource = _person_resource(municipality_code, person)
            if visibility is not None and not visibility.sees(
                resource.with_kind(DataKind.SOCIAL_SERVICES)
            ):
                entry = _without_social_services(entry)
            entries.append(entry)
        return HandoverList(
            municipality_code=municipality_code, iso_week=str(week), persons=entries
        )

    def statistics(self, municipality_code: str, week: IsoWeek) -> HandoverStatistics:
        persons = self.reader.persons_registered(municipality_code, str(week))
        entries = [_entry(person, None) for person in persons]
        return HandoverStatistics(
            municipality_code=municipality_code,
            iso_week=str(week),
            persons=len(entries),
            by_route=_cells(e.route or "not_routed" for e in entries),
            by_severity=_cells(e.severity or "not_assessed" for e in entries),
            by_offence=_cells(e.offence_code for e in entries),
        )

    def trace_for(self, principal: Principal, journal_number: str) -> TraceAnswer:
        steps = self.reader.trace_steps(journal_number)
        if not steps:
            return _NOTHING_KNOWN
        residence = self._residence_of_persons(journal_number)
        journal = Resource(municipalities=frozenset(residence.values()))
        decision = decide(principal, Action.READ_TRACE, journal)
        if not decision.allowed:
            return TraceAnswer(known=True, decision=decision)
        visibility = Visibility(principal, Action.READ_TRACE)
        shown: list[TraceStep] = []
        for step in steps:
            person_key = step["person_key"]
            resource = journal
            if person_key is not None:
                code = residence.get(person_key)
                resource = Resource(municipalities=frozenset({code} if code else ()))
            if not visibility.sees(resource):
                continue
            if person_key is not None and not visibility.sees(
                resource.with_kind(DataKind.PSEUDONYM)
            ):
                step = {**step, "person_key": None}
            shown.append(TraceStep.model_validate(step))
        return TraceAnswer(True, decision, Trace(journal_number=journal_number, steps=shown))

    def _residence_of_persons(self, journal_number: str) -> dict[str, str]:
        """person key → municipality of residence, for the journal's latest revision."""
        p = tables.incident_persons
        statement = select(p.c.person_key, p.c.municipality_code).where(
            p.c.journal_number == journal_number
        )
        with self.reader.engine.connect() as conn:
            return {str(key): str(code) for key, code in conn.execute(statement)}


def _person_resource(municipality_code: str, person: dict[str, Any]) -> Resource:
    # A person without a school on record is seen by no school representative (fails closed).
    return Resource.of(municipality_code, school=person.get("school"))


def _without_social_services(entry: HandoverEntry) -> HandoverEntry:
    out_of_scope = entry.route == "out_of_scope"
    return entry.model_copy(
        update={
            "route": "out_of_scope" if out_of_scope else None,
            "owner_role": None,
            "letter_task_status": None,
            "letter_kind": None,
            "due_at": None,
            "reasons": [OUT_OF_SCOPE_REASON] if out_of_scope else [],
            "decision_kind": None,
        }
    )


def _cells(values: Any) -> list[CountCell]:
    counts = Counter(values)
    return [
        CountCell(value=value, count=count if count >= SMALLEST_SHOWN_COUNT else None)
        for value, count in sorted(counts.items())
    ]


def _entry(person: dict[str, Any], task: dict[str, Any] | None) -> HandoverEntry:
    route: Route | None = person["route"]
    reasons: list[str] = list(person["reasons"] or [])
    if not person["in_scope"]:
        route, reasons = "out_of_scope", [OUT_OF_SCOPE_REASON]
    task_status = cast(TaskStatus, task["status"]) if task else None
    return HandoverEntry(
        journal_number=person["journal_number"],
        revision=max(person["incident_revision"], person["decision_revision"] or 0),
        reported_at=person["reported_at"],
        person_key=person["person_key"],
        role=person["role"],
        age_at_incident=person["age_at_incident"],
        offence_code=person["offence_code"],
        route=route,
        severity=person["severity"] if person["in_scope"] else None,
        workflow=person["workflow"] if person["in_scope"] else None,
        owner_role=route if route in ("caseworker", "tovholder") else None,
        letter_task_status=letter_status(route, task_status),
        letter_kind=task["kind"] if task else None,
        due_at=task["due_at"] if task else None,
        reasons=reasons,
        decision_kind=person.get("decision_kind") if person["in_scope"] else None,
    )
