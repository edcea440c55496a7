"""Reporting's aggregates: what it has observed, as events, so every read model can be rebuilt
from them (Ankestyrelsen's sample checks need every step traceable afterwards)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from services.reporting.domain.observations import Observation
from shared.eventstore import TracedAggregate

_NS = uuid5(NAMESPACE_URL, "urn:ssp:reporting")


class JournalTimeline(TracedAggregate):
    """Every step any service took for one police journal number, one event per message."""

    class StepObserved(TracedAggregate.Event):
        journal_number: str
        observation: str
        service: str
        step: str
        at: datetime
        person_key: str | None
        revision: int | None
        detail: str
        trace_id: str | None
        facts: dict[str, Any]
        observed_at: datetime

    @staticmethod
    def create_id(journal_number: str) -> UUID:
        return uuid5(_NS, f"timeline:{journal_number}")

    @event("Opened")
    def __init__(self, journal_number: str) -> None:
        self.journal_number = journal_number
        self.observations: set[str] = set()

    def observe(
        self, observation: Observation, *, service: str, trace_id: str | None, observed_at: datetime
    ) -> bool:
        """Record the step unless this fact was observed before (a redelivery without the
        relay's headers, or the same fact republished); True when it was recorded."""
        if observation.journal_number != self.journal_number:
            raise ValueError("the observation belongs to another journal number")
        if observation.key in self.observations:
            return False
        self._record_step(
            journal_number=self.journal_number,
            observation=observation.key,
            service=service,
            step=observation.step,
            at=observation.at,
            person_key=observation.person_key,
            revision=observation.revision,
            detail=observation.detail,
            trace_id=trace_id,
            facts=observation.facts,
            observed_at=observed_at,
        )
        return True

    @event(StepObserved)
    def _record_step(
        self,
        journal_number: str,
        observation: str,
        service: str,
        step: str,
        at: datetime,
        person_key: str | None,
        revision: int | None,
        detail: str,
        trace_id: str | None,
        facts: dict[str, Any],
        observed_at: datetime,
    ) -> None:
        self.observations.add(observation)


class UnattributedRejection(TracedAggregate):
    """A rejection whose input had no valid journal number: kept, though no trace can show it."""

    class Recorded(TracedAggregate.Created):
        reference: str
        service: str
        at: datetime
        detail: str
        trace_id: str | None
        facts: dict[str, Any]
        observed_at: datetime

    @staticmethod
    def create_id(reference: str) -> UUID:
        return uuid5(_NS, f"rejection:{reference}")

    @event(Recorded)
    def __init__(
        self,
        reference: str,
        service: str,
        at: datetime,
        detail: str,
        trace_id: str | None,
        facts: dict[str, Any],
        observed_at: datetime,
    ) -> None:
        self.reference = reference
        self.at = at
        self.detail = detail
