"""The clocks of issue 16, part 4: how fast help comes, per person and incident.

- registration → intake: the police registered the report (`reported_at`) → intake accepted it;
- intake → routed: accepted → triage's decision for the person;
- routed → letter: the decision → the letter task ended as sent, waived or completed (a
  cancelled task stops no clock: nobody was informed);
- total: registration → letter.

A clock that has not stopped yet is None. Statistics give, per group, the count, p50, p90 and
max of each clock in hours, and the share of letters that ended within the task's deadline
(the profile's service deadline, which runs from the registration), suppressed with the
statistics' tables (`groups`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from services.reporting.domain.disclosure import ProtectedStatistics

CLOCK_NAMES = ("registration_to_intake", "intake_to_routed", "routed_to_letter", "total")
LETTER_ENDED = frozenset({"sent", "waived", "completed"})


class ClockReadings(BaseModel):
    """Seconds (one decimal: the platform's own steps take less than one); None while the
    clock runs or when its start is unknown. Statistics give hours."""

    registration_to_intake: float | None
    intake_to_routed: float | None
    routed_to_letter: float | None
    total: float | None
    letter_ended: str | None
    """sent, waived or completed: how the last clock stopped; None while it runs."""
    within_deadline: bool | None
    """The letter ended by the task's deadline; None while open and not yet due, or no task."""


def _seconds(start: str | None, end: str | None) -> float | None:
    if start is None or end is None:
        return None
    delta = datetime.fromisoformat(end) - datetime.fromisoformat(start)
    return round(delta.total_seconds(), 1)


def readings(
    *,
    reported_at_utc: str | None,
    accepted_at_utc: str | None,
    decided_at_utc: str | None,
    task_status: str | None,
    task_status_at_utc: str | None,
    due_at: str | None,
    now_utc: str | None = None,
) -> ClockReadings:
    ended_at = task_status_at_utc if task_status in LETTER_ENDED else None
    within: bool | None = None
    if due_at is not None:
        due = datetime.fromisoformat(due_at)
        if ended_at is not None:
            within = datetime.fromisoformat(ended_at) <= due
        elif task_status in ("open", "overdue") and (
            task_status == "overdue"
            or (now_utc is not None and datetime.fromisoformat(now_utc) > due)
        ):
            within = False
    return ClockReadings(
        registration_to_intake=_seconds(reported_at_utc, accepted_at_utc),
        intake_to_routed=_seconds(accepted_at_utc, decided_at_utc),
        routed_to_letter=_seconds(decided_at_utc, ended_at),
        total=_seconds(reported_at_utc, ended_at),
        letter_ended=task_status if ended_at is not None else None,
        within_deadline=within,
    )


class ClockFigures(BaseModel):
    """One clock over a group: None values when the group is suppressed or has no reading."""

    count: int | None
    p50_hours: float | None
    p90_hours: float | None
    max_hours: float | None


class ClockGroup(BaseModel):
    route: str
    """caseworker, tovholder or all"""
    severity: str
    """low, medium, high or all"""
    persons: int | None
    """None when suppressed (fewer than the smallest shown count)."""
    clocks: dict[str, ClockFigures]
    share_within_deadline: float | None
    """Of the group's letters with a decided outcome (ended, or past the deadline)."""


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def figures(values: Iterable[float | None], smallest: int) -> ClockFigures:
    """`values` in seconds; the figures in hours (three decimals)."""
    found = sorted(v for v in values if v is not None)
    if len(found) < smallest:
        return ClockFigures(count=None, p50_hours=None, p90_hours=None, max_hours=None)
    return ClockFigures(
        count=len(found),
        p50_hours=round(percentile(found, 0.5) / 3600, 3),
        p90_hours=round(percentile(found, 0.9) / 3600, 3),
        max_hours=round(found[-1] / 3600, 3),
    )


ROUTED = ("caseworker", "tovholder")
"""The routes with a decision: the clocks' population (triage routed the person)."""

_HIDDEN = ClockFigures(count=None, p50_hours=None, p90_hours=None, max_hours=None)


def _hidden_group(route: str, severity: str) -> ClockGroup:
    return ClockGroup(
        route=route,
        severity=severity,
        persons=None,
        clocks=dict.fromkeys(CLOCK_NAMES, _HIDDEN),
        share_within_deadline=None,
    )


def _decided(members: Sequence[ClockReadings]) -> list[bool]:
    return [m.within_deadline for m in members if m.within_deadline is not None]


def _published(
    rows: Iterable[tuple[str, str, ClockReadings]], protected: ProtectedStatistics
) -> tuple[dict[tuple[str, str], list[ClockReadings]], set[tuple[str, str]]]:
    """The groups (per route, per severity, all) and which of them may be shown: a group's
    persons must be exactly a count the protected tables show (or, for all, their sum), so
    the clocks publish no count the tables hide."""
    by: dict[tuple[str, str], list[ClockReadings]] = {}
    for route, severity, reading in rows:
        for key in ((route, "all"), ("all", severity), ("all", "all")):
            by.setdefault(key, []).append(reading)
    route_cells = dict(protected.tables["route"].cells)
    severity_cells = dict(protected.tables["severity"].cells)
    routes = {k for k in by if k[1] == "all" and k[0] != "all"}
    severities = {k for k in by if k[0] == "all" and k[1] != "all"}
    shown = {k for k in routes if route_cells.get(k[0]) == len(by[k])}
    if by and shown == routes and all(severity_cells.get(k[1]) == len(by[k]) for k in severities):
        shown |= severities | {("all", "all")}
    return by, shown


def groups(
    rows: Iterable[tuple[str, str, ClockReadings]],
    protected: ProtectedStatistics,
    smallest: int,
) -> list[ClockGroup]:
    """The week's clock groups, suppressed with the tables (`protected`):

    - a route's group is shown when the route table shows that route's count;
    - the severity groups and all routed persons together are shown only when every route's
      and every severity's group is (otherwise a hidden group's persons, counts or maximum
      could be differenced out of the whole);
    - route x severity groups are not published: the tables do not show that cross table;
    - a clock's figures (count, p50, p90, max) are shown in every shown group or in none: in
      none when any shown group has fewer than `smallest` readings of it (a hidden count could
      otherwise be differenced out of the others); likewise the share within the deadline.
    """
    by, shown = _published(rows, protected)
    members = [by[k] for k in sorted(shown)]
    clock_shown = {
        name: all(sum(getattr(m, name) is not None for m in g) >= smallest for g in members)
        for name in CLOCK_NAMES
    }
    share_shown = all(len(_decided(g)) >= smallest for g in members)
    result = []
    for route, severity in sorted(by):
        group = by[(route, severity)]
        if (route, severity) not in shown:
            result.append(_hidden_group(route, severity))
            continue
        decided = _decided(group)
        result.append(
            ClockGroup(
                route=route,
                severity=severity,
                persons=len(group),
                clocks={
                    name: figures((getattr(m, name) for m in group), smallest)
                    if clock_shown[name]
                    else _HIDDEN
                    for name in CLOCK_NAMES
                },
                share_within_deadline=round(sum(decided) / len(decided), 3)
                if share_shown
                else None,
            )
        )
    return result


def readings_of(row: Mapping[str, Any]) -> ClockReadings:
    """The clocks of a row of the read models' clock facts (`ViewReader.clock_facts`)."""
    return readings(
        reported_at_utc=row["reported_at_utc"],
        accepted_at_utc=row["accepted_at_utc"],
        decided_at_utc=row["decided_at_utc"],
        task_status=row["task_status"],
        task_status_at_utc=row["task_status_at_utc"],
        due_at=row["due_at"],
    )
