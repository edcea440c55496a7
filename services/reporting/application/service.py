"""Reporting's use cases: record every message the other services publish as a step of its
journal number's timeline.

The use cases are plain methods; the Kafka entry point (entrypoints/kafka.py) declares which
topic is seen as what and the shared runtime calls them.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from services.reporting.application.app import ReportingApplication
from services.reporting.application.concerns import SeenConcern, record_concern
from services.reporting.domain.model import JournalTimeline, TimelineStep, UnattributedRejection
from services.reporting.domain.observations import Observation, person_erased
from shared.clock import Clock
from shared.contracts import PersonErased
from shared.eventstore import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Seen:
    """One received message as reporting records it: the step it observed (None: nothing to
    record), the service that published it and the trace it belongs to."""

    observation: Observation | None
    service: str
    trace_id: str | None
    step_id: UUID | None
    """The observation's `TimelineStep.id_of`, when it has a journal number or a person."""

    @classmethod
    def of(cls, observation: Observation | None, service: str, trace_id: str | None) -> Seen:
        step_id = None if observation is None else TimelineStep.id_of(observation)
        return cls(observation, service, trace_id, step_id)


# A journal number's messages (incident, decisions, letter tasks) arrive close together.
_timeline_id = functools.lru_cache(maxsize=4096)(JournalTimeline.create_id)


class ReportingService:
    def __init__(
        self,
        app: ReportingApplication,
        *,
        clock: Clock = lambda: datetime.now(UTC),
        journals_of: Callable[[str], list[str]] = lambda _: [],
    ) -> None:
        self.app = app
        self.clock = clock
        self.journals_of = journals_of
        """The journal numbers the read models hold a step of a person in."""

    # --- Kafka: what each message was seen as (entrypoints/kafka.py), then the batch -------
    def prefetch(self, uow: UnitOfWork, batch: Sequence[Seen | SeenConcern | PersonErased]) -> None:
        """Whether a fact was observed before, for the whole batch in one query: its step
        (none but a repeated fact's is found), and the journal's timeline in a store written
        before steps were stored on their own (none in a newer one)."""
        step_ids: list[UUID] = []
        journals: set[str] = set()
        for seen in batch:
            if not isinstance(seen, Seen):
                continue  # a concern (issue 15): found by its own id; an erasure: its own
            if seen.step_id is not None and seen.observation is not None:
                step_ids.append(seen.step_id)
                if seen.observation.journal_number is not None:
                    journals.add(seen.observation.journal_number)
        uow.prefetch([*step_ids, *map(_timeline_id, journals)])

    def record_concern_in(self, uow: UnitOfWork, seen: SeenConcern) -> bool:
        return record_concern(uow, seen, self.clock())

    def record_seen_in(self, uow: UnitOfWork, seen: Seen) -> bool:
        if seen.observation is None:
            return False
        if seen.observation.person_key in self.app.erased_persons:
            return False  # an erased person's message replayed: never again
        return self.observe(
            uow,
            seen.observation,
            service=seen.service,
            trace_id=seen.trace_id,
            step_id=seen.step_id,
        )

    def forget_person_in(self, uow: UnitOfWork, erased: PersonErased) -> bool:
        """Issue 18: record the erasure (the projection then deletes the person from every
        read model) and, in each journal they appeared in, the step that a person was erased
        (when and why, not who)."""
        if not self.app.erased_persons.record(uow, erased):
            return False
        for journal_number in self.journals_of(erased.person_key):
            observation = person_erased(
                journal_number, erased.erasure_id, erased.reason, erased.erased_at
            )
            self.observe(uow, observation, service="intake", trace_id=None)
        return True

    # --- the rules ---------------------------------------------------------------------
    def observe(
        self,
        uow: UnitOfWork,
        observation: Observation,
        *,
        service: str,
        trace_id: str | None,
        step_id: UUID | None = None,
    ) -> bool:
        """Record one observation as a step of its journal's timeline; False when this fact
        was observed before (a redelivery without the relay's headers, or the same fact
        republished). `step_id`: its `TimelineStep.id_of`, when computed already. A person's
        step that follows no journal number is recorded for the person's timeline alone."""
        journal_number = observation.journal_number
        step_id = step_id or TimelineStep.id_of(observation)
        if step_id is None:
            return self._keep_unattributed(uow, observation, service, trace_id)
        if uow.get(TimelineStep, step_id) is not None:
            return False
        if journal_number is not None:
            timeline = uow.get(JournalTimeline, _timeline_id(journal_number))
            if timeline is not None and observation.key in timeline.observations:
                return False
        uow.add(
            TimelineStep.record(
                observation,
                service=service,
                trace_id=trace_id,
                observed_at=self.clock(),
                id=step_id,
            )
        )
        log.info(
            "reporting: %s %s %s",
            journal_number,
            observation.step,
            observation.person_key or "",
        )
        return True

    def _keep_unattributed(
        self, uow: UnitOfWork, observation: Observation, service: str, trace_id: str | None
    ) -> bool:
        reference = str(observation.facts["reference"])
        if uow.get(UnattributedRejection, UnattributedRejection.create_id(reference)) is not None:
            return False
        uow.add(
            UnattributedRejection(
                reference=reference,
                service=service,
                at=observation.at,
                detail=observation.detail,
                trace_id=trace_id,
                facts=observation.facts,
                observed_at=self.clock(),
            )
        )
        log.info("reporting: rejection %s without a journal number kept", reference)
        return True
