"""Statistics that cannot be re-identified: Danmarks Statistik's practice of primary and
secondary suppression, applied to the week's one-way tables (persons by route, by severity, by
offence), which all add up to the same total, two of them linked further. The clock groups of
the same response count the same persons and are suppressed with these tables (`clocks.groups`).

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

- **Linked tables** (`parts`): the route and severity tables split the same persons into the
  same two parts (the routed persons are the assessed ones: caseworker + tovholder = low +
  medium + high; not_routed + out_of_scope = not_assessed). A table's hidden cells count at
  least what the linked table implies for their part (`_floor`), so they are pinned also when
  they add up to that; when a table's hidden cells are pinned by the linked table and it has
  no shown cell left, the linked table hides its smallest shown cell. A part's subtotal that a
  linked table shows whole (or the total less the other part's) is a total for that part in
  the other table: its hidden cells there must not be pinned by it, or the subtotal is hidden
  too (`_protect_parts`). Everything repeats until no further cell is hidden.

What an attacker can then learn from one response (and any other week's, which counts other
incidents and shares no cell): each hidden cell has at least two values consistent with
everything published (tests/unit/reporting/test_reporting_disclosure.py tries to recover them).
Not covered: comparing two responses for the *same* week taken before and after late
registrations (differencing over time), and knowledge outside the published figures."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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


def _pinned(hidden: list[int], floor: int | None = None) -> bool:
    """A hidden cell of the table can be derived when the table's total is known: it is the
    only one, or the hidden cells add up to the least they can (`floor`: one each, or more
    where a linked table lists more cells of their part)."""
    return len(hidden) == 1 or sum(hidden) == (len(hidden) if floor is None else floor)


def _floor(
    counts: Mapping[str, Mapping[str, int]],
    hidden: Mapping[str, set[str]],
    parts: Mapping[str, Mapping[str, str]],
    name: str,
    values: set[str],
) -> int:
    """The least the hidden `values` of table `name` can add up to: one each, and per part of
    a linked table, at least the part's subtotal that another linked table's shown cells and
    listed hidden cells (one each) imply."""
    if name not in parts:
        return len(values)
    least = 0
    for part in {parts[name].get(v) for v in values}:
        mine = [v for v in values if parts[name].get(v) == part]

        shown_here = _known(counts[name], hidden[name], parts[name], part)[0]
        least += max(
            len(mine),
            *(sum(_known(counts[t], hidden[t], parts[t], part)) - shown_here for t in parts),
        )
    return least


def _known(
    table: Mapping[str, int], hidden: set[str], part_of: Mapping[str, str], part: str | None
) -> tuple[int, int]:
    """A table's shown sum and number of hidden cells in one part."""
    cells = [(v, c) for v, c in table.items() if part_of.get(v) == part]
    return sum(c for v, c in cells if v not in hidden), sum(1 for v, _ in cells if v in hidden)


def _smallest(table: Mapping[str, int], values: Iterable[str]) -> str | None:
    return min(values, key=lambda v: (table[v], v), default=None)


def protect(
    tables: Mapping[str, Mapping[str, int]],
    total: int,
    smallest_shown: int,
    parts: Mapping[str, Mapping[str, str]] | None = None,
) -> ProtectedStatistics:
    """Suppress the cells (and, where needed, the total) of one-way tables that each add up
    to `total`. Cells counting 0 are dropped (not listed). `parts` links tables further: per
    linked table, the part each value belongs to; a part's cells add up to the same subtotal
    in every linked table (see `_protect_parts`)."""
    counts = {
        name: {value: count for value, count in table.items() if count > 0}
        for name, table in tables.items()
    }
    hidden: dict[str, set[str]] = {
        name: {value for value, count in table.items() if count < smallest_shown}
        for name, table in counts.items()
    }
    total_hidden = 0 < total < smallest_shown
    links = parts or {}
    changed = True
    while changed:
        before = (total_hidden, sum(len(h) for h in hidden.values()))
        for name, table in counts.items():
            suppressed = hidden[name]
            while suppressed and _pinned(
                [table[v] for v in suppressed], _floor(counts, hidden, links, name, suppressed)
            ):
                shown = _smallest(table, (v for v in table if v not in suppressed))
                if shown is None:
                    linked = [
                        (other, _smallest(counts[other], counts[other].keys() - hidden[other]))
                        for other in links
                        if name in links and other != name
                    ]
                    for other, value in linked:  # the linked tables pin it: they give a cell
                        if value is not None:
                            hidden[other].add(value)
                    if all(value is None for _, value in linked):
                        total_hidden = True  # only a hidden total protects this table
                    break
                suppressed.add(shown)
        if total_hidden:
            for name, table in counts.items():
                if table and not hidden[name]:
                    hidden[name].add(min(table, key=lambda v: (table[v], v)))
        _protect_parts(counts, hidden, total_hidden, links)
        changed = before != (total_hidden, sum(len(h) for h in hidden.values()))
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


def _protect_parts(
    counts: Mapping[str, Mapping[str, int]],
    hidden: Mapping[str, set[str]],
    total_hidden: bool,
    parts: Mapping[str, Mapping[str, str]],
) -> None:
    """Secondary suppression across linked tables. A part's subtotal is published when a
    linked table shows every cell of that part, or when the total is shown and every other
    part's subtotal is published. A published subtotal is a total for the part's cells in
    every linked table: their hidden cells there must not be pinned by it (`_pinned`), so the
    smallest shown cell of the part is hidden too; where the part has none left, the subtotal
    is unpublished instead (each linked table, and with a shown total each other part, hides
    its smallest shown cell of the part)."""

    def cells(name: str, part: str) -> dict[str, int]:
        return {v: c for v, c in counts[name].items() if parts[name].get(v) == part}

    def fully_shown(part: str) -> list[str]:
        return [n for n in parts if not hidden[n] & cells(n, part).keys()]

    every_part = sorted({p for values in parts.values() for p in values.values()})
    published = {p for p in every_part if fully_shown(p)}
    if not total_hidden and len(published) == len(every_part) - 1:
        published = set(every_part)
    for part in sorted(published):
        for name in parts:
            part_cells = cells(name, part)
            suppressed = hidden[name] & part_cells.keys()
            while suppressed and _pinned(
                [part_cells[v] for v in suppressed], _floor(counts, hidden, parts, name, suppressed)
            ):
                shown = _smallest(part_cells, part_cells.keys() - suppressed)
                if shown is None:
                    for other in every_part if not total_hidden else [part]:
                        for showing in fully_shown(other):
                            table = cells(showing, other)
                            if table:
                                hidden[showing].add(min(table, key=lambda v: (table[v], v)))
                    return
                suppressed.add(shown)
                hidden[name].add(shown)
