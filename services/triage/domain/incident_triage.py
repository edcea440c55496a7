"""The triage of one police journal number: for each revision, one routing decision per
in-scope person, and a record of each out-of-scope person (recorded, never silently dropped).

One stored event per decision, so the outbox relay publishes exactly one message for it.
Persons registered in the same incident are linked on each decision
(`co_registered_person_keys`), so reporting can show who appears together.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from services.triage.domain.profiles import ProfileBook
from services.triage.domain.routing import PersonFacts, route_person
from shared.contracts import AcceptedIncident, RoutingDecision
from shared.eventstore import TracedAggregate

_NS = uuid5(NAMESPACE_URL, "urn:ssp:triage")


class RevisionNotNewer(ValueError):
    """A revision not higher than the one already triaged changes nothing."""


class IncidentTriage(TracedAggregate):
    class RevisionReceived(TracedAggregate.Event):
        revision: int

    class PersonRouted(TracedAggregate.Event):
        decision: dict[str, Any]

    class PersonOutOfScope(TracedAggregate.Event):
        person_key: str
        age_at_incident: int

    @staticmethod
    def create_id(journal_number: str) -> UUID:
        return uuid5(_NS, f"incident:{journal_number}")

    @event("Opened")
    def __init__(self, journal_number: str) -> None:
        self.journal_number = journal_number
        self.revision = 0
        self.decisions: dict[str, dict[str, Any]] = {}
        self.out_of_scope: dict[str, int] = {}

    def supersedes(self, revision: int) -> bool:
        return revision > self.revision

    def triage(
        self,
        incident: AcceptedIncident,
        facts: Mapping[str, PersonFacts],
        profiles: ProfileBook,
        decided_at: datetime,
    ) -> list[RoutingDecision]:
        """Route every in-scope person of a new revision by their residence municipality's
        profile; `facts` by person_key (a person without facts has no case and no history)."""
        if not self.supersedes(incident.revision):
            raise RevisionNotNewer(f"{incident.journal_number} revision {incident.revision}")
        self.receive_revision(revision=incident.revision)
        everyone = list(dict.fromkeys(p.person_key for p in incident.persons))
        decisions = []
        for person in incident.persons:
            # The same person listed twice (e.g. in two roles) gets one decision: the first.
            if person.person_key in self.decisions or person.person_key in self.out_of_scope:
                continue
            if not person.in_scope:
                self.record_out_of_scope(
                    person_key=person.person_key, age_at_incident=person.age_at_incident
                )
                continue
            decision = route_person(
                person,
                incident,
                facts.get(person.person_key, PersonFacts()),
                profiles.for_municipality(person.municipality_code),
                decided_at,
                co_registered=everyone,
            )
            self.record_decision(decision=decision.model_dump(mode="json"))
            decisions.append(decision)
        return decisions

    def latest_decisions(self) -> list[RoutingDecision]:
        return [RoutingDecision.model_validate(d) for d in self.decisions.values()]

    @event(RevisionReceived)
    def receive_revision(self, revision: int) -> None:
        self.revision = revision
        self.decisions = {}
        self.out_of_scope = {}

    @event(PersonRouted)
    def record_decision(self, decision: dict[str, Any]) -> None:
        self.decisions[decision["person_key"]] = decision

    @event(PersonOutOfScope)
    def record_out_of_scope(self, person_key: str, age_at_incident: int) -> None:
        self.out_of_scope[person_key] = age_at_incident
