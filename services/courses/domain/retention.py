"""Retention of courses and follow-up actions (issue 18, part 2): erased a number of years
after they were closed, per municipality (its profile setting), by default KLE's standard
disposal, "kassation 5 år efter sagens afslutning" (docs/record-of-processing.md), the
record's closing taken as the case's close."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel, Field

DEFAULT_YEARS_AFTER_CLOSING = 5
RETENTION_DEADLINE = "retention_deadline"
"""Why the job erases a record (the erasure reason `ssp erasure-report` counts)."""


class MunicipalityRetention(BaseModel):
    """One municipality's own deadline (its profile setting)."""

    years_after_closing: int = Field(
        ge=1,
        le=50,
        description="Years after a course or follow-up action was closed that courses erases it.",
    )


def anniversary(moment: datetime, years: int) -> datetime:
    """`moment`, `years` calendar years on; a 29 February falls on 1 March in a common year
    (the later day: nothing is erased before its full years have passed)."""
    year = moment.year + years
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if moment.month == 2 and moment.day == 29 and not leap:
        return moment.replace(year=year, month=3, day=1)
    return moment.replace(year=year)


@dataclass(frozen=True)
class RetentionRules:
    years_after_closing: int = DEFAULT_YEARS_AFTER_CLOSING
    by_municipality: Mapping[str, MunicipalityRetention] = field(default_factory=dict)

    def years_for(self, municipality_codes: Iterable[str]) -> int:
        """A record several municipalities have access to (a transferred exit programme) is
        kept for the longest of their deadlines; none with a rule of its own: the default."""
        years = [
            self.by_municipality[code].years_after_closing
            for code in municipality_codes
            if code in self.by_municipality
        ]
        return max(years, default=self.years_after_closing)

    def is_due(self, closed_at: datetime, municipality_codes: Iterable[str], now: datetime) -> bool:
        return anniversary(closed_at, self.years_for(municipality_codes)) <= now
