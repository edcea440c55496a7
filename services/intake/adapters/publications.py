"""What intake publishes for each stored event (the outbox relay calls this)."""

from __future__ import annotations

from typing import Any

from services.intake.domain.concerns import ConcernRecord
from services.intake.domain.model import CaseRegisterEntry, IncidentRecord, RejectedInput
from shared.contracts import (
    INTAKE_CASE_EVENTS,
    INTAKE_CONCERNS,
    INTAKE_INCIDENTS,
    INTAKE_REJECTED,
    PERSON_ERASURES,
    AcceptedIncident,
    ConcernRegistered,
    IntakeRejection,
    PseudonymisedCaseEvent,
)
from shared.eventstore.erasure import ErasedPerson, person_erased
from shared.messaging.dead_letters import dead_letter_publications
from shared.messaging.outgoing import Outgoing, as_contract


def intake_publications(event: Any) -> list[Outgoing]:
    # Every accepted revision, the first (carried by the record's creation) as the later ones.
    if isinstance(event, IncidentRecord.Received | IncidentRecord.RevisionAccepted):
        return [as_contract(INTAKE_INCIDENTS, AcceptedIncident, event.accepted, "journal_number")]
    if isinstance(event, RejectedInput.Recorded | RejectedInput.SealedRecorded):
        return [as_contract(INTAKE_REJECTED, IntakeRejection, event.rejection, "reference")]
    if isinstance(event, ErasedPerson.Recorded):
        return [Outgoing(PERSON_ERASURES, event.person_key, person_erased(event))]
    if isinstance(event, CaseRegisterEntry.Received):
        return [as_contract(INTAKE_CASE_EVENTS, PseudonymisedCaseEvent, event.pseudonymised)]
    if isinstance(event, ConcernRecord.Registered):
        # Codes and dates only: the reporter and the text (`confidential`) stay here.
        return [as_contract(INTAKE_CONCERNS, ConcernRegistered, event.registered)]
    return dead_letter_publications(event)
