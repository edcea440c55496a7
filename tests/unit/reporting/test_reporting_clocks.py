"""Issue 16, part 4: the clocks of one person, and their figures over a group."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.reporting.domain.clocks import ClockReadings, figures, groups, percentile, readings

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


def test_group_figures_and_the_share_within_the_deadline() -> None:
    rows = [("tovholder", "low", reading(h, within=h <= 48)) for h in (10, 20, 30, 40, 72)]
    found = {(g.route, g.severity): g for g in groups(rows, 3)}
    low = found["tovholder", "low"]
    assert low.persons == 5
    assert (low.clocks["total"].p50_hours, low.clocks["total"].p90_hours) == (30.0, 72.0)
    assert low.clocks["total"].max_hours == 72.0
    assert low.share_within_deadline == 0.8
    assert found["all", "all"] == low.model_copy(update={"route": "all", "severity": "all"})


def test_small_groups_are_suppressed() -> None:
    rows = [("caseworker", "high", reading(5)), ("caseworker", "high", reading(6))]
    for group in groups(rows, 3):
        assert group.persons is None and group.share_within_deadline is None
        assert all(f.p50_hours is None and f.count is None for f in group.clocks.values())


@given(st.lists(st.floats(min_value=0, max_value=1e7), min_size=1, max_size=50))
def test_percentiles_are_values_of_the_group_in_order(values: list[float]) -> None:
    ordered = sorted(values)
    p50, p90 = percentile(ordered, 0.5), percentile(ordered, 0.9)
    assert p50 in ordered and p90 in ordered and p50 <= p90 <= ordered[-1]
    shown = figures(values, 1)
    assert shown.max_hours == round(ordered[-1] / 3600, 3)
