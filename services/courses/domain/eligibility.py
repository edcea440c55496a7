"""Who may get a TRIVSEL+ course: a person the SSP coordinator (tovholder) was given for an
incident. One record per person and journal number; never published (it is not a course)."""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from services.courses.domain.course import InvalidCommand
from shared.contracts import RoutingDecision
from shared.eventstore import TracedAggregate

_NS = uuid5(NAMESPACE_URL, "urn:ssp:courses:eligibility")


class NotEligible(InvalidCommand):
    """No tovholder routing decision names this person for this journal number."""

    code = "not_eligible"


class TrivselEligibility(TracedAggregate):
    class Recorded(TracedAggregate.Created):
        person_key: str
        journal_number: str
        decision_id: str
        revision: int
        municipality_code: str
        age_at_incident: int
        decided_at: datetime

    class DecisionRevised(TracedAggregate.Event):
        decision_id: str
        revision: int
        municipality_code: str
        age_at_incident: int
        decided_at: datetime

    @staticmethod
    def create_id(person_key: str, journal_number: str) -> UUID:
        return uuid5(_NS, f"{person_key}:{journal_number}")

    @classmethod
    def from_decision(cls, decision: RoutingDecision) -> TrivselEligibility:
        return cls(
            person_key=decision.person_key,
            journal_number=decision.journal_number,
            decision_id=decision.decision_id,
            revision=decision.revision,
            municipality_code=decision.municipality_code,
            age_at_incident=decision.age_at_incident,
            decided_at=decision.decided_at,
        )

    @event(Recorded)
    def __init__(
        self,
        person_key: str,
        journal_number: str,
        decision_id: str,
        revision: int,
        municipality_code: str,
        age_at_incident: int,
        decided_at: datetime,
    ) -> None:
        self.person_key = person_key
        self.journal_number = journal_number
        self.decision_ids = [decision_id]
        self.revision = revision
        self.municipality_code = municipality_code
        self.age_at_incident = age_at_incident
        self.decided_at = decided_at

    def receive(self, decision: RoutingDecision) -> bool:
        """Record a further decision (a later revision); False when it was known already."""
        if decision.decision_id in self.decision_ids:
            return False
        self.revise(
            decision_id=decision.decision_id,
            revision=decision.revision,
            municipality_code=decision.municipality_code,
            age_at_incident=decision.age_at_incident,
            decided_at=decision.decided_at,
        )
        return True

    @event(DecisionRevised)
    def revise(
        self,
        decision_id: str,
        revision: int,
        municipality_code: str,
        age_at_incident: int,
        decided_at: datetime,
    ) -> None:
        self.decision_ids.append(decision_id)
        # The highest revision governs, whatever order the decisions arrived in.
        if revision >= self.revision:
            self.revision = revision
            self.municipality_code = municipality_code
            self.age_at_incident = age_at_incident
            self.decided_at = decided_at
