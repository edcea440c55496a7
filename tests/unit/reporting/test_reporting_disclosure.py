"""Statistics that cannot be re-identified (issue 14, part 5).

Seed: 000 Fredericia l.297-305 — the SSP tovholder's yearly data report to the steering group is
built "fra politiets SSP lister"; the figures leave the need-to-know circle, so they follow
Danmarks Statistik's practice: cells 1-4 suppressed (primary), further cells suppressed so no
hidden cell can be derived (secondary), the total suppressed where needed.

The property test plays the attacker: from everything one response publishes (and the previous
week's response) it enumerates every assignment of the hidden cells that is consistent with the
published figures, and must find at least two values for every hidden cell."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.reporting.application.queries import LINKED_PARTS, weekly_statistics
from services.reporting.domain.clocks import CLOCK_NAMES, ClockReadings
from services.reporting.domain.disclosure import (
    DEFAULT_SMALLEST_SHOWN,
    ProtectedStatistics,
    protect,
)
from tests.unit.reporting.documents import FREDERICIA, WEEK

ROUTES = ("tovholder", "caseworker", "not_routed", "out_of_scope")
SEVERITIES = ("low", "medium", "high", "not_assessed")
OFFENCES = ("butikstyveri", "haervaerk", "vold")


def tables_of(persons: list[tuple[str, str, str]]) -> dict[str, Counter[str]]:
    return {
        "route": Counter(p[0] for p in persons),
        "severity": Counter(p[1] for p in persons),
        "offence": Counter(p[2] for p in persons),
    }


# --- rule table ------------------------------------------------------------------------------
# (tables, total) -> (published total, hidden cells); threshold 5 (cells 1-4 primary).
RULES = [
    pytest.param(
        {"route": {"tovholder": 7, "caseworker": 6}},
        13,
        13,
        set(),
        id="nothing small: everything shown",
    ),
    pytest.param(
        {"route": {"tovholder": 9, "caseworker": 3, "not_routed": 6}},
        18,
        18,
        {("route", "caseworker"), ("route", "not_routed")},
        id="one small cell: the smallest other cell is hidden with it (secondary)",
    ),
    pytest.param(
        {"route": {"tovholder": 9, "caseworker": 2, "not_routed": 3}},
        14,
        14,
        {("route", "caseworker"), ("route", "not_routed")},
        id="two small cells that are not both 1: no secondary needed",
    ),
    pytest.param(
        {"route": {"tovholder": 9, "caseworker": 1, "not_routed": 1}},
        11,
        11,
        {("route", "caseworker"), ("route", "not_routed"), ("route", "tovholder")},
        id="two cells of 1: their sum 2 would give both away, a third is hidden",
    ),
    pytest.param(
        {"route": {"tovholder": 3}, "offence": {"vold": 3}},
        3,
        None,
        {("route", "tovholder"), ("offence", "vold")},
        id="total below 5: suppressed with every cell",
    ),
    pytest.param(
        {
            "route": {"tovholder": 6},
            "offence": {
                "vold": 1,
                "haervaerk": 1,
                "butikstyveri": 1,
                "ran": 1,
                "indbrud": 1,
                "tyveri": 1,
            },
        },
        6,
        None,
        {("route", "tovholder")}
        | {
            ("offence", o)
            for o in ("vold", "haervaerk", "butikstyveri", "ran", "indbrud", "tyveri")
        },
        id="a table of ones alone cannot be protected: the total goes, and a full table "
        "loses a cell so it does not give the total away",
    ),
]


@pytest.mark.parametrize(("tables", "total", "shown_total", "hidden"), RULES)
def test_suppression_rules(
    tables: dict[str, dict[str, int]],
    total: int,
    shown_total: int | None,
    hidden: set[tuple[str, str]],
) -> None:
    protected = protect(tables, total, DEFAULT_SMALLEST_SHOWN)
    assert protected.total == shown_total
    assert {
        (name, value)
        for name, table in protected.tables.items()
        for value, count in table.cells
        if count is None
    } == hidden
    for name, table in protected.tables.items():  # what is shown is the true count
        for value, count in table.cells:
            assert count is None or count == tables[name][value]


def test_linked_tables_are_protected_together() -> None:
    """The route and severity tables are linked (caseworker + tovholder = low + medium +
    high; not_routed + out_of_scope = not_assessed). Protected one by one, the route table
    hid caseworker 2 and not_routed 6 while the severity table showed everything, and
    not_assessed 6 gave not_routed away (and with it caseworker)."""
    tables = {
        "route": {"tovholder": 9, "caseworker": 2, "not_routed": 6},
        "severity": {"low": 5, "medium": 6, "not_assessed": 6},
    }
    alone = protect(tables, 17, DEFAULT_SMALLEST_SHOWN)
    assert dict(alone.tables["severity"].cells) == tables["severity"]  # the leak, unlinked
    protected = protect(tables, 17, DEFAULT_SMALLEST_SHOWN, LINKED_PARTS)
    assert protected.total == 17
    assert dict(protected.tables["route"].cells) == dict.fromkeys(tables["route"])
    assert dict(protected.tables["severity"].cells) == dict.fromkeys(tables["severity"])


# --- the attacker ----------------------------------------------------------------------------
def compositions(total: int, parts: int) -> Iterator[tuple[int, ...]]:
    """Every way to write `total` as `parts` counts of at least 1 (a listed cell is not 0)."""
    if parts == 0:
        if total == 0:
            yield ()
        return
    for cuts in combinations(range(1, total), parts - 1):
        bounds = (0, *cuts, total)
        yield tuple(bounds[i + 1] - bounds[i] for i in range(parts))


def recoverable_cells(
    published: ProtectedStatistics, search_up_to: int
) -> dict[tuple[str, str], set[int]]:
    """For every hidden cell, the values consistent with the published response: the total
    (or, when hidden, any total up to `search_up_to`), and every table adding up to it."""
    tables = {name: table.cells for name, table in published.tables.items()}
    candidates = [published.total] if published.total is not None else range(1, search_up_to + 1)
    possible: dict[tuple[str, str], set[int]] = {
        (name, value): set()
        for name, cells in tables.items()
        for value, count in cells
        if count is None
    }
    for total in candidates:
        solutions: dict[str, list[tuple[int, ...]]] = {}
        for name, cells in tables.items():
            shown = sum(count for _, count in cells if count is not None)
            hidden = [value for value, count in cells if count is None]
            solutions[name] = list(compositions(total - shown, len(hidden)))
        if not all(solutions.values()):
            continue  # this total contradicts some table
        for name, cells in tables.items():
            hidden = [value for value, count in cells if count is None]
            for solution in solutions[name]:
                for value, count in zip(hidden, solution, strict=True):
                    possible[(name, value)].add(count)
    return possible


population = st.lists(
    st.tuples(st.sampled_from(ROUTES), st.sampled_from(SEVERITIES), st.sampled_from(OFFENCES)),
    max_size=22,
)


@settings(max_examples=300, deadline=None)
@given(this_week=population, week_before=population, smallest_shown=st.integers(3, 6))
def test_no_suppressed_cell_can_be_derived(
    this_week: list[tuple[str, str, str]],
    week_before: list[tuple[str, str, str]],
    smallest_shown: int,
) -> None:
    """Invariant: every suppressed cell has at least two values consistent with the response
    and the week before's (the two weeks count different incidents: no shared cell)."""
    responses = [
        (protect(tables_of(persons), len(persons), smallest_shown), persons)
        for persons in (this_week, week_before)
    ]
    for published, persons in responses:
        truth = tables_of(persons)
        for name, table in published.tables.items():
            for value, count in table.cells:
                assert count is None or (count >= smallest_shown and count == truth[name][value])
        possible = recoverable_cells(published, search_up_to=len(persons) + 4)
        for (name, value), values in possible.items():
            assert truth[name][value] in values
            assert len(values) >= 2, f"{name}={value} recoverable as {values}"
        if published.total is None:
            assert all(any(c is None for _, c in t.cells) for t in published.tables.values())


def test_the_threshold_is_a_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    from services.reporting.bootstrap import build_application, build_read_side
    from services.reporting.settings import ReportingSettings

    monkeypatch.setenv("REPORTING_STATISTICS_SMALLEST_SHOWN", "3")
    reporting = ReportingSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path))
    assert reporting.statistics_smallest_shown == 3
    app = build_application(reporting)
    try:
        assert build_read_side(reporting, app)[1].smallest_shown == 3
    finally:
        app.close()
    assert ReportingSettings(SSP_DATABASE_URL="memory").statistics_smallest_shown == 3
    monkeypatch.delenv("REPORTING_STATISTICS_SMALLEST_SHOWN")
    assert ReportingSettings(SSP_DATABASE_URL="memory").statistics_smallest_shown == 5


# --- the attacker, on the whole response (tables and clocks) ---------------------------------
# The clock groups of issue 16 count the same routed persons as the tables (a route's group is
# the route's cell; all groups together are the routed persons), so they are differenced with
# them. Seed: 000 l.297-305, as above.
ROUTED = ("caseworker", "tovholder")


def _clock_value(hours: float | None) -> float | None:
    return None if hours is None else hours * 3600


@st.composite
def routed_person(draw: st.DrawFn) -> tuple[str, str, str, ClockReadings]:
    """A person as the read models count them: routed persons carry a severity and clocks,
    the others are not assessed."""
    route = draw(st.sampled_from(ROUTES))
    severity = draw(st.sampled_from(("low", "medium", "high"))) if route in ROUTED else ""
    hours = st.one_of(st.none(), st.integers(1, 400).map(float))
    readings = ClockReadings(
        registration_to_intake=_clock_value(draw(hours)),
        intake_to_routed=_clock_value(draw(hours)),
        routed_to_letter=_clock_value(draw(hours)),
        total=_clock_value(draw(hours)),
        letter_ended=None,
        within_deadline=draw(st.one_of(st.none(), st.booleans())),
    )
    return route, severity, draw(st.sampled_from(OFFENCES)), readings


def response_of(persons: list[tuple[str, str, str, ClockReadings]], smallest: int) -> Any:
    """The statistics as the API returns them (JSON)."""
    counts = [
        (
            route != "out_of_scope",
            route if route in ROUTED else None,
            severity or None,
            offence,
            1,
        )
        for route, severity, offence, _ in persons
    ]
    clock_rows = [(r, s, clocks) for r, s, _, clocks in persons if r in ROUTED]
    answer = weekly_statistics(FREDERICIA, WEEK, counts, clock_rows, smallest)
    return json.loads(answer.model_dump_json())


@dataclass(frozen=True)
class Constraint:
    """A shown clock group's persons: the sum of some cells of one table equals (or, for a
    part of them, is at most) `persons`."""

    values: tuple[str, ...]
    persons: int
    exact: bool

    def holds(self, cells: Mapping[str, int]) -> bool:
        counted = sum(cells.get(v, 0) for v in self.values)
        return counted == self.persons if self.exact else counted >= self.persons


def clock_constraints(answer: Any) -> dict[str, list[Constraint]]:
    """What each shown clock group says about the tables' cells."""
    constraints: dict[str, list[Constraint]] = {"route": [], "severity": [], "offence": []}
    for group in answer["clocks"]:
        route, severity, persons = group["route"], group["severity"], group["persons"]
        if persons is None:
            continue
        if route == "all" and severity == "all":
            constraints["route"].append(Constraint(ROUTED, persons, exact=True))
        elif severity == "all":
            constraints["route"].append(Constraint((route,), persons, exact=True))
        elif route == "all":
            constraints["severity"].append(Constraint((severity,), persons, exact=True))
        else:  # a route x severity group: a part of both cells
            constraints["route"].append(Constraint((route,), persons, exact=False))
            constraints["severity"].append(Constraint((severity,), persons, exact=False))
    return constraints


SEVERITY_ASSESSED = ("low", "medium", "high")


def linked(solutions: dict[str, list[dict[str, int]]]) -> dict[str, list[dict[str, int]]]:
    """The tables are linked: the routed persons are the assessed ones (caseworker +
    tovholder = low + medium + high; so not_routed + out_of_scope = not_assessed). Only the
    route and severity assignments with a partner of the same routed sum are consistent."""

    def routed(assignment: dict[str, int], values: tuple[str, ...]) -> int:
        return sum(assignment.get(v, 0) for v in values)

    both = {routed(a, ROUTED) for a in solutions["route"]} & {
        routed(a, SEVERITY_ASSESSED) for a in solutions["severity"]
    }
    return {
        **solutions,
        "route": [a for a in solutions["route"] if routed(a, ROUTED) in both],
        "severity": [a for a in solutions["severity"] if routed(a, SEVERITY_ASSESSED) in both],
    }


def possible_cells(answer: Any, search_up_to: int) -> dict[tuple[str, str], set[int]]:
    """For every hidden table cell, the values consistent with the whole response."""
    tables = {name: answer[f"by_{name}"] for name in ("route", "severity", "offence")}
    constraints = clock_constraints(answer)
    total = answer["persons"]
    possible: dict[tuple[str, str], set[int]] = {
        (name, c["value"]): set()
        for name, cells in tables.items()
        for c in cells
        if c["count"] is None
    }
    for candidate in [total] if total is not None else range(1, search_up_to + 1):
        solutions: dict[str, list[dict[str, int]]] = {}
        for name, cells in tables.items():
            shown = {c["value"]: c["count"] for c in cells if c["count"] is not None}
            hidden = [c["value"] for c in cells if c["count"] is None]
            solutions[name] = []
            for parts in compositions(candidate - sum(shown.values()), len(hidden)):
                assignment = {**shown, **dict(zip(hidden, parts, strict=True))}
                if all(c.holds(assignment) for c in constraints[name]):
                    solutions[name].append(assignment)
        solutions = linked(solutions)
        if not all(solutions.values()):
            continue
        for name, assignments in solutions.items():
            for assignment in assignments:
                for value in assignment:
                    if (name, value) in possible:
                        possible[(name, value)].add(assignment[value])
    return possible


def differenced_clock_figures(answer: Any) -> list[str]:
    """Hidden clock counts and maxima that one subtraction (or comparison) of the shown
    figures gives away: a whole that is the sum (or the maximum) of its parts, with one
    part hidden and everything else shown."""
    by_key = {(g["route"], g["severity"]): g for g in answer["clocks"]}
    wholes: dict[tuple[str, str], list[list[tuple[str, str]]]] = {}
    for route, severity in by_key:
        if (route, severity) == ("all", "all"):
            continue
        if severity == "all":
            wholes.setdefault(("all", "all"), [[], []])[0].append((route, severity))
        elif route == "all":
            wholes.setdefault(("all", "all"), [[], []])[1].append((route, severity))
        else:
            wholes.setdefault((route, "all"), [[], []])[0].append((route, severity))
            wholes.setdefault(("all", severity), [[], []])[0].append((route, severity))
    found = []
    for whole, partitions in wholes.items():
        for parts in (p for p in partitions if p):
            for name in CLOCK_NAMES:
                total = by_key[whole]["clocks"][name]
                figures = [by_key[p]["clocks"][name] for p in parts]
                unknown = [p for p, f in zip(parts, figures, strict=True) if f["count"] is None]
                if len(unknown) != 1:
                    continue
                known = [f for f in figures if f["count"] is not None]
                if total["count"] is not None:
                    found.append(f"{unknown[0]} {name} count = {total['count']} - the others")
                if total["max_hours"] is not None and all(
                    f["max_hours"] is not None and f["max_hours"] < total["max_hours"]
                    for f in known
                ):
                    found.append(f"{unknown[0]} {name} max = {total['max_hours']}")
    return found


@settings(max_examples=300, deadline=None)
@given(persons=st.lists(routed_person(), max_size=22), smallest_shown=st.integers(3, 6))
def test_no_suppressed_cell_can_be_derived_from_the_whole_response(
    persons: list[tuple[str, str, str, ClockReadings]], smallest_shown: int
) -> None:
    """Invariant: from everything one statistics response publishes — the three tables, the
    total and every clock group's persons, counts and maxima — every hidden table cell still
    has two or more possible values, and no hidden clock figure is one subtraction away."""
    answer = response_of(persons, smallest_shown)
    truth = tables_of([(route, severity or "not_assessed", o) for route, severity, o, _ in persons])
    for (name, value), values in possible_cells(answer, len(persons) + 4).items():
        assert truth[name][value] in values
        assert len(values) >= 2, f"{name}={value} recoverable as {values}"
    assert differenced_clock_figures(answer) == []
    for group in answer["clocks"]:  # a shown group is a count the tables show, or their sum
        assert group["persons"] is None or group["persons"] >= smallest_shown


def test_the_audited_example_hides_the_clock_groups_too() -> None:
    """The audit's case: routes {tovholder 9, caseworker 1, not_routed 1} are hidden in the
    table, so the clocks must not show tovholder = 9 and all routed = 10."""
    reading = ClockReadings(
        registration_to_intake=3600.0,
        intake_to_routed=3600.0,
        routed_to_letter=None,
        total=None,
        letter_ended=None,
        within_deadline=None,
    )
    persons = (
        [("tovholder", "low", "vold", reading)] * 9
        + [("caseworker", "low", "vold", reading)]
        + [("not_routed", "", "vold", reading)]
    )
    answer = response_of(persons, DEFAULT_SMALLEST_SHOWN)
    assert [c["count"] for c in answer["by_route"]] == [None, None, None]
    assert {g["persons"] for g in answer["clocks"]} == {None}
