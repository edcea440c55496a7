"""Each stored caseworker-record event as the message published on
`ssp.notifications.assessments.v1`, keyed by person key (codes, dates and initials)."""

from __future__ import annotations

from datetime import date

from services.notifications.domain.caseworker_record import CaseworkerRecord
from shared.contracts import CaseworkerRecordEvent
from shared.eventstore.ids import published_event_id


def caseworker_record_event(event: object) -> CaseworkerRecordEvent | None:
    if isinstance(event, CaseworkerRecord.Assessed):
        specific: dict[str, object] = {
            "event": "assessed",
            "outcome": event.outcome,
            "caseworker": event.caseworker,
            "via": event.via,
            "at": event.assessed_at,
        }
    elif isinstance(event, CaseworkerRecord.FamilyMeetingHeld):
        specific = {
            "event": "family_meeting_held",
            "caseworker": event.caseworker,
            "via": "http",
            "held_on": date.fromisoformat(event.held_on),
            "youth_attended": event.youth_attended,
            "at": event.recorded_at,
        }
    else:
        return None
    return CaseworkerRecordEvent.model_validate(
        {
            "event_id": published_event_id(event),
            "journal_number": event.facts["journal_number"],
            "person_key": event.facts["person_key"],
            "municipality_code": event.municipality_code,
            **specific,
        }
    )
