"""Recording exit-programme referrals within triage's unit of work (issue 4, part 6).

Kept apart from `service.py` so the incident use case only asks two things: has this person
been referred for this incident already (before deciding), and record the referrals the
decisions call for (after deciding).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from uuid import UUID

from services.triage.domain.exit_referrals import PersonExitReferral, exit_referral
from services.triage.domain.profiles import ProfileBook
from services.triage.domain.roles import exit_flags_for
from services.triage.domain.routing import EXIT_REFERRAL
from shared.contracts import (
    AcceptedIncident,
    ExitReferral,
    PseudonymousPerson,
    RoutingDecision,
)
from shared.eventstore import UnitOfWork

log = logging.getLogger(__name__)


def calls_for_referral(incident: AcceptedIncident, person: PseudonymousPerson) -> bool:
    """Whether the incident's flags and the person's age call for a referral. Only then does
    triage ask whether the person was referred already: the answer changes nothing otherwise
    (`route_person`), and most incidents carry no such flag."""
    return bool(incident.flags) and bool(
        exit_flags_for(person.role, incident.flags, person.age_at_incident)
    )


def exit_referral_ids(incident: AcceptedIncident) -> set[UUID]:
    """The referral aggregates an incident may touch, to load them with the rest of a batch:
    those of the persons it calls for a referral for."""
    return {
        PersonExitReferral.create_id(incident.journal_number, person.person_key)
        for person in incident.persons
        if calls_for_referral(incident, person)
    }


def already_referred(uow: UnitOfWork, journal_number: str, person_key: str) -> bool:
    referral_id = PersonExitReferral.create_id(journal_number, person_key)
    return uow.get(PersonExitReferral, referral_id) is not None


def record_exit_referrals(
    uow: UnitOfWork,
    incident: AcceptedIncident,
    decisions: Iterable[RoutingDecision],
    profiles: ProfileBook,
) -> list[ExitReferral]:
    """One referral for each decision whose reasons include `exit_referral`; never a second one
    for the same person and incident."""
    referrals = []
    for decision in decisions:
        if EXIT_REFERRAL not in decision.reasons:
            continue
        if already_referred(uow, decision.journal_number, decision.person_key):
            continue
        owner = profiles.for_municipality(decision.municipality_code).exit_referral_owner()
        referral = exit_referral(decision, list(incident.flags), owner, decision.decided_at)
        if referral is None:
            continue
        uow.add(
            PersonExitReferral(
                journal_number=decision.journal_number,
                person_key=decision.person_key,
                referral=referral.model_dump(mode="json"),
            )
        )
        log.info(
            "triage: %s revision %d: %s referred to the exit programme (%s), owner %s/%s",
            referral.journal_number,
            referral.revision,
            referral.person_key,
            ", ".join(referral.flags),
            referral.owner_role,
            referral.owner_team or "-",
        )
        referrals.append(referral)
    return referrals
