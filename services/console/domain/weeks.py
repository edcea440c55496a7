"""ISO weeks as the meeting knows them: `2026-W49`, this week in Danish time."""

from __future__ import annotations

import re
from datetime import date, datetime

from shared.danish import COPENHAGEN

ISO_WEEK = re.compile(r"[0-9]{4}-W(0[1-9]|[1-4][0-9]|5[0-3])")
MUNICIPALITY = re.compile(r"[0-9]{3}")


def current_iso_week(now: datetime) -> str:
    year, week, _ = now.astimezone(COPENHAGEN).isocalendar()
    return f"{year}-W{week:02d}"


def valid_week(value: str | None) -> bool:
    return value is not None and ISO_WEEK.fullmatch(value) is not None


def shift_week(iso_week: str, weeks: int) -> str:
    year, week = int(iso_week[:4]), int(iso_week[6:])
    monday = date.fromisocalendar(year, week, 1)
    shifted = date.fromordinal(monday.toordinal() + 7 * weeks)
    y, w, _ = shifted.isocalendar()
    return f"{y}-W{w:02d}"
