"""Intake's Kafka entry point: each topic it consumes, the contract its messages are, and the
use case that takes them. Intake reads its input itself: a message that is not the contract is
rejected and kept for correction (`ssp.intake.rejected.v1`), not poison. The shared runtime
batches, de-duplicates, traces and commits (shared/messaging/consumers.py)."""

from __future__ import annotations

from typing import Any

from services.intake.application.service import IntakeService
from shared.contracts import CaseRegisterEvent, Concern, PoliceIncident
from shared.contracts.topics import CONCERNS, POLICE_INCIDENTS, SOCIAL_CASES
from shared.messaging.consumers import Consumer, ConsumerTable
from shared.messaging.inbound import Inbound

Service = IntakeService


def _coordinates(message: Inbound) -> str:
    return f"{message.topic}|{message.partition}|{message.offset}"


def _incident(service: Service, message: Inbound) -> Any:
    return service.check_incident(message.value, _coordinates(message))


def _case_event(service: Service, message: Inbound) -> Any:
    return service.check_case_event(message.value, _coordinates(message))


def _concern(service: Service, message: Inbound) -> Any:
    return service.check_concern(message.value, _coordinates(message))


CONSUMERS = ConsumerTable[Service](
    "intake",
    [
        Consumer(POLICE_INCIDENTS, PoliceIncident, Service.receive_checked_in, read=_incident),
        Consumer(SOCIAL_CASES, CaseRegisterEvent, Service.receive_checked_in, read=_case_event),
        # Concerns from a school, the SSP network, a parent or the night team (issue 15).
        Consumer(CONCERNS, Concern, Service.receive_checked_in, read=_concern),
    ],
    prefetch=Service.prefetch,
)
