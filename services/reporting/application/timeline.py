"""One timeline per person (issue 17, part 1): every step any service published about the
person, in time order, each row in Danish words beside its stable code; scoped row by row to
the caller like the handover list (application/access_policy.py).

A row is the police's own information (a police report) or reveals social services'
involvement (everything else): the police and schools see only the first, a school only for
its pupils. A row whose municipality is unknown is seen only with platform reach (the
auditor): fails closed."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from services.reporting.adapters.views.reader import ViewReader
from services.reporting.application.access_policy import ReportingAction
from services.reporting.application.answers import NOTHING_KNOWN, Answer
from services.reporting.domain.clocks import ClockReadings, readings_of
from services.reporting.domain.person_timeline import POLICE_STEPS
from services.reporting.domain.wording import describe
from shared.auth import DataKind, Decision, Principal, Resource, Visibility

MOST_ROWS = 500
"""The largest page of a timeline."""


class TimelineRow(BaseModel):
    at: str
    """When it happened (the publishing service's own time, with its offset)."""
    service: str
    code: str
    """What happened, as a stable code (the step: `routed_caseworker`, `letter_task_sent`,
    `course_changed`, …); `event` names a course's or meeting's own event."""
    event: str | None = None
    text: str
    """What happened, in Danish: which step, to which municipality, what was decided and by
    which role."""
    journal_number: str | None
    municipality_code: str | None
    revision: int | None


class PersonTimeline(BaseModel):
    person_key: str
    total: int
    """Rows the caller may see, on every page."""
    offset: int
    limit: int
    next_offset: int | None
    """Where the next page starts; None on the last."""
    rows: list[TimelineRow]
    clocks: dict[str, ClockReadings] = {}
    """Issue 16's clocks of each of the person's police reports, by journal number (seconds:
    registration → intake → routed → letter ended), for callers who may see social
    services' involvement."""


TimelineAnswer = Answer[PersonTimeline]
_OUT_OF_REACH = Decision(False, "outside_reach")


class PersonTimelines:
    def __init__(self, reader: ViewReader) -> None:
        self.reader = reader

    def rows(self, person_key: str) -> list[TimelineRow]:
        """Every row, unscoped: for the projection's tests and internal checks, never a caller."""
        return [_row(row) for row in self.reader.person_timeline(person_key)]

    def timeline_for(
        self, principal: Principal, person_key: str, *, offset: int = 0, limit: int = MOST_ROWS
    ) -> TimelineAnswer:
        stored = self.reader.person_timeline(person_key)
        if not stored:
            return NOTHING_KNOWN
        visibility = Visibility(principal, ReportingAction.READ_PERSON_TIMELINE)
        shown = self.visible_rows(visibility, stored)
        if not shown:
            return TimelineAnswer(known=True, decision=_OUT_OF_REACH)
        page = shown[offset : offset + limit]
        end = offset + len(page)
        timeline = PersonTimeline(
            person_key=person_key,
            total=len(shown),
            offset=offset,
            limit=limit,
            next_offset=end if end < len(shown) else None,
            rows=[_row(row) for row in page],
            clocks=self._clocks(person_key, shown, visibility),
        )
        return TimelineAnswer(True, Decision(True, "in_scope"), timeline)

    @staticmethod
    def visible_rows(visibility: Visibility, stored: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The stored rows (with their facts) the caller sees, each with its municipality."""
        residence = _residence_by_journal(stored)
        shown: list[dict[str, Any]] = []
        for row in stored:
            lives_in, school = residence.get(row["journal_number"], (None, None))
            code = row["municipality_code"] or lives_in
            kind = DataKind.RECORD if row["step"] in POLICE_STEPS else DataKind.SOCIAL_SERVICES
            codes = frozenset({code} if code else ())
            if visibility.sees(Resource(kind=kind, municipalities=codes, school=school)):
                shown.append({**row, "municipality_code": code})
        return shown

    def _clocks(
        self, person_key: str, shown: list[dict[str, Any]], visibility: Visibility
    ) -> dict[str, ClockReadings]:
        clocks: dict[str, ClockReadings] = {}
        for journal_number in sorted({r["journal_number"] for r in shown if r["journal_number"]}):
            for row in self.reader.clock_facts(None, None, journal_number):
                if (
                    row["person_key"] == person_key
                    and row["in_scope"]
                    and visibility.sees(
                        Resource.of(str(row["municipality_code"]), kind=DataKind.SOCIAL_SERVICES)
                    )
                ):
                    clocks[journal_number] = readings_of(row)
        return clocks


def _residence_by_journal(rows: list[dict[str, Any]]) -> dict[str, tuple[str | None, str | None]]:
    """journal number → the person's municipality and school in its police report (the
    latest revision: rows come in time order)."""
    residence: dict[str, tuple[str | None, str | None]] = {}
    for row in rows:
        if row["step"] == "incident_accepted" and row["journal_number"]:
            residence[row["journal_number"]] = (row["municipality_code"], row["school"])
    return residence


def _row(row: dict[str, Any]) -> TimelineRow:
    facts = row["facts"] or {}
    event = facts.get("event")
    return TimelineRow(
        at=row["at"],
        service=row["service"],
        code=row["step"],
        event=event if isinstance(event, str) else None,
        text=describe(row["step"], facts, row["revision"], row["detail"]),
        journal_number=row["journal_number"],
        municipality_code=row["municipality_code"],
        revision=row["revision"],
    )
