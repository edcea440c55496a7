"""Dates, deadlines and ISO weeks as a Danish reader expects them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from services.console.domain.weeks import current_iso_week, shift_week
from shared.danish import (
    MONTHS,
    clock_duration,
    course_deadline,
    danish_date,
    danish_datetime,
    time_left,
)


def test_dates_are_written_the_danish_way() -> None:
    assert danish_date("2026-12-05") == "5. december 2026"
    # Copenhagen time: 23:30 UTC on 5 December is already the 6th there.
    assert danish_date("2026-12-05T23:30:00+00:00") == "6. december 2026"
    assert danish_datetime("2026-07-01T12:05:00+00:00") == "1. juli 2026 kl. 14.05"
    assert danish_date(None) == "\u2013"


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_every_date_names_its_day_month_and_year(day: date) -> None:
    assert danish_date(day) == f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


def test_time_left_and_overdue() -> None:
    now = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
    assert time_left(now + timedelta(days=2, hours=3), now) == "2 dage og 3 timer tilbage"
    assert time_left(now + timedelta(hours=1), now) == "1 time tilbage"
    assert time_left(now - timedelta(minutes=40), now) == "Overskredet for 40 minutter siden"
    assert time_left(None, now) == "Ingen frist"


def test_iso_weeks_in_danish_time() -> None:
    # Sunday 23:30 UTC is Monday in Copenhagen: the next week.
    assert current_iso_week(datetime(2026, 11, 22, 23, 30, tzinfo=UTC)) == "2026-W48"
    assert shift_week("2026-W01", -1) == "2025-W52"
    assert shift_week("2026-W53", 1) == "2027-W01"


def test_course_deadlines_in_danish() -> None:
    assert course_deadline("review:goal-1@2026-12-01") == "opfølgning 1. december 2026"
    assert course_deadline("consent#2") == "samtykke ikke besvaret"
    assert course_deadline("measure:m1@2026-11-30") == "indsats i kontrakten 30. november 2026"
    assert course_deadline("month:2026-11") == "månedligt møde 2026-11"


def test_a_clock_reads_under_a_minute_minutes_hours_or_days() -> None:
    assert clock_duration(3.5) == "under 1 minut"
    assert clock_duration(60) == "1 minut"
    assert clock_duration(2 * 3600) == "2 timer"
    assert clock_duration(26.5 * 3600) == "1 dag og 2 timer"
