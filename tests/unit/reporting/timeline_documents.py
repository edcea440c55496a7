"""What each service publishes about a young person, for the timeline's tests (issue 17): one
document per source, and each document's delivery as the relay sends it."""

from __future__ import annotations

import json
from typing import Any

from services.reporting.settings import ReportingSettings
from shared.contracts import (
    COURSES_EVENTS,
    COURSES_FOLLOW_UPS,
    INTAKE_CONCERNS,
    INTAKE_INCIDENTS,
    LETTER_TASKS,
    MEETINGS_EVENTS,
    NOTIFICATIONS_ASSESSMENTS,
    TRIAGE_CASEWORKER,
    TRIAGE_EXIT_REFERRALS,
    TRIAGE_STATEMENTS,
    TRIAGE_TOVHOLDER,
    TRIAGE_WITHDRAWALS,
)
from shared.messaging.inbound import Inbound
from tests.unit.reporting.documents import FREDERICIA, relay_headers

PUBLISHER = {
    INTAKE_INCIDENTS: "intake",
    TRIAGE_CASEWORKER: "triage",
    TRIAGE_TOVHOLDER: "triage",
    TRIAGE_WITHDRAWALS: "triage",
    TRIAGE_EXIT_REFERRALS: "triage",
    TRIAGE_STATEMENTS: "triage",
    MEETINGS_EVENTS: "triage",
    LETTER_TASKS: "notifications",
    COURSES_EVENTS: "courses",
    INTAKE_CONCERNS: "intake",
    COURSES_FOLLOW_UPS: "courses",
    NOTIFICATIONS_ASSESSMENTS: "notifications",
}

STEP_OF = {
    TRIAGE_WITHDRAWALS: "decision_withdrawn",
    TRIAGE_EXIT_REFERRALS: "exit_referral",
    COURSES_EVENTS: "course_changed",
    INTAKE_CONCERNS: "concern_registered",
}


def step_of(topic: str, doc: dict[str, Any]) -> str:
    """The step code a document is on the timeline (an oracle apart from the projection)."""
    if topic == INTAKE_INCIDENTS:
        return "incident_accepted"
    if topic in (TRIAGE_CASEWORKER, TRIAGE_TOVHOLDER):
        return f"routed_{doc['route']}"
    if topic == LETTER_TASKS:
        return f"letter_task_{doc['event']}"
    if topic == MEETINGS_EVENTS:
        return f"meeting_{doc['event']}"
    if topic == COURSES_FOLLOW_UPS:
        return f"follow_up_{doc['event']}"
    if topic == NOTIFICATIONS_ASSESSMENTS:
        return "caseworker_assessed" if doc["event"] == "assessed" else "family_meeting_held"
    return STEP_OF[topic]


def persons_in(topic: str, doc: dict[str, Any]) -> list[str]:
    if topic == INTAKE_INCIDENTS:
        return [p["person_key"] for p in doc["persons"]]
    return [doc["person_key"]] if doc.get("person_key") else []


def delivered(
    settings: ReportingSettings, topic: str, doc: dict[str, Any], notification_id: int
) -> Inbound:
    """The document as the publisher's relay delivers it (the same notification id when it is
    delivered again)."""
    key = doc.get("person_key") or doc.get("journal_number") or doc.get("meeting") or "-"
    return Inbound(
        topic=settings.topic(topic),
        partition=0,
        offset=notification_id,
        key=str(key).encode(),
        value=json.dumps(doc).encode(),
        headers=relay_headers(PUBLISHER[topic], notification_id),
    )


def course_event(
    event_id: str,
    person_key: str | None,
    event: str,
    at: str,
    *,
    journal_number: str | None = None,
    course_type: str = "trivsel_plus",
    data: dict[str, Any] | None = None,
    municipality_code: str = FREDERICIA,
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "course_id": f"course-{course_type}",
        "course_type": course_type,
        "event": event,
        "person_key": person_key,
        "municipality_code": municipality_code,
        "journal_number": journal_number,
        "at": at,
        "data": data or {},
    }


def meeting_event(
    event_id: str,
    person_key: str,
    event: str,
    at: str,
    *,
    journal_number: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "meeting": f"{FREDERICIA}/2026-W47",
        "municipality_code": FREDERICIA,
        "iso_week": "2026-W47",
        "event": event,
        "at": at,
        "by": "ABJ",
        "journal_number": journal_number,
        "person_key": person_key,
        **fields,
    }


def concern(
    concern_id: str, person_key: str, at: str, *, category: str = "mistrivsel"
) -> dict[str, Any]:
    """A concern about a young person as intake publishes it (codes only, no text)."""
    return {
        "concern_id": concern_id,
        "person_key": person_key,
        "municipality_code": FREDERICIA,
        "school": "Kirstinebjergskolen",
        "category": category,
        "reporter_kind": "school",
        "registered_at": at,
        "iso_week": "2026-W47",
        "accepted_at": at,
    }


def follow_up(
    event_id: str, person_key: str, event: str, at: str, *, journal_number: str | None = None
) -> dict[str, Any]:
    """A follow-up action as courses publishes it (issue 17, part 2): a home visit with a
    school visit as the next step."""
    return {
        "event_id": event_id,
        "action_id": f"action-{event_id}",
        "event": event,
        "person_key": person_key,
        "municipality_code": FREDERICIA,
        "journal_number": journal_number,
        "course_id": None,
        "kind": "hjemmebesoeg",
        "held_on": "2026-11-18",
        "held_by": "ABJ",
        "recorded_by_role": "tovholder",
        "outcome": "held",
        "next_step": {
            "kind": "skolebesoeg",
            "owner": "tovholder",
            "due_on": "2026-11-25",
            "status": "done" if event == "next_step_completed" else "open",
        },
        "at": at,
    }


def caseworker_record(
    event_id: str, person_key: str, journal_number: str, event: str, at: str
) -> dict[str, Any]:
    """The caseworker's assessment or meeting with the family as notifications publishes it
    (issue 17, part 3)."""
    return {
        "event_id": event_id,
        "event": event,
        "journal_number": journal_number,
        "person_key": person_key,
        "municipality_code": FREDERICIA,
        "outcome": "summon" if event == "assessed" else None,
        "caseworker": "ABJ",
        "via": "http",
        "held_on": "2026-11-19" if event == "family_meeting_held" else None,
        "youth_attended": True if event == "family_meeting_held" else None,
        "at": at,
    }
