"""The review export (issue 17, part 4): a reproducible sample of a municipality's persons of
a year, and per person the timeline with the reviewer's checks (domain/review.py).

What the caller sees is what the person's timeline shows them (application/timeline.py): the
checks rest only on those rows, so a reviewer of one municipality is never judged on, nor
shown, another municipality's steps."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from services.reporting.adapters.views.reader import ViewReader
from services.reporting.application.access_policy import ReportingAction
from services.reporting.application.answers import Answer
from services.reporting.application.timeline import MOST_ROWS, PersonTimeline, PersonTimelines
from services.reporting.domain.review import CheckResult, draw_sample, review_checks
from shared.auth import Principal, Visibility
from shared.clock import Clock, utc_now
from shared.danish import COPENHAGEN

LARGEST_SAMPLE = 1000
"""The most persons in one sample (Ankestyrelsen reviews about 300 a year in all)."""


class SampledPerson(BaseModel):
    person_key: str
    findings: dict[str, str]
    """check → opfyldt, ikke_opfyldt or kan_ikke_vurderes."""


class ReviewSample(BaseModel):
    municipality_code: str
    year: int
    size: int
    seed: int
    population: int
    """In-scope persons of the municipality in the year's police reports."""
    algorithm: str
    persons: list[SampledPerson]


class PersonReview(BaseModel):
    person_key: str
    name: str | None = None
    """Resolved only for a role allowed to; otherwise the pseudonym stands alone."""
    checks: list[CheckResult]
    timeline: PersonTimeline


ReviewAnswer = Answer[PersonReview]


ALGORITHM = (
    "population = sorted distinct person keys; "
    "random.Random(seed).sample(population, min(size, len(population))); sorted"
)


class Reviews:
    def __init__(
        self, reader: ViewReader, timelines: PersonTimelines, clock: Clock = utc_now
    ) -> None:
        self.reader = reader
        self.timelines = timelines
        self.clock = clock

    def _checks(self, principal: Principal, person_key: str) -> list[CheckResult]:
        today = self.clock().astimezone(COPENHAGEN).date()
        return review_checks(self._rows_seen(principal, person_key), today)

    def sample(
        self, principal: Principal, municipality_code: str, year: int, size: int, seed: int
    ) -> ReviewSample:
        """The sample with each person's findings on what the caller sees of them (the route
        requires the municipality in the caller's reach first)."""
        population = self.reader.persons_of_year(municipality_code, year)
        persons = [
            SampledPerson(
                person_key=key,
                findings={c.check: c.finding for c in self._checks(principal, key)},
            )
            for key in draw_sample(population, size, seed)
        ]
        return ReviewSample(
            municipality_code=municipality_code, year=year, size=size, seed=seed,
            population=len(population), algorithm=ALGORITHM, persons=persons,
        )  # fmt: skip

    def person(self, principal: Principal, person_key: str) -> ReviewAnswer:
        answer = self.timelines.timeline_for(principal, person_key, limit=MOST_ROWS)
        if answer.found is None:
            return ReviewAnswer(answer.known, answer.decision)
        checks = self._checks(principal, person_key)
        review = PersonReview(person_key=person_key, checks=checks, timeline=answer.found)
        return ReviewAnswer(True, answer.decision, review)

    def _rows_seen(self, principal: Principal, person_key: str) -> list[dict[str, Any]]:
        stored = self.reader.person_timeline(person_key)
        visibility = Visibility(principal, ReportingAction.READ_PERSON_TIMELINE)
        return self.timelines.visible_rows(visibility, stored)
