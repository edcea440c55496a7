"""Commands of a follow-up action (issue 17, part 2): record one for a person on any route,
complete or reschedule its next step.

The note is free text about a family: the service seals it (`adapters/texts.py`) before
the action is stored, and it is never published.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import Field

from services.courses.application.commands.base import Command
from services.courses.application.commands.fields import Note, Owner, Today
from services.courses.domain.follow_up_terms import FollowUpKind, FollowUpOutcome, NextStep
from shared.contracts.common import JournalNumber, MunicipalityCode, PersonKey


class NextStepIn(Command):
    """The agreed next step: what, who owns it, and by when."""

    kind: FollowUpKind
    owner: Owner
    due_on: date = Field(
        description="When it is due; not before `held_on`. A date already passed is allowed "
        "(recorded afterwards): the step is then overdue at once.",
        examples=["2026-12-10"],
    )

    def as_step(self) -> NextStep:
        return NextStep(kind=self.kind, owner=self.owner, due_on=self.due_on)


class RecordFollowUpAction(Command):
    """A follow-up action held for a young person, on any route."""

    person_key: PersonKey
    municipality_code: MunicipalityCode = Field(
        description="The municipality recording it (one of your token's)."
    )
    journal_number: JournalNumber | None = Field(
        default=None, description="The police journal number it follows, if any."
    )
    course_id: UUID | None = Field(
        default=None,
        description="The TRIVSEL+ course it belongs to, if any: the course records the "
        "follow-up too (follow_up_recorded) and must be open and about the same person.",
    )
    kind: FollowUpKind
    held_on: Today = None
    held_by: Owner
    outcome: FollowUpOutcome
    next_step: NextStepIn | None = None
    note: Note = ""

    def municipality_codes(self) -> dict[str, str]:
        return {"municipality_code": self.municipality_code}


class ChangeFollowUp(Command):
    expected_version: int = Field(
        ge=1,
        description="The action's version the command was issued against: another current "
        "version answers 409 version_conflict.",
        examples=[1],
    )


class CompleteNextStep(ChangeFollowUp):
    on: Today = None
    by: Owner


class RescheduleNextStep(ChangeFollowUp):
    owner: Owner
    due_on: Annotated[date, Field(description="The new due date; not in the past.")]
