"""Commands of a TRIVSEL+ course."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field

from services.courses.application.commands.base import CommandOn, OnMeasure, StartCourse
from services.courses.application.commands.fields import ItemId, Note, Owner, Today, day_or_today
from services.courses.application.commands.follow_up import NextStepIn, RecordFollowUpAction
from services.courses.domain.course import Course, DeadlinePolicy
from services.courses.domain.eligibility import NotEligible, TrivselEligibility
from services.courses.domain.follow_up import FollowUpAction
from services.courses.domain.follow_up_terms import FollowUpOutcome
from services.courses.domain.trivsel import TrivselCourse
from services.courses.domain.trivsel_terms import (
    MAX_STEP,
    MIN_STEP,
    ConsentAnswer,
    FollowUpKind,
    TrivselMeasureKind,
    TrivselOutcome,
)
from shared.auth.principal import Role
from shared.contracts.common import JournalNumber, PersonKey
from shared.eventstore import UnitOfWork

Step = Annotated[
    int, Field(ge=MIN_STEP, le=MAX_STEP, description="The step placement.", examples=[2])
]


NOT_ELIGIBLE = "no routing decision gave this person to the SSP coordinator for this journal number"


class StartTrivsel(StartCourse):
    """Start a TRIVSEL+ course for a person routed to the SSP coordinator for this incident."""

    free_text = ("rationale",)

    person_key: PersonKey
    journal_number: JournalNumber
    step: Step
    rationale: Note
    coordinator: Owner
    local_leader: Owner

    def course_id(self) -> UUID:
        return TrivselCourse.create_id(self.person_key, self.journal_number)

    def create(self, uow: UnitOfWork, at: datetime, policy: DeadlinePolicy) -> Course:
        eligibility = uow.get(
            TrivselEligibility, TrivselEligibility.create_id(self.person_key, self.journal_number)
        )
        if eligibility is None or not eligibility.eligible:
            # Withdrawn, handed over or revised to the caseworker: no longer the coordinator's.
            raise NotEligible(NOT_ELIGIBLE)
        return TrivselCourse.start(
            **dict(self),
            municipality_code=eligibility.municipality_code,
            age_at_incident=eligibility.age_at_incident,
            at=at,
        )


class TrivselCommand(CommandOn[TrivselCourse]):
    aggregate = TrivselCourse


class PlaceOnStep(TrivselCommand):
    free_text = ("rationale",)
    step: Step
    rationale: Note

    def run(self, course: TrivselCourse, at: datetime) -> None:
        course.place_on_step(self.step, self.rationale, at)


class RequestConsent(TrivselCommand):
    on: Today = None

    def run(self, course: TrivselCourse, at: datetime) -> None:
        course.request_consent(day_or_today(self.on, at), at)


class RecordConsent(TrivselCommand):
    answer: ConsentAnswer = Field(
        description="given | refused | not_required (an adult: 18 or over at the incident)."
    )
    on: Today = None

    def run(self, course: TrivselCourse, at: datetime) -> None:
        course.record_consent(self.answer, day_or_today(self.on, at), at)


class AddGoal(TrivselCommand):
    free_text = ("description",)
    goal_id: ItemId
    description: Note
    owner: Owner
    review_on: date

    def run(self, course: TrivselCourse, at: datetime) -> None:
        course.add_goal(self.goal_id, self.description, self.owner, self.review_on, at)


class AddMeasure(TrivselCommand):
    free_text = ("description",)
    measure_id: ItemId
    goal_id: ItemId
    kind: TrivselMeasureKind
    description: Note
    owner: Owner
    review_on: date

    def run(self, course: TrivselCourse, at: datetime) -> None:
        course.add_measure(
            self.measure_id,
            self.goal_id,
            self.kind,
            self.description,
            self.owner,
            self.review_on,
            at,
        )


class StartMeasure(OnMeasure, TrivselCommand):
    def run(self, course: TrivselCourse, at: datetime) -> None:
        course.start_measure(self.measure_id, day_or_today(self.on, at), at)


class CompleteMeasure(OnMeasure, TrivselCommand):
    def run(self, course: TrivselCourse, at: datetime) -> None:
        course.complete_measure(self.measure_id, day_or_today(self.on, at), at)


class ReviewItem(TrivselCommand):
    free_text = ("note",)
    item_id: ItemId
    on: Today = None
    next_review_on: date | None = Field(
        description="The next review; null when no further review is planned."
    )
    note: Note = ""

    def run(self, course: TrivselCourse, at: datetime) -> None:
        course.review(self.item_id, day_or_today(self.on, at), self.next_review_on, self.note, at)


class RecordFollowUp(TrivselCommand):
    """A follow-up in the course: recorded as a follow-up action linked to the course
    (`course_id`; its note sealed there), and as the course's `follow_up_recorded`."""

    kind: FollowUpKind
    held_on: Today = None
    note: Note = ""
    held_by: Owner | None = Field(
        default=None, description="Who held it; the course's coordinator when omitted."
    )
    outcome: FollowUpOutcome = "held"
    next_step: NextStepIn | None = None

    def run(self, course: TrivselCourse, at: datetime) -> None:
        # The note stays with the action, sealed; the course keeps none of it.
        course.record_follow_up(self.kind, day_or_today(self.held_on, at), "", at)

    def also_records(
        self, course: Course, at: datetime, new_action: Callable[..., FollowUpAction]
    ) -> list[FollowUpAction]:
        assert isinstance(course, TrivselCourse)
        action = RecordFollowUpAction(
            person_key=course.person_key,
            municipality_code=course.municipality_code,
            journal_number=course.journal_number,
            course_id=course.id,
            kind=self.kind,
            held_on=day_or_today(self.held_on, at),
            held_by=self.held_by or course.coordinator,
            outcome=self.outcome,
            next_step=self.next_step,
            note=self.note,
        )
        # TRIVSEL+ commands are the tovholder's alone (access_policy: trivsel_course.manage).
        return [new_action(action, Role.TOVHOLDER.value, at)]


class CloseTrivsel(TrivselCommand):
    free_text = ("note",)
    outcome: TrivselOutcome
    note: Note = ""

    def run(self, course: TrivselCourse, at: datetime) -> None:
        course.close(self.outcome, self.note, at)
