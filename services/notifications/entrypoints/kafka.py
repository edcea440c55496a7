"""Notifications' Kafka entry point: each topic it consumes, the contract its messages are,
and the use case that takes them. The shared runtime decodes, batches, de-duplicates, traces
and commits (shared/messaging/consumers.py)."""

from __future__ import annotations

from services.notifications.application.service import NotificationsService
from shared.contracts import CaseworkerAssessment, CourseEvent, DecisionWithdrawn, RoutingDecision
from shared.contracts.topics import (
    CASEWORKER_ASSESSMENTS,
    COURSES_EVENTS,
    TRIAGE_CASEWORKER,
    TRIAGE_TOVHOLDER,
    TRIAGE_WITHDRAWALS,
)
from shared.messaging.consumers import Consumer, ConsumerTable, erasure_consumer

Service = NotificationsService

CONSUMERS = ConsumerTable[Service](
    "notifications",
    [
        Consumer(TRIAGE_TOVHOLDER, RoutingDecision, Service.receive_decision_in),
        Consumer(TRIAGE_CASEWORKER, RoutingDecision, Service.receive_decision_in),
        Consumer(TRIAGE_WITHDRAWALS, DecisionWithdrawn, Service.receive_withdrawal_in),
        Consumer(CASEWORKER_ASSESSMENTS, CaseworkerAssessment, Service.receive_assessment_in),
        Consumer(COURSES_EVENTS, CourseEvent, Service.receive_course_event_in),
        # Issue 18: an erased person is withheld from then on (shared/eventstore/erasure.py),
        # their letter tasks marked erased and their letters' copies left in the outbox discarded.
        erasure_consumer(Service.forget_person_in),
    ],
    prefetch=Service.prefetch,
)
