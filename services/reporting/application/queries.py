"""The questions the read models answer: the weekly handover list and a journal's trace."""

from __future__ import annotations

from typing import Any, cast

from pydantic import BaseModel

from services.reporting.adapters.views.reader import ViewReader
from services.reporting.domain.handover import LetterStatus, Route, TaskStatus, letter_status
from services.reporting.domain.weeks import IsoWeek

OUT_OF_SCOPE_REASON = "age_out_of_scope"


class HandoverEntry(BaseModel):
    journal_number: str
    revision: int
    reported_at: str
    person_key: str
    role: str
    age_at_incident: int
    offence_code: str
    route: Route | None
    """None while triage has not routed an in-scope person yet."""
    severity: str | None
    workflow: str | None
    owner_role: str | None
    letter_task_status: LetterStatus
    letter_kind: str | None
    due_at: str | None
    reasons: list[str]


class HandoverList(BaseModel):
    municipality_code: str
    iso_week: str
    persons: list[HandoverEntry]


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


class ReportingQueries:
    def __init__(self, reader: ViewReader) -> None:
        self.reader = reader

    def handover(self, municipality_code: str, week: IsoWeek) -> HandoverList:
        persons = self.reader.persons_registered(municipality_code, str(week))
        tasks = self.reader.latest_tasks(p["journal_number"] for p in persons)
        return HandoverList(
            municipality_code=municipality_code,
            iso_week=str(week),
            persons=[
                _entry(person, tasks.get((person["journal_number"], person["person_key"])))
                for person in persons
            ],
        )

    def trace(self, journal_number: str) -> Trace | None:
        steps = self.reader.trace_steps(journal_number)
        if not steps:
            return None
        return Trace(
            journal_number=journal_number,
            steps=[TraceStep.model_validate(step) for step in steps],
        )


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
    )
