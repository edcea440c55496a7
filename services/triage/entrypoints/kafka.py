"""Triage's Kafka entry point: each topic it consumes, the contract its messages are, and the
use case that takes them. The shared runtime decodes, batches, de-duplicates, traces and
commits (shared/messaging/consumers.py)."""

from __future__ import annotations

from services.triage.application.service import TriageService
from shared.contracts import (
    INTAKE_CASE_EVENTS,
    INTAKE_INCIDENTS,
    AcceptedIncident,
    PseudonymisedCaseEvent,
)
from shared.messaging.consumers import BatchHandler, Consumer, ConsumerTable
from shared.settings import PlatformSettings

Service = TriageService

CONSUMERS = ConsumerTable[Service](
    "triage",
    [
        Consumer(INTAKE_INCIDENTS, AcceptedIncident, Service.triage_in),
        Consumer(INTAKE_CASE_EVENTS, PseudonymisedCaseEvent, Service.register_case_event_in),
    ],
    prefetch=Service.prefetch,
)


def kafka_handler(service: Service, settings: PlatformSettings | None = None) -> BatchHandler:
    """The batch handler the inbox runtime calls (tests call it as the runtime would); without
    settings, for the default topic names."""
    if settings is None:
        return CONSUMERS.batch_handler(service, service.app)
    return CONSUMERS.batch_handler(service, service.app, settings.topic)
