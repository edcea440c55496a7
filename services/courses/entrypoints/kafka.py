"""Courses' Kafka entry point: each topic it consumes, the contract its messages are, and the
use case that takes them. The shared runtime decodes, batches, de-duplicates, traces and
commits (shared/messaging/consumers.py)."""

from __future__ import annotations

from services.courses.application.service import CoursesService
from shared.contracts import (
    TRIAGE_CASEWORKER,
    TRIAGE_EXIT_REFERRALS,
    TRIAGE_TOVHOLDER,
    TRIAGE_WITHDRAWALS,
    DecisionWithdrawn,
    ExitReferral,
    RoutingDecision,
)
from shared.messaging.consumers import BatchHandler, Consumer, ConsumerTable
from shared.settings import PlatformSettings

Service = CoursesService

CONSUMERS = ConsumerTable[Service](
    "courses",
    [
        Consumer(TRIAGE_TOVHOLDER, RoutingDecision, Service.receive_routing_in),
        Consumer(TRIAGE_CASEWORKER, RoutingDecision, Service.receive_routing_in),
        Consumer(TRIAGE_WITHDRAWALS, DecisionWithdrawn, Service.receive_withdrawal_in),
        Consumer(TRIAGE_EXIT_REFERRALS, ExitReferral, Service.receive_referral_in),
    ],
    prefetch=Service.prefetch,
)


def kafka_handler(service: Service, settings: PlatformSettings | None = None) -> BatchHandler:
    """The batch handler the inbox runtime calls (tests call it as the runtime would); without
    settings, for the default topic names."""
    if settings is None:
        return CONSUMERS.batch_handler(service, service.app)
    return CONSUMERS.batch_handler(service, service.app, settings.topic)
