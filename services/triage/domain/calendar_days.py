"""Days as Danish municipalities count them: a birthday is a date in Danish time."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

DANISH_TIME = ZoneInfo("Europe/Copenhagen")


def local_today(now: datetime) -> date:
    return now.astimezone(DANISH_TIME).date()
