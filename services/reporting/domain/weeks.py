"""ISO weeks as the handover meeting counts them: in Danish local time, so an incident
registered at 00:30 on a Monday belongs to that Monday's week, not to the previous one in UTC."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

DANISH_TIME = ZoneInfo("Europe/Copenhagen")
_ISO_WEEK = re.compile(r"(?P<year>[0-9]{4})-W(?P<week>[0-9]{2})")


class InvalidIsoWeek(ValueError):
    """Not an ISO 8601 week such as `2026-W47`."""


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        match = _ISO_WEEK.fullmatch(text)
        if match is None:
            raise InvalidIsoWeek("iso_week must look like 2026-W47 (year, '-W', two-digit week)")
        year, week = int(match["year"]), int(match["week"])
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            raise InvalidIsoWeek(f"week {week:02d} does not exist in ISO year {year}") from None
        return cls(year, week)

    @classmethod
    def containing(cls, moment: datetime) -> IsoWeek:
        year, week, _ = moment.astimezone(DANISH_TIME).isocalendar()
        return cls(year, week)

    def __str__(self) -> str:
        return f"{self.year:04d}-W{self.week:02d}"
