"""Statistics that cannot be re-identified (issue 14, part 5).

Seed: 000 Fredericia l.297-305 — the SSP tovholder's yearly data report to the steering group is
built "fra politiets SSP lister"; the figures leave the need-to-know circle, so they follow
Danmarks Statistik's practice: cells 1-4 suppressed (primary), further cells suppressed so no
hidden cell can be derived (secondary), the total suppressed where needed.

The property test plays the attacker: from everything one response publishes (and the previous
week's response) it enumerates every assignment of the hidden cells that is consistent with the
published figures, and must find at least two values for every hidden cell."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.reporting.domain.disclosure import (
    DEFAULT_SMALLEST_SHOWN,
    ProtectedStatistics,
    protect,
)

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
