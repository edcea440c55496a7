"""The caseworker's side over HTTP (issue 17, part 3): an assessment ("orienter" = `inform`,
"indkald" = `summon`) and the meeting with the family, recorded through notifications' API
by a caseworker, a team leader or a caseworker app, not only on Kafka.

Why here: notifications is the one consumer of `ssp.caseworker.assessments.v1` and turns an
assessment into the parents' letter (`LetterTaskCase`). An assessment over HTTP must have
exactly that effect, so it runs the very use case the Kafka consumer runs, in the same
aggregate; it is not written to the external topic (whose producers are the caseworker apps:
one producer per topic). Every assessment notifications records, either way, and every family
meeting are published by notifications on `ssp.notifications.assessments.v1`, which reporting
reads for the trace.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from services.notifications.domain.case_state import AssessmentResult
from services.notifications.domain.caseworker_record import CaseworkerRecord
from services.notifications.domain.letter_task_case import LetterTaskCase
from shared.contracts import CaseworkerAssessment
from shared.eventstore import UnitOfWork

if TYPE_CHECKING:
    from services.notifications.application.service import NotificationsService


class NoDecisionHere(LookupError):
    """Notifications knows no routing decision for this person and journal number."""


@dataclass(frozen=True)
class PersonOnRoute:
    """What the access check needs: the decision's municipality and route."""

    municipality_code: str
    route: str


def record_caseworker_assessment(
    uow: UnitOfWork, case: LetterTaskCase, assessment: CaseworkerAssessment, via: str
) -> CaseworkerRecord:
    record = _record(uow, assessment.journal_number, assessment.person_key)
    record.assess(
        assessment, via, case.decision.municipality_code if case.decision is not None else None
    )
    return record


class CaseworkerSide:
    def __init__(self, service: NotificationsService) -> None:
        self.service = service

    def person(self, journal_number: str, person_key: str) -> PersonOnRoute:
        """The person's governing decision, as notifications knows it."""
        case = UnitOfWork(self.service.app).get(
            LetterTaskCase, LetterTaskCase.create_id(journal_number, person_key)
        )
        if case is None or case.decision is None:
            raise NoDecisionHere(journal_number)
        return PersonOnRoute(case.decision.municipality_code, case.decision.route)

    def assess(self, assessment: CaseworkerAssessment) -> AssessmentResult:
        uow = UnitOfWork(self.service.app)
        result = self.service.receive_assessment_in(uow, assessment, via="http")
        uow.commit()
        return result

    def hold_family_meeting(
        self,
        journal_number: str,
        person_key: str,
        held_on: date,
        caseworker: str,
        youth_attended: bool,
    ) -> CaseworkerRecord:
        uow = UnitOfWork(self.service.app)
        record = _record(uow, journal_number, person_key)
        municipality = self.person(journal_number, person_key).municipality_code
        now: datetime = self.service.clock()
        record.hold_family_meeting(held_on, caseworker, youth_attended, now, municipality)
        uow.commit()
        return record


def _record(uow: UnitOfWork, journal_number: str, person_key: str) -> CaseworkerRecord:
    record = uow.get(CaseworkerRecord, CaseworkerRecord.create_id(journal_number, person_key))
    if record is None:
        record = CaseworkerRecord(journal_number, person_key)
        uow.add(record)
    return record
