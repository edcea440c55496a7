"""Dates as the municipality sees them: review dates, meeting months and "today" are Danish
calendar dates, whatever the offset of the instant a command carries."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Europe/Copenhagen")


def local_date(instant: datetime) -> date:
    return instant.astimezone(LOCAL_TZ).date()


def month_of(day: date) -> date:
    """The first day of the calendar month `day` is in."""
    return day.replace(day=1)


def next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def month_label(first: date) -> str:
    return f"{first.year:04d}-{first.month:02d}"
