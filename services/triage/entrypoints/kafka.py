"""Triage's Kafka entry point: each topic it consumes, the contract its messages are, and the
use case that takes them. The shared runtime decodes, batches, de-duplicates, traces and
commits (shared/messaging/consumers.py)."""

from __future__ import annotations

from services.triage.application.erasure import erase_person_in
from services.triage.application.meetings import place_concern
from services.triage.application.service import TriageService
from shared.contracts import (
    AcceptedIncident,
    ConcernRegistered,
    CourseEvent,
    LetterTaskEvent,
    PseudonymisedCaseEvent,
)
from shared.contracts.topics import (
    COURSES_EVENTS,
    INTAKE_CASE_EVENTS,
    INTAKE_CONCERNS,
    INTAKE_INCIDENTS,
    LETTER_TASKS,
)
from shared.eventstore import UnitOfWork
from shared.messaging.consumers import Consumer, ConsumerTable, erasure_consumer

Service = TriageService


def _place_concern(service: Service, uow: UnitOfWork, concern: ConcernRegistered) -> None:
    place_concern(uow, concern, service.clock())


CONSUMERS = ConsumerTable[Service](
    "triage",
    [
        Consumer(INTAKE_INCIDENTS, AcceptedIncident, Service.triage_in),
        Consumer(INTAKE_CASE_EVENTS, PseudonymisedCaseEvent, Service.register_case_event_in),
        # Which letter tasks and courses of a person are still open, for the PSP/KSP handover
        # on the 18th birthday (issue 14, part 4).
        Consumer(LETTER_TASKS, LetterTaskEvent, Service.follow_open_item_in),
        Consumer(COURSES_EVENTS, CourseEvent, Service.follow_open_item_in),
        # Issue 18: an erased person is withheld from then on (shared/eventstore/erasure.py),
        # their triage key destroyed and their aggregates marked (application/erasure.py).
        erasure_consumer(erase_person_in),
        # Concerns that do not come from the police, onto the weekly meeting's agenda (issue 15).
        Consumer(INTAKE_CONCERNS, ConcernRegistered, _place_concern),
    ],
    prefetch=Service.prefetch,
)
