"""Exit-programme referrals (issue 4, part 6): a person of 15 or more in an incident flagged
`bande` or `ekstremisme` is referred to the exit coordinator (seeds 001 "Exitstrategi" and 004
"Bande- og exitprogrammer"), once per person and incident.

One aggregate per (journal number, person key), created by the referral itself: its stored
creation event is what the outbox relay publishes, and its existence is what stops a second
referral when the incident is re-delivered or revised. The routing rule that decides a referral
is due (reason `exit_referral` on the decision) lives in `routing.py`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from services.triage.domain.erasure import ErasableAggregate
from services.triage.domain.ids import aggregate_id
from services.triage.domain.profiles import Owner
from services.triage.domain.roles import exit_flags_for
from shared.contracts import ExitReferral, Flag, RoutingDecision
from shared.eventstore import TracedAggregate


class PersonExitReferral(ErasableAggregate):
    class Referred(TracedAggregate.Created):
        journal_number: str
        person_key: str
        referral: dict[str, Any]

    @staticmethod
    def create_id(journal_number: str, person_key: str) -> UUID:
        return aggregate_id(f"exit-referral:{journal_number}|{person_key}")

    @event(Referred)
    def __init__(self, journal_number: str, person_key: str, referral: dict[str, Any]) -> None:
        self.journal_number = journal_number
        self.person_key = person_key
        self.referral = referral

    def forget(self, person_key: str) -> None:
        """Erased (issue 18): the referral is no longer shown (its id stays: no second one)."""
        self.referral = {}

    def as_contract(self) -> ExitReferral:
        return ExitReferral.model_validate(self.referral)


def exit_referral(
    decision: RoutingDecision, flags: list[Flag], owner: Owner, referred_at: datetime
) -> ExitReferral | None:
    """The referral a decision makes, or None when the incident's flags and the person's age do
    not call for one."""
    triggering = exit_flags_for(decision.role, flags, decision.age_at_incident)
    if not triggering:
        return None
    return ExitReferral(
        referral_id=str(PersonExitReferral.create_id(decision.journal_number, decision.person_key)),
        journal_number=decision.journal_number,
        revision=decision.revision,
        person_key=decision.person_key,
        municipality_code=decision.municipality_code,
        age_at_incident=decision.age_at_incident,
        workflow=decision.workflow,
        flags=triggering,
        offence_code=decision.offence_code,
        decision_id=decision.decision_id,
        owner_role=owner.role,
        owner_team=owner.team,
        referred_at=referred_at,
    )
