"""Retention rules (issue 18, part 2): how long intake keeps a person after their last police
report, and rejected input after it was closed, per municipality, with defaults from the KLE
deletion deadlines that docs/record-of-processing.md cites (five years after the last report)
and the platform's reading where neither KLE nor the municipalities' documents name one
(rejected input: 30 days)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from eventsourcing.domain import event
from pydantic import BaseModel, Field

from shared.eventstore import TracedAggregate
from shared.eventstore.ids import IdSpace, keyed_id

_IDS = IdSpace("urn:ssp:intake:retention-runs")

DEFAULT_POLICE_REPORT_YEARS = 5
"""KLE's standard disposal, "kassation 5 år efter sagens afslutning", the last report taken
as the case's close."""
DEFAULT_REJECTED_INPUT_DAYS = 30
"""Rejected input is a transport error, not a case: the corrected input is the record. KLE
names no deadline for it and the municipalities' documents are silent: the platform's reading,
a month to look into a correction, is the default; a municipality may set its own."""


def _own(most: int, description: str) -> Any:
    """A municipality's own deadline: 1 to `most`, or None (the default)."""
    return Field(default=None, ge=1, le=most, description=description)


class MunicipalityRetention(BaseModel):
    """One municipality's own deadlines (its profile setting); one left out: the default."""

    police_report_years: int | None = _own(
        50, "Years after a person's last police report or case event that intake erases them."
    )
    rejected_input_days: int | None = _own(
        3650,
        "Days after rejected input naming the municipality was corrected or resubmitted that "
        "intake makes it unreadable.",
    )


def years_after(moment: datetime, years: int) -> datetime:
    """The same calendar moment `years` later (29 February: 28 February in a common year)."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


@dataclass(frozen=True)
class RetentionRules:
    police_report_years: int = DEFAULT_POLICE_REPORT_YEARS
    rejected_input_days: int = DEFAULT_REJECTED_INPUT_DAYS
    by_municipality: Mapping[str, MunicipalityRetention] = field(default_factory=dict)

    def years_for(self, municipality_codes: Iterable[str]) -> int:
        """A person known in several municipalities is kept for the longest of their
        deadlines (erasing earlier would break the other municipality's own rule); in none
        (or none with a rule of its own): the default."""
        own = [self.by_municipality.get(code) for code in municipality_codes]
        years = [r.police_report_years for r in own if r is not None and r.police_report_years]
        return max(years, default=self.police_report_years)

    def shortest_years(self) -> int:
        """No person's deadline is shorter: a report younger than this needs no rule."""
        own = (r.police_report_years for r in self.by_municipality.values())
        return min([self.police_report_years, *(y for y in own if y is not None)])

    def days_for(self, municipality_codes: Iterable[str]) -> int:
        """Rejected input naming several municipalities is kept for the longest of their
        deadlines; naming none (or none with a rule of its own): the default."""
        own = [self.by_municipality.get(code) for code in municipality_codes]
        days = [r.rejected_input_days for r in own if r is not None and r.rejected_input_days]
        return max(days, default=self.rejected_input_days)

    def rejection_is_due(
        self, closed_at: datetime, now: datetime, municipality_codes: Iterable[str] = ()
    ) -> bool:
        return closed_at + timedelta(days=self.days_for(municipality_codes)) <= now

    def is_due(
        self, last_report: datetime, municipality_codes: Iterable[str], now: datetime
    ) -> bool:
        """The person's deadline has passed: `years_for` years after the last report."""
        return years_after(last_report, self.years_for(municipality_codes)) <= now


class RetentionRun(TracedAggregate):
    """That the retention job ran on `day` (UTC), and how many it erased (counts only).
    No longer written: the job's day is marked by shared/eventstore/daily_job.py's `DailyRun`;
    the class stays so that stores holding these events still read them."""

    class Recorded(TracedAggregate.Created):
        day: str
        persons_erased: int
        rejections_erased: int

    # `day`: YYYY-MM-DD (UTC).
    create_id = keyed_id(_IDS, "day")

    @event(Recorded)
    def __init__(self, day: str, persons_erased: int, rejections_erased: int) -> None:
        self.day = day
        self.persons_erased = persons_erased
        self.rejections_erased = rejections_erased
