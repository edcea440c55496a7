"""Reporting's use cases: record every message the other services publish as a step of its
journal number's timeline.

The handler is a plain method; the Kafka entry point (the inbox) only calls it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from services.reporting.adapters.traceparent import trace_id_from_headers
from services.reporting.application.app import ReportingApplication
from services.reporting.domain import observations
from services.reporting.domain.model import JournalTimeline, TimelineStep, UnattributedRejection
from services.reporting.domain.observations import Observation
from shared.contracts import (
    COURSES_EVENTS,
    INTAKE_INCIDENTS,
    INTAKE_REJECTED,
    LETTER_TASKS,
    TRIAGE_CASEWORKER,
    TRIAGE_EXIT_REFERRALS,
    TRIAGE_STATEMENTS,
    TRIAGE_TOVHOLDER,
    TRIAGE_WITHDRAWALS,
    AcceptedIncident,
    ContractModel,
    CourseEvent,
    DecisionWithdrawn,
    ExitReferral,
    IntakeRejection,
    LetterTaskEvent,
    PersonStatement,
    RoutingDecision,
    parse_bytes,
)
from shared.eventstore import UnitOfWork
from shared.messaging.errors import PoisonMessage
from shared.messaging.inbound import ORIGIN_HEADER, Inbound

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class _Input:
    model: type[ContractModel]
    observe: Callable[[Any], Observation | None]
    publisher: str
    """The service that publishes the topic, for messages without the relay's origin header."""


_INPUTS: dict[str, _Input] = {
    INTAKE_INCIDENTS: _Input(AcceptedIncident, observations.incident_accepted, "intake"),
    INTAKE_REJECTED: _Input(IntakeRejection, observations.incident_rejected, "intake"),
    TRIAGE_CASEWORKER: _Input(RoutingDecision, observations.routed, "triage"),
    TRIAGE_TOVHOLDER: _Input(RoutingDecision, observations.routed, "triage"),
    TRIAGE_WITHDRAWALS: _Input(DecisionWithdrawn, observations.decision_withdrawn, "triage"),
    TRIAGE_EXIT_REFERRALS: _Input(ExitReferral, observations.exit_referral, "triage"),
    TRIAGE_STATEMENTS: _Input(PersonStatement, observations.person_statement, "triage"),
    LETTER_TASKS: _Input(LetterTaskEvent, observations.letter_task_changed, "notifications"),
    COURSES_EVENTS: _Input(CourseEvent, observations.course_changed, "courses"),
}

CONSUMED_TOPICS: tuple[str, ...] = tuple(_INPUTS)

# A journal number's messages (incident, decisions, letter tasks) arrive close together.
_timeline_id = functools.lru_cache(maxsize=4096)(JournalTimeline.create_id)


class ReportingService:
    def __init__(
        self,
        app: ReportingApplication,
        *,
        topic: Callable[[str], str],
        clock: Clock = lambda: datetime.now(UTC),
    ) -> None:
        self.app = app
        self.clock = clock
        self._inputs = {topic(default): spec for default, spec in _INPUTS.items()}

    # --- Kafka -------------------------------------------------------------------------
    def handle_batch(self, messages: Sequence[Inbound]) -> None:
        uow = UnitOfWork(self.app)
        seen = [(message, self._observation(message)) for message in messages]
        step_ids: dict[tuple[str, str], UUID] = {}
        journals: set[str] = set()
        for _, o in seen:
            if o is not None and o.journal_number is not None:
                step_ids[o.journal_number, o.key] = TimelineStep.create_id(o.journal_number, o.key)
                journals.add(o.journal_number)
        # Whether a fact was observed before, for the whole batch in one query: its step (none
        # but a repeated fact's is found), and the journal's timeline in a store written before
        # steps were stored on their own (none in a newer one).
        uow.prefetch([*step_ids.values(), *map(_timeline_id, journals)])
        for message, observation in seen:
            if observation is not None:
                with message.processing_span("reporting"):
                    self.observe(
                        uow,
                        observation,
                        service=message.headers.get(ORIGIN_HEADER)
                        or self._inputs[message.topic].publisher,
                        trace_id=trace_id_from_headers(message.headers),
                        step_id=step_ids.get((observation.journal_number or "", observation.key)),
                    )
            uow.processed(message.upstream)
        uow.commit()

    def _observation(self, message: Inbound) -> Observation | None:
        spec = self._inputs.get(message.topic)
        if spec is None:
            log.warning("reporting: ignoring a message from unexpected topic %s", message.topic)
            return None
        payload, problems = parse_bytes(message.value, spec.model)
        if payload is None:
            # Field paths and codes only: a problem's message could describe the input.
            fields = ", ".join(f"{p.field} ({p.code})" for p in problems)
            raise PoisonMessage(f"invalid {spec.model.__name__}: {fields}")
        return spec.observe(payload)

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
        republished). `step_id`: its `TimelineStep.create_id`, when computed already."""
        journal_number = observation.journal_number
        if journal_number is None:
            return self._keep_unattributed(uow, observation, service, trace_id)
        step_id = step_id or TimelineStep.create_id(journal_number, observation.key)
        if uow.get(TimelineStep, step_id) is not None:
            return False
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
