"""Issue 16, part 4: the clocks of one person, and their figures over a group."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from services.reporting.domain.clocks import (
    ClockGroup,
    ClockReadings,
    figures,
    groups,
    percentile,
    readings,
)
from services.reporting.domain.disclosure import ProtectedStatistics, protect

REGISTERED = "2026-11-16T07:00:00+00:00"


def reading(total_hours: float, within: bool | None = True) -> ClockReadings:
    return ClockReadings(
        registration_to_intake=1.0,
        intake_to_routed=1.0,
        routed_to_letter=total_hours * 3600 - 2,
        total=total_hours * 3600,
        letter_ended="sent",
        within_deadline=within,
    )


def test_each_clock_stops_at_its_step() -> None:
    r = readings(
        reported_at_utc=REGISTERED,
        accepted_at_utc="2026-11-16T07:00:00.500000+00:00",
        decided_at_utc="2026-11-16T07:00:01+00:00",
        task_status="waived",
        task_status_at_utc="2026-11-18T07:00:01+00:00",
        due_at="2026-11-17T08:00:00+01:00",
    )
    assert (r.registration_to_intake, r.intake_to_routed) == (0.5, 0.5)
    assert (r.routed_to_letter, r.total) == (48 * 3600.0, 48 * 3600.0 + 1)
    assert (r.letter_ended, r.within_deadline) == ("waived", False)


def test_a_cancelled_task_stops_no_clock_and_an_overdue_one_is_late() -> None:
    cancelled = readings(
        reported_at_utc=REGISTERED,
        accepted_at_utc=REGISTERED,
        decided_at_utc=REGISTERED,
        task_status="cancelled",
        task_status_at_utc=REGISTERED,
        due_at=REGISTERED,
    )
    assert (cancelled.total, cancelled.within_deadline) == (None, None)
    overdue = readings(
        reported_at_utc=REGISTERED,
        accepted_at_utc=None,  # stored before the acceptance time was kept
        decided_at_utc=REGISTERED,
        task_status="overdue",
        task_status_at_utc=REGISTERED,
        due_at=REGISTERED,
    )
    assert (overdue.registration_to_intake, overdue.within_deadline) == (None, False)


def protected_for(rows: list[tuple[str, str, ClockReadings]], **others: int) -> ProtectedStatistics:
    """The week's tables for the routed `rows` and `others` persons not routed (by route)."""
    routes = Counter(route for route, _, _ in rows) + Counter(others)
    severities = Counter(severity for _, severity, _ in rows)
    severities["not_assessed"] += sum(others.values())
    return protect(
        {"route": routes, "severity": severities, "offence": {"vold": routes.total()}},
        routes.total(),
        3,
    )


def shown(found: list[ClockGroup]) -> dict[tuple[str, str], int | None]:
    return {(g.route, g.severity): g.persons for g in found}


def test_group_figures_and_the_share_within_the_deadline() -> None:
    rows = [("tovholder", "low", reading(h, within=h <= 48)) for h in (10, 20, 30, 40, 72)]
    found = {(g.route, g.severity): g for g in groups(rows, protected_for(rows), 3)}
    tovholder = found["tovholder", "all"]
    assert tovholder.persons == 5
    assert (tovholder.clocks["total"].p50_hours, tovholder.clocks["total"].p90_hours) == (
        30.0,
        72.0,
    )
    assert tovholder.clocks["total"].max_hours == 72.0
    assert tovholder.share_within_deadline == 0.8
    assert found["all", "all"] == tovholder.model_copy(update={"route": "all", "severity": "all"})
    assert found["all", "low"] == tovholder.model_copy(update={"route": "all", "severity": "low"})
    assert ("tovholder", "low") not in found  # no route x severity cross table


def test_small_groups_are_suppressed() -> None:
    rows = [("caseworker", "high", reading(5)), ("caseworker", "high", reading(6))]
    for group in groups(rows, protected_for(rows), 3):
        assert group.persons is None and group.share_within_deadline is None
        assert all(f.p50_hours is None and f.count is None for f in group.clocks.values())


# Issue 14 part 5 (seed 000 l.297-305): the clock groups follow the tables' suppression.
def test_a_routes_group_is_shown_only_with_its_cell() -> None:
    """Routes {tovholder 9, caseworker 2, not_routed 4}: caseworker and not_routed hidden in
    the table, so only tovholder's group is shown; all routed persons (11) would give
    caseworker away, and the severity groups with it."""
    rows = [("tovholder", "low", reading(10))] * 9 + [("caseworker", "low", reading(10))] * 2
    found = shown(groups(rows, protected_for(rows, not_routed=4), 3))
    assert found == {
        ("tovholder", "all"): 9,
        ("caseworker", "all"): None,
        ("all", "low"): None,
        ("all", "all"): None,
    }


def test_severity_groups_and_the_whole_need_every_route_and_severity_shown() -> None:
    rows = [("tovholder", "low", reading(10))] * 4 + [("caseworker", "high", reading(10))] * 4
    rows += [("tovholder", "high", reading(10))] * 2
    found = shown(groups(rows, protected_for(rows, not_routed=5), 3))
    assert found == {
        ("tovholder", "all"): 6,
        ("caseworker", "all"): 4,
        ("all", "low"): 4,
        ("all", "high"): 6,
        ("all", "all"): 10,
    }
    one_severity_hidden = [*rows, ("caseworker", "medium", reading(10))]
    found = shown(groups(one_severity_hidden, protected_for(one_severity_hidden), 3))
    assert found[("all", "all")] is None and found[("all", "medium")] is None
    assert found[("tovholder", "all")] == 6 and found[("caseworker", "all")] == 5


def test_a_clock_is_shown_in_every_shown_group_or_in_none() -> None:
    """Caseworker's group has only two letters ended: the letter clocks are hidden in every
    group (the whole minus tovholder would give caseworker's two away)."""
    running = reading(10).model_copy(update={"routed_to_letter": None, "total": None})
    rows = [("tovholder", "low", reading(10))] * 5 + [("caseworker", "low", reading(10))] * 2
    rows += [("caseworker", "low", running)] * 3
    found = groups(rows, protected_for(rows, not_routed=5), 3)
    assert {g.persons for g in found} == {5, 10}
    for group in found:
        assert (
            group.clocks["total"].count is None
            and group.clocks["routed_to_letter"].max_hours is None
        )
        assert group.clocks["intake_to_routed"].count == group.persons


@given(st.lists(st.floats(min_value=0, max_value=1e7), min_size=1, max_size=50))
def test_percentiles_are_values_of_the_group_in_order(values: list[float]) -> None:
    ordered = sorted(values)
    p50, p90 = percentile(ordered, 0.5), percentile(ordered, 0.9)
    assert p50 in ordered and p90 in ordered and p50 <= p90 <= ordered[-1]
    shown = figures(values, 1)
    assert shown.max_hours == round(ordered[-1] / 3600, 3)
