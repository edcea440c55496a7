"""Triage's Kafka entry point: each topic it consumes, the contract its messages are, and the
use case that takes them. The shared runtime decodes, batches, de-duplicates, traces and
commits (shared/messaging/consumers.py)."""

from __future__ import annotations

from services.triage.application.service import TriageService
from shared.contracts import AcceptedIncident, PseudonymisedCaseEvent
from shared.contracts.topics import INTAKE_CASE_EVENTS, INTAKE_INCIDENTS
from shared.messaging.consumers import Consumer, ConsumerTable

Service = TriageService

CONSUMERS = ConsumerTable[Service](
    "triage",
    [
        Consumer(INTAKE_INCIDENTS, AcceptedIncident, Service.triage_in),
        Consumer(INTAKE_CASE_EVENTS, PseudonymisedCaseEvent, Service.register_case_event_in),
    ],
    prefetch=Service.prefetch,
)
