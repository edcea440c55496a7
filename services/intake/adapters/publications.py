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
from shared.messaging.contract_json import ContractJson
from shared.messaging.dead_letters import dead_letter_publications
from shared.messaging.outgoing import Outgoing

# Each stored document is validated as its contract and published as the contract dumps it
# (model_validate, then model_dump_json), through pydantic's validator and serializer directly.
_ACCEPTED = ContractJson(AcceptedIncident)
_REJECTION = ContractJson(IntakeRejection)
_CASE_EVENT = ContractJson(PseudonymisedCaseEvent)


def intake_publications(event: Any) -> list[Outgoing]:
    # Every accepted revision, the first (carried by the record's creation) as the later ones.
    if isinstance(event, IncidentRecord.Received | IncidentRecord.RevisionAccepted):
        accepted = _ACCEPTED.validate(event.accepted)
        return [Outgoing(INTAKE_INCIDENTS, accepted.journal_number, _ACCEPTED.render(accepted))]
    if isinstance(event, RejectedInput.Recorded):
        rejection = _REJECTION.validate(event.rejection)
        return [Outgoing(INTAKE_REJECTED, rejection.reference, _REJECTION.render(rejection))]
    if isinstance(event, CaseRegisterEntry.Received):
        case_event = _CASE_EVENT.validate(event.pseudonymised)
        return [Outgoing(INTAKE_CASE_EVENTS, case_event.person_key, _CASE_EVENT.render(case_event))]
    return dead_letter_publications(event)
