"""Statistics that cannot be re-identified: Danmarks Statistik's practice of primary and
secondary suppression, applied to the week's one-way tables (persons by route, by severity, by
offence), which all add up to the same total. The clock groups of the same response count the
same persons and are suppressed with these tables (`clocks.groups`).

- **Primary suppression**: a cell counting 1 to `smallest_shown - 1` persons is not shown
  (`smallest_shown` is `REPORTING_STATISTICS_SMALLEST_SHOWN`, default 5: cells 1-4 hidden).
- **Secondary suppression**: a table's hidden cells must not be derivable from the total and the
  shown cells. With the total known, the hidden cells of a table add up to a known sum S; each
  is at least 1 (an empty cell is not listed), so a hidden cell is pinned down exactly when it is
  the only hidden cell of its table, or when S equals the number of hidden cells (all of them
  are 1). Either way the smallest shown cell is hidden too, until neither holds.
- **The total** is shown only when it is at least `smallest_shown` and every table could be
  protected with it; otherwise it is hidden, and then every table hides at least one cell (a
  fully shown table would give the total away).

What an attacker can then learn from one response (and any other week's, which counts other
incidents and shares no cell): each hidden cell has at least two values consistent with
everything published (tests/unit/reporting/test_reporting_disclosure.py tries to recover them).
Not covered: comparing two responses for the *same* week taken before and after late
registrations (differencing over time), and knowledge outside the published figures."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_SMALLEST_SHOWN = 5
"""Danmarks Statistik's rule: counts below 5 (1-4) are not published."""


@dataclass(frozen=True)
class ProtectedTable:
    cells: tuple[tuple[str, int | None], ...]
    """(value, count) sorted by value; count None when suppressed."""


@dataclass(frozen=True)
class ProtectedStatistics:
    total: int | None
    """None when the total itself had to be suppressed."""
    tables: dict[str, ProtectedTable]


def _pinned(hidden: list[int]) -> bool:
    """A hidden cell of the table can be derived when the table's total is known."""
    return len(hidden) == 1 or sum(hidden) == len(hidden)


def protect(
    tables: Mapping[str, Mapping[str, int]], total: int, smallest_shown: int
) -> ProtectedStatistics:
    """Suppress the cells (and, where needed, the total) of one-way tables that each add up
    to `total`. Cells counting 0 are dropped (not listed)."""
    counts = {
        name: {value: count for value, count in table.items() if count > 0}
        for name, table in tables.items()
    }
    hidden: dict[str, set[str]] = {
        name: {value for value, count in table.items() if count < smallest_shown}
        for name, table in counts.items()
    }
    total_hidden = 0 < total < smallest_shown
    for name, table in counts.items():
        suppressed = hidden[name]
        while suppressed and _pinned([table[v] for v in suppressed]):
            shown = [v for v in table if v not in suppressed]
            if not shown:
                total_hidden = True  # only a hidden total protects this table
                break
            suppressed.add(min(shown, key=lambda v: (table[v], v)))
    if total_hidden:
        for name, table in counts.items():
            if table and not hidden[name]:
                hidden[name].add(min(table, key=lambda v: (table[v], v)))
    return ProtectedStatistics(
        total=None if total_hidden else total,
        tables={
            name: ProtectedTable(
                cells=tuple(
                    (value, None if value in hidden[name] else count)
                    for value, count in sorted(table.items())
                )
            )
            for name, table in counts.items()
        },
    )
