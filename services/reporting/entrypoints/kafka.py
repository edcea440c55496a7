"""Reporting's Kafka entry point: each topic it consumes (its contract is the topic registry's,
shared/contracts/topics.py) and what step of a journal's timeline it observes in it. The
shared runtime batches, de-duplicates, traces and commits (shared/messaging/consumers.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from services.reporting.adapters.traceparent import trace_id_from_headers
from services.reporting.application.concerns import SeenConcern
from services.reporting.application.service import ReportingService, Seen
from services.reporting.domain import observations
from services.reporting.domain import person_observations as about_persons
from services.reporting.domain.observations import Observation
from shared.contracts import TOPICS, ConcernRegistered, ContractModel, parse_bytes, topics
from shared.messaging.consumers import Consumer, ConsumerTable, erasure_consumer
from shared.messaging.errors import PoisonMessage
from shared.messaging.inbound import ORIGIN_HEADER, Inbound

Service = ReportingService
M = TypeVar("M", bound=ContractModel)


def _contract(message: Inbound, model: type[M]) -> M:
    payload, problems = parse_bytes(message.value, model)
    if payload is None:
        # Field paths and codes only: a problem's message could describe the input.
        fields = ", ".join(f"{p.field} ({p.code})" for p in problems)
        raise PoisonMessage(f"invalid {model.__name__}: {fields}")
    return payload


def _contract_of(topic: str) -> type[ContractModel]:
    """The contract the topic registry says the topic's messages are."""
    model = TOPICS[topic].message
    if model is None or not issubclass(model, ContractModel):
        raise TypeError(f"{topic} carries no contract model")
    return model


def observed(
    topic: str, observe: Callable[[Any], Observation | None], publisher: str
) -> Consumer[Service]:
    """A topic whose messages (the registry's contract for it) are each seen as `observe`
    has it; `publisher`: the service that publishes the topic, for messages without the
    relay's origin header."""
    model = _contract_of(topic)

    def read(_: Service, message: Inbound) -> Seen:
        return Seen.of(
            observe(_contract(message, model)),
            message.headers.get(ORIGIN_HEADER) or publisher,
            trace_id_from_headers(message.headers),
        )

    return Consumer(topic, model, Service.record_seen_in, read=read)


def _concern(_: Service, message: Inbound) -> SeenConcern:
    """A concern (issue 15, part 5): no journal number, so no step; the person's history."""
    return SeenConcern(
        _contract(message, ConcernRegistered),
        message.headers.get(ORIGIN_HEADER) or "intake",
        trace_id_from_headers(message.headers),
    )


CONSUMERS = ConsumerTable[Service](
    "reporting",
    [
        observed(topics.INTAKE_INCIDENTS, observations.incident_accepted, "intake"),
        observed(topics.INTAKE_REJECTED, observations.incident_rejected, "intake"),
        observed(topics.TRIAGE_CASEWORKER, observations.routed, "triage"),
        observed(topics.TRIAGE_TOVHOLDER, observations.routed, "triage"),
        observed(topics.TRIAGE_WITHDRAWALS, observations.decision_withdrawn, "triage"),
        observed(topics.TRIAGE_EXIT_REFERRALS, observations.exit_referral, "triage"),
        observed(topics.TRIAGE_STATEMENTS, observations.person_statement, "triage"),
        observed(topics.LETTER_TASKS, observations.letter_task_changed, "notifications"),
        observed(topics.COURSES_EVENTS, observations.course_changed, "courses"),
        # Issue 18: an erased person leaves every read model; their journals show that a
        # person was erased.
        erasure_consumer(Service.forget_person_in),
        observed(topics.COURSES_FOLLOW_UPS, about_persons.follow_up_changed, "courses"),
        observed(topics.MEETINGS_EVENTS, about_persons.meeting_recorded, "triage"),
        observed(topics.TRIAGE_HANDOVERS, about_persons.handover_changed, "triage"),
        observed(
            topics.NOTIFICATIONS_ASSESSMENTS, about_persons.caseworker_recorded, "notifications"
        ),
        Consumer(
            topics.INTAKE_CONCERNS, ConcernRegistered, Service.record_concern_in, read=_concern
        ),
    ],
    prefetch=Service.prefetch,
)
