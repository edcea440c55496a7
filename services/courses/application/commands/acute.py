"""Commands of the acute-event procedure."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field

from services.courses.application.commands.base import CommandOn, StartCourse
from services.courses.application.commands.fields import Owner, Today, day_or_today
from services.courses.domain.acute_procedure import ACUTE_STEPS, AcuteProcedure
from services.courses.domain.course import Course, DeadlinePolicy
from shared.contracts.common import JournalNumber, MunicipalityCode
from shared.eventstore import UnitOfWork

StepNumber = Annotated[
    int,
    Field(
        ge=1,
        le=len(ACUTE_STEPS),
        description="; ".join(f"{s.number} {s.code}" for s in ACUTE_STEPS),
        examples=[4],
    ),
]


class StartAcuteProcedure(StartCourse):
    """Start the standard procedure after an acute incident (a director and a head of
    department decide it)."""

    municipality_code: MunicipalityCode
    reference: str = Field(
        pattern=r"^[a-z0-9][a-z0-9-]{0,63}$",
        description="The municipality's code for the incident (no names), unique in it.",
        examples=["2026-11-brand-skole"],
    )
    journal_number: JournalNumber | None = Field(
        default=None,
        description="The police journal number of the acute incident, if it is a police case: "
        "its letter task (published on the letter-task topic) and trace are found by it. "
        "Without one the standard letter is a task of the procedure only.",
    )
    director: Owner
    head_of_department: Owner

    def course_id(self) -> UUID:
        return AcuteProcedure.create_id(self.municipality_code, self.reference)

    def municipality_codes(self) -> dict[str, str]:
        return {"municipality_code": self.municipality_code}

    def create(self, uow: UnitOfWork, at: datetime, policy: DeadlinePolicy) -> Course:
        return AcuteProcedure.start(**dict(self), at=at, policy=policy)


class AcuteCommand(CommandOn[AcuteProcedure]):
    aggregate = AcuteProcedure


class AssignStep(AcuteCommand):
    step: StepNumber
    owner: Owner

    def run(self, course: AcuteProcedure, at: datetime) -> None:
        course.assign_step(self.step, self.owner, at)


class CompleteStep(AcuteCommand):
    """Step 4 sends the standard letter (its task is completed); step 9, the final report to
    the political level, closes the procedure and needs steps 2-8 done."""

    step: StepNumber
    on: Today = None

    def run(self, course: AcuteProcedure, at: datetime) -> None:
        course.complete_step(self.step, day_or_today(self.on, at), at)
