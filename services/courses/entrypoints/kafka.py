"""Courses' Kafka entry point: each topic it consumes, the contract its messages are, and the
use case that takes them. The shared runtime decodes, batches, de-duplicates, traces and
commits (shared/messaging/consumers.py)."""

from __future__ import annotations

from services.courses.application.service import CoursesService
from shared.contracts import DecisionWithdrawn, ExitReferral, RoutingDecision
from shared.contracts.topics import (
    TRIAGE_CASEWORKER,
    TRIAGE_EXIT_REFERRALS,
    TRIAGE_TOVHOLDER,
    TRIAGE_WITHDRAWALS,
)
from shared.messaging.consumers import Consumer, ConsumerTable, erasure_consumer

Service = CoursesService

CONSUMERS = ConsumerTable[Service](
    "courses",
    [
        Consumer(TRIAGE_TOVHOLDER, RoutingDecision, Service.receive_routing_in),
        Consumer(TRIAGE_CASEWORKER, RoutingDecision, Service.receive_routing_in),
        Consumer(TRIAGE_WITHDRAWALS, DecisionWithdrawn, Service.receive_withdrawal_in),
        Consumer(TRIAGE_EXIT_REFERRALS, ExitReferral, Service.receive_referral_in),
        # Issue 18: an erased person's key is destroyed, their courses and actions marked
        # erased, and they are withheld from then on (shared/eventstore/erasure.py).
        erasure_consumer(Service.erase_person_in),
    ],
    prefetch=Service.prefetch,
)
