"""Commands of an exit programme."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field

from services.courses.application.commands.base import Command, CommandOn, OnMeasure, StartCourse
from services.courses.application.commands.fields import (
    Department,
    ItemId,
    Note,
    Owner,
    Today,
    day_or_today,
)
from services.courses.application.course_index import ReferralSummary
from services.courses.domain.course import Course, DeadlinePolicy
from services.courses.domain.exit_programme import ExitProgramme
from services.courses.domain.exit_programme_terms import (
    Clarification,
    ContractMeasure,
    DeclineReason,
    EndReason,
    ExitMeasureKind,
    ExitOutcome,
    InfohusReason,
    ReferredBy,
)
from services.courses.domain.exit_referral import ExitReferralRecord
from shared.contracts.common import JournalNumber, MunicipalityCode, PersonKey
from shared.eventstore import UnitOfWork


class ReferToExitProgramme(StartCourse):
    """Refer a person of 15 or over to an exit programme."""

    person_key: PersonKey
    municipality_code: MunicipalityCode
    age_at_referral: Annotated[int, Field(ge=0, le=120, examples=[17])]
    referred_by: ReferredBy
    referred_on: date
    coordinator: Owner
    journal_number: JournalNumber | None = None

    def course_id(self) -> UUID:
        return ExitProgramme.create_id(self.person_key, self.referred_on)

    def municipality_codes(self) -> dict[str, str]:
        return {"municipality_code": self.municipality_code}

    def create(self, uow: UnitOfWork, at: datetime, policy: DeadlinePolicy) -> Course:
        programme = ExitProgramme.refer(**dict(self), at=at)
        if self.journal_number is not None:
            # Triage's referral for this person and incident is now taken up: saved in the
            # same transaction as the programme, so it is marked exactly when one starts.
            referral = uow.get(
                ExitReferralRecord,
                ExitReferralRecord.create_id(self.person_key, self.journal_number),
            )
            if referral is not None:
                referral.mark_started(programme.id, at)
        return programme


class StartFromReferral(Command):
    """Start an exit programme from triage's referral (`GET /v1/exit-referrals`): the person,
    municipality, age and journal number come from the referral, not typed again (issue 14,
    part 6)."""

    coordinator: Owner
    referred_by: ReferredBy = "police"
    """Triage's referrals follow a police report."""
    referred_on: Today = None

    def command_for(self, referral: ReferralSummary, today: date) -> ReferToExitProgramme:
        return ReferToExitProgramme(
            person_key=referral.person_key,
            municipality_code=referral.municipality_code,
            age_at_referral=referral.age_at_incident,
            referred_by=self.referred_by,
            referred_on=self.referred_on or today,
            coordinator=self.coordinator,
            journal_number=referral.journal_number,
        )


class ExitCommand(CommandOn[ExitProgramme]):
    aggregate = ExitProgramme


class RecordClarifyingTalk(ExitCommand):
    free_text = ("note",)
    held_on: Today = None
    with_police: bool = Field(description="The police's exit officer took part.")
    in_target_group: Clarification
    motivated: Clarification
    note: Note = ""

    def run(self, course: ExitProgramme, at: datetime) -> None:
        course.record_clarifying_talk(
            held_on=day_or_today(self.held_on, at),
            with_police=self.with_police,
            in_target_group=self.in_target_group,
            motivated=self.motivated,
            note=self.note,
            at=at,
        )


class AcceptIntoProgramme(ExitCommand):
    on: Today = None

    def run(self, course: ExitProgramme, at: datetime) -> None:
        course.accept(day_or_today(self.on, at), at)


class DeclineReferral(ExitCommand):
    free_text = ("note",)
    reason: DeclineReason
    note: Note = ""

    def run(self, course: ExitProgramme, at: datetime) -> None:
        course.decline(self.reason, self.note, at)


class ContractMeasureIn(Command):
    measure_id: ItemId
    department: Department
    kind: ExitMeasureKind
    due_on: date


class AgreeContract(ExitCommand):
    measures: list[ContractMeasureIn] = Field(min_length=1, max_length=50)

    def run(self, course: ExitProgramme, at: datetime) -> None:
        course.agree_contract(
            [
                ContractMeasure(
                    measure_id=m.measure_id,
                    department=m.department,
                    kind=m.kind,
                    due_on=m.due_on,
                    completed_on=None,
                )
                for m in self.measures
            ],
            at,
        )


class CompleteContractMeasure(OnMeasure, ExitCommand):
    def run(self, course: ExitProgramme, at: datetime) -> None:
        course.complete_contract_measure(self.measure_id, day_or_today(self.on, at), at)


class RecordMeeting(ExitCommand):
    free_text = ("note",)
    held_on: Today = None
    departments: list[Department] = Field(default_factory=list, max_length=30)
    note: Note = ""

    def run(self, course: ExitProgramme, at: datetime) -> None:
        course.record_meeting(day_or_today(self.held_on, at), self.departments, self.note, at)


class TransferProgramme(ExitCommand):
    to_municipality_code: MunicipalityCode
    moved_on: Today = None

    def municipality_codes(self) -> dict[str, str]:
        return {"to_municipality_code": self.to_municipality_code}

    def run(self, course: ExitProgramme, at: datetime) -> None:
        course.transfer(self.to_municipality_code, day_or_today(self.moved_on, at), at)


class EscalateToInfohus(ExitCommand):
    reason: InfohusReason
    on: Today = None

    def run(self, course: ExitProgramme, at: datetime) -> None:
        course.escalate_to_infohus(day_or_today(self.on, at), self.reason, at)


class EndProgramme(ExitCommand):
    free_text = ("note",)
    outcome: ExitOutcome
    reason: EndReason
    note: Note = ""

    def run(self, course: ExitProgramme, at: datetime) -> None:
        course.end(self.outcome, self.reason, self.note, at)
