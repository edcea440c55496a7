"""What triage does when intake erased a person (`PersonErased`, issue 18, part 3).

1. It records the erasure (`ErasedPerson`, shared/eventstore/erasure.py): from then on its
   consumers and relay withhold the person.
2. It destroys the person's data key in triage's own keyring (kind `person`): every text of the
   weekly meeting's minutes about them (sealed with it) is unreadable in every stored event.
3. It records `PersonErased` (no personal data: the pseudonym, the erasure's id) on every
   aggregate of theirs it can find: their history, case register and open items; the incidents
   of their history and the exit referrals made in them; the meetings that name them
   (`PersonMeetings`); the PSP/KSP handover lists of their municipalities. Each forgets them,
   also when rebuilt from its events.

What it cannot find from the person (an out-of-scope or not-served entry of an incident, the
day they turn 18) is withheld where read, by the recorded erasure. Every step is idempotent:
a re-delivered `PersonErased` changes nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from services.triage.domain.adulthood import PersonOpenItems, PspKspHandovers
from services.triage.domain.case_register import PersonCaseRegister
from services.triage.domain.erasure import ErasableAggregate
from services.triage.domain.exit_referrals import PersonExitReferral
from services.triage.domain.incident_triage import IncidentTriage
from services.triage.domain.meetings import PersonMeetings, WeeklyMeeting
from services.triage.domain.person_history import PersonHistory
from shared.contracts import PersonErased
from shared.eventstore import UnitOfWork
from shared.messaging.consumers import record_erasure

if TYPE_CHECKING:
    from services.triage.application.service import TriageService

PERSON_KIND = "person"
"""The kind of a person's erasure in triage's keyring (`ssp erasure-report`)."""


def erase_person_in(service: TriageService, uow: UnitOfWork, erased: PersonErased) -> int:
    """Forget the person in triage (see the module); how many aggregates recorded it."""
    record_erasure(service, uow, erased)
    person_key = erased.person_key
    service.app.keyring.destroy(
        person_key, erased.erasure_id, PERSON_KIND, erased.reason, erased.erased_at
    )
    marked = 0
    for aggregate in _aggregates_of(uow, erased):
        marked += aggregate.erase(person_key, erased.erasure_id)
    return marked


def erased_person_ids(person_key: str) -> set[UUID]:
    """The aggregates an erasure reads first (a batch loads them with one query)."""
    return {
        PersonHistory.create_id(person_key),
        PersonCaseRegister.create_id(person_key),
        PersonOpenItems.create_id(person_key),
        PersonMeetings.create_id(person_key),
    }


def erased_person_found_ids(uow: UnitOfWork, person_key: str) -> set[UUID]:
    """What those name (a second query): the incidents and referrals of the history, the
    meetings of `PersonMeetings`."""
    ids: set[UUID] = set()
    history = uow.get(PersonHistory, PersonHistory.create_id(person_key))
    for journal_number in history.revisions if history is not None else ():
        ids.add(IncidentTriage.create_id(journal_number))
        ids.add(PersonExitReferral.create_id(journal_number, person_key))
    index = uow.get(PersonMeetings, PersonMeetings.create_id(person_key))
    for meeting in index.meetings if index is not None else ():
        ids.add(WeeklyMeeting.create_id(*meeting.split("/")))
    return ids


def _aggregates_of(uow: UnitOfWork, erased: PersonErased) -> list[ErasableAggregate]:
    person_key = erased.person_key
    found: list[Any] = [
        uow.get(PersonHistory, PersonHistory.create_id(person_key)),
        uow.get(PersonCaseRegister, PersonCaseRegister.create_id(person_key)),
        uow.get(PersonOpenItems, PersonOpenItems.create_id(person_key)),
    ]
    history = found[0]
    municipalities = {erased.municipality_code} if erased.municipality_code else set()
    # Every incident the history ever recorded (withdrawn ones too: their referral stays).
    for journal_number in sorted(history.revisions if history is not None else ()):
        triage = uow.get(IncidentTriage, IncidentTriage.create_id(journal_number))
        if triage is not None:
            decision = triage.decisions.get(person_key)
            if decision is not None:
                municipalities.add(decision["municipality_code"])
            found.append(triage)
        found.append(
            uow.get(PersonExitReferral, PersonExitReferral.create_id(journal_number, person_key))
        )
    index = uow.get(PersonMeetings, PersonMeetings.create_id(person_key))
    if index is not None:
        for meeting in index.meetings:
            code, week = meeting.split("/")
            found.append(uow.get(WeeklyMeeting, WeeklyMeeting.create_id(code, week)))
        found.append(index)
    for code in sorted(municipalities):
        found.append(uow.get(PspKspHandovers, PspKspHandovers.create_id(code)))
    return [aggregate for aggregate in found if aggregate is not None]
