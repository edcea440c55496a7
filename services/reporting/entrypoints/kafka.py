"""Reporting's Kafka entry point: each topic it consumes, the contract its messages are, and
what step of a journal's timeline it observes in them. The shared runtime batches,
de-duplicates, traces and commits (shared/messaging/consumers.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from services.reporting.adapters.traceparent import trace_id_from_headers
from services.reporting.application.concerns import SeenConcern
from services.reporting.application.service import ReportingService, Seen
from services.reporting.domain import observations
from services.reporting.domain import person_observations as about_persons
from services.reporting.domain.observations import Observation
from shared.contracts import (
    AcceptedIncident,
    CaseworkerRecordEvent,
    ConcernRegistered,
    ContractModel,
    CourseEvent,
    DecisionWithdrawn,
    ExitReferral,
    FollowUpEvent,
    HandoverTaskEvent,
    IntakeRejection,
    LetterTaskEvent,
    MeetingEvent,
    PersonStatement,
    RoutingDecision,
    parse_bytes,
)
from shared.contracts.topics import (
    COURSES_EVENTS,
    COURSES_FOLLOW_UPS,
    INTAKE_CONCERNS,
    INTAKE_INCIDENTS,
    INTAKE_REJECTED,
    LETTER_TASKS,
    MEETINGS_EVENTS,
    NOTIFICATIONS_ASSESSMENTS,
    TRIAGE_CASEWORKER,
    TRIAGE_EXIT_REFERRALS,
    TRIAGE_HANDOVERS,
    TRIAGE_STATEMENTS,
    TRIAGE_TOVHOLDER,
    TRIAGE_WITHDRAWALS,
)
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


def observed(
    topic: str,
    model: type[ContractModel],
    observe: Callable[[Any], Observation | None],
    publisher: str,
) -> Consumer[Service]:
    """A topic whose messages are `model`s, each seen as `observe` has it; `publisher`: the
    service that publishes the topic, for messages without the relay's origin header."""

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
        observed(INTAKE_INCIDENTS, AcceptedIncident, observations.incident_accepted, "intake"),
        observed(INTAKE_REJECTED, IntakeRejection, observations.incident_rejected, "intake"),
        observed(TRIAGE_CASEWORKER, RoutingDecision, observations.routed, "triage"),
        observed(TRIAGE_TOVHOLDER, RoutingDecision, observations.routed, "triage"),
        observed(TRIAGE_WITHDRAWALS, DecisionWithdrawn, observations.decision_withdrawn, "triage"),
        observed(TRIAGE_EXIT_REFERRALS, ExitReferral, observations.exit_referral, "triage"),
        observed(TRIAGE_STATEMENTS, PersonStatement, observations.person_statement, "triage"),
        observed(LETTER_TASKS, LetterTaskEvent, observations.letter_task_changed, "notifications"),
        observed(COURSES_EVENTS, CourseEvent, observations.course_changed, "courses"),
        # Issue 18: an erased person leaves every read model; their journals show that a
        # person was erased.
        erasure_consumer(Service.forget_person_in),
        observed(COURSES_FOLLOW_UPS, FollowUpEvent, about_persons.follow_up_changed, "courses"),
        observed(MEETINGS_EVENTS, MeetingEvent, about_persons.meeting_recorded, "triage"),
        observed(TRIAGE_HANDOVERS, HandoverTaskEvent, about_persons.handover_changed, "triage"),
        observed(
            NOTIFICATIONS_ASSESSMENTS,
            CaseworkerRecordEvent,
            about_persons.caseworker_recorded,
            "notifications",
        ),
        Consumer(INTAKE_CONCERNS, ConcernRegistered, Service.record_concern_in, read=_concern),
    ],
    prefetch=Service.prefetch,
)
