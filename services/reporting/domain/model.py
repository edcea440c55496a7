"""Reporting's aggregates: what it has observed, as events, so every read model can be rebuilt
from them (Ankestyrelsen's sample checks need every step traceable afterwards)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import event

from services.reporting.domain.observations import Observation
from shared.eventstore import TracedAggregate
from shared.eventstore.ids import IdSpace, keyed_id

_IDS = IdSpace("urn:ssp:reporting")


@dataclass(frozen=True)
class StepFacts:
    """The fields of an event that records one step of a journal's timeline (after the event's
    own: id, version, time, trace)."""

    journal_number: str | None
    """None for a step of a person's timeline that follows no journal number (issue 17):
    only `TimelineStep`s; a `JournalTimeline`'s steps always have theirs."""
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


def step_fields(
    observation: Observation, *, service: str, trace_id: str | None, observed_at: datetime
) -> dict[str, Any]:
    """The `StepFacts` of an observation: its own, its key named `observation`, and
    which service's message it was seen in, with what trace, when."""
    fields = dict(vars(observation))
    fields["observation"] = fields.pop("key")
    return {**fields, "service": service, "trace_id": trace_id, "observed_at": observed_at}


class JournalTimeline(TracedAggregate):
    """Every step any service took for one police journal number, one event per message.

    How steps were stored before `TimelineStep`: stores written then hold these events (an
    `Opened`, then a `StepObserved` per step), so they stay loadable, and the service still
    consults a journal's timeline, when one exists, for the facts it has observed. New steps
    are recorded as `TimelineStep`s."""

    class StepObserved(StepFacts, TracedAggregate.Event):
        def apply(self, aggregate: Any) -> None:
            cast(JournalTimeline, aggregate).observations.add(self.observation)

    create_id = keyed_id(_IDS, "journal_number", prefix="timeline")

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
        self.trigger_event(
            self.StepObserved,
            **step_fields(observation, service=service, trace_id=trace_id, observed_at=observed_at),
        )
        return True


class TimelineStep(TracedAggregate):
    """One step of a journal number's timeline, stored on its own: recording it needs no earlier
    step loaded. Its id comes from the journal number and the observation key, so the same fact
    observed twice is the same aggregate (the second is found by id, or refused by the store).

    A step of a person that follows no journal number (an exit programme, a meeting's note)
    has `journal_number` None and an id from the person key: it belongs to the person's
    timeline only (issue 17, part 1), never to a journal's trace."""

    class Recorded(StepFacts, TracedAggregate.Created):
        # The facts of JournalTimeline.StepObserved: the projection reads both alike.
        pass

    create_id = keyed_id(_IDS, "journal_number", "observation", prefix="step")

    @staticmethod
    def id_of(observation: Observation) -> UUID | None:
        """Where `observation` is recorded: a step of its journal number, else of its person;
        None for an observation with neither (a rejection without a journal number)."""
        if observation.journal_number is not None:
            return TimelineStep.create_id(observation.journal_number, observation.key)
        if observation.person_key is not None:
            return _IDS(f"person-step:{observation.person_key}:{observation.key}")
        return None

    def __init__(self, journal_number: str | None, observation: str) -> None:
        self.journal_number = journal_number
        self.observation = observation

    @classmethod
    def record(
        cls,
        observation: Observation,
        *,
        service: str,
        trace_id: str | None,
        observed_at: datetime,
        id: UUID | None = None,
    ) -> TimelineStep:
        """The step `observation` of its journal number (or of its person, when it follows
        none); `id`, when the caller has computed it already, must be `id_of(observation)`."""
        step_id = id or cls.id_of(observation)
        if step_id is None:
            raise ValueError("a timeline step needs a journal number or a person key")
        return cls._create(
            cls.Recorded,
            id=step_id,
            **step_fields(observation, service=service, trace_id=trace_id, observed_at=observed_at),
        )


STEP_EVENTS: tuple[type[Any], ...] = (TimelineStep.Recorded, JournalTimeline.StepObserved)
"""The events that each record one step of a journal's timeline (new, then older stores')."""


class PersonConcern(TracedAggregate):
    """A concern about a young person that does not come from the police (issue 15, part 5),
    as reporting observed it on ssp.intake.concerns.v1: codes and dates, no journal number (so
    no timeline step). One per concern id: the same concern observed twice is found by id."""

    class Recorded(TracedAggregate.Created):
        concern: dict[str, Any]
        """The `ConcernRegistered`, as published (JSON mode)."""
        service: str
        trace_id: str | None
        observed_at: datetime

    @staticmethod
    def id_of(concern_id: str) -> UUID:
        """Where the concern `concern_id` is recorded."""
        return _IDS(f"concern:{concern_id}")

    # Not `keyed_id`: the concern id is a field of `concern`, not one of `Recorded`'s own.
    @staticmethod
    def create_id(concern: dict[str, Any]) -> UUID:
        return PersonConcern.id_of(concern["concern_id"])

    @event(Recorded)
    def __init__(
        self, concern: dict[str, Any], service: str, trace_id: str | None, observed_at: datetime
    ) -> None:
        self.concern = concern


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

    create_id = keyed_id(_IDS, "reference", prefix="rejection")

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
