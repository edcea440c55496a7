"""What intake publishes for each stored event (the outbox relay calls this)."""

from __future__ import annotations

from typing import Any

from services.intake.domain.model import CaseRegisterEntry, IncidentRecord, RejectedInput
from shared.contracts import (
    INTAKE_CASE_EVENTS,
    INTAKE_INCIDENTS,
    INTAKE_REJECTED,
    AcceptedIncident,
    IntakeRejection,
    PseudonymisedCaseEvent,
)
from shared.messaging.dead_letters import dead_letter_publications
from shared.messaging.outgoing import Outgoing


def intake_publications(event: Any) -> list[Outgoing]:
    # Every accepted revision, the first (carried by the record's creation) as the later ones.
    if isinstance(event, IncidentRecord.Received | IncidentRecord.RevisionAccepted):
        accepted = AcceptedIncident.model_validate(event.accepted)
        return [Outgoing(INTAKE_INCIDENTS, accepted.journal_number, accepted)]
    if isinstance(event, RejectedInput.Recorded):
        rejection = IntakeRejection.model_validate(event.rejection)
        return [Outgoing(INTAKE_REJECTED, rejection.reference, rejection)]
    if isinstance(event, CaseRegisterEntry.Received):
        case_event = PseudonymisedCaseEvent.model_validate(event.pseudonymised)
        return [Outgoing(INTAKE_CASE_EVENTS, case_event.person_key, case_event)]
    return dead_letter_publications(event)
