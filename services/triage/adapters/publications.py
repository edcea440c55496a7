"""What triage publishes for each stored event (the outbox relay calls this): each routing
decision once, on the topic of its route, each withdrawal on the withdrawals topic and each exit
referral on the referrals topic, each statement without a decision (a person not served here, a
decision a revision confirmed) on the statements topic, all keyed by person_key."""

from __future__ import annotations

from typing import Any

from services.triage.domain.exit_referrals import PersonExitReferral
from services.triage.domain.incident_triage import IncidentTriage
from shared.contracts import (
    TRIAGE_CASEWORKER,
    TRIAGE_EXIT_REFERRALS,
    TRIAGE_STATEMENTS,
    TRIAGE_TOVHOLDER,
    TRIAGE_WITHDRAWALS,
    DecisionWithdrawn,
    ExitReferral,
    PersonStatement,
    RoutingDecision,
)
from shared.messaging.dead_letters import dead_letter_publications
from shared.messaging.outgoing import Outgoing, as_contract

TOPIC_BY_ROUTE = {"caseworker": TRIAGE_CASEWORKER, "tovholder": TRIAGE_TOVHOLDER}


def triage_publications(event: Any) -> list[Outgoing]:
    if isinstance(event, IncidentTriage.PersonRouted):
        decision = RoutingDecision.model_validate(event.decision)
        return [Outgoing(TOPIC_BY_ROUTE[decision.route], decision.person_key, decision)]
    if isinstance(event, PersonExitReferral.Referred):
        return [as_contract(TRIAGE_EXIT_REFERRALS, ExitReferral, event.referral)]
    if isinstance(event, IncidentTriage.PersonWithdrawn):
        return [as_contract(TRIAGE_WITHDRAWALS, DecisionWithdrawn, event.withdrawal)]
    if isinstance(event, (IncidentTriage.PersonNotServed, IncidentTriage.DecisionUnchanged)):
        stored = getattr(event, "statement", None)  # none in DecisionUnchanged stored before
        if stored is None:
            return []
        return [as_contract(TRIAGE_STATEMENTS, PersonStatement, stored)]
    return dead_letter_publications(event)
