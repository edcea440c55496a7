"""Messages as the other services publish them, and the relay headers they carry."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from services.reporting.settings import ReportingSettings
from shared.messaging.inbound import Inbound

JOURNAL = "3700-80123-00456-26"
REPORTED_AT = "2026-11-16T08:12:00+01:00"  # Monday of ISO week 2026-W47
WEEK = "2026-W47"
FREDERICIA = "607"
PK_TOVHOLDER = "pk_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
PK_CASEWORKER = "pk_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
TRACE_INCIDENT = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACE_TOVHOLDER = "0af7651916cd43dd8448eb211c80319c"
TRACE_CASEWORKER = "1e2d3c4b5a69788796a5b4c3d2e1f0a9"
TRACE_TASK = "5b4f2e8a1c3d4e5f60718293a4b5c6d7"


def relay_headers(origin: str, notification_id: int, trace_id: str | None = None) -> dict[str, str]:
    headers = {"ssp-origin": origin, "ssp-notification-id": str(notification_id)}
    if trace_id is not None:
        headers["traceparent"] = f"00-{trace_id}-00f067aa0ba902b7-01"
    return headers


def relayed(
    reporting: ReportingSettings, sent: Sequence[tuple[str, dict[str, Any]]]
) -> list[Inbound]:
    """`sent` (topic, document) pairs as one upstream relay delivers them: keyed by journal
    number, notification ids 1, 2, …"""
    return [
        Inbound(
            topic=reporting.topic(topic),
            partition=0,
            offset=i,
            key=doc["journal_number"].encode(),
            value=json.dumps(doc).encode(),
            headers=relay_headers("upstream", i + 1),
        )
        for i, (topic, doc) in enumerate(sent)
    ]


def person(
    person_key: str, age: int, municipality_code: str = FREDERICIA, role: str = "sigtet"
) -> dict[str, Any]:
    return {
        "person_key": person_key,
        "role": role,
        "municipality_code": municipality_code,
        "age_at_incident": age,
        "in_scope": 0 <= age <= 25,
        "school": "Kirstinebjergskolen",
    }


def accepted_incident(
    persons: list[dict[str, Any]],
    *,
    journal_number: str = JOURNAL,
    revision: int = 1,
    reported_at: str = REPORTED_AT,
    accepted_at: str = "2026-11-16T08:12:01+01:00",
) -> dict[str, Any]:
    return {
        "journal_number": journal_number,
        "revision": revision,
        "source": "doegnrapport",
        "police_district": "Sydøstjyllands Politi",
        "reported_at": reported_at,
        "occurred_at": "2026-11-15T22:40:00+01:00",
        "offence_code": "butikstyveri",
        "location_municipality_code": FREDERICIA,
        "flags": ["rusmidler"],
        "accepted_at": accepted_at,
        "persons": persons,
        "a_field_added_later": "read tolerantly",
    }


def routing_decision(
    person_key: str,
    route: str,
    *,
    decided_at: str,
    age: int = 14,
    revision: int = 1,
    journal_number: str = JOURNAL,
) -> dict[str, Any]:
    return {
        "decision_id": f"decision-{person_key}-{revision}-{route}",
        "journal_number": journal_number,
        "revision": revision,
        "person_key": person_key,
        "municipality_code": FREDERICIA,
        "route": route,
        "workflow": "minor" if age < 18 else "adult",
        "age_at_incident": age,
        "role": "sigtet",
        "offence_code": "butikstyveri",
        "severity": "low",
        "reasons": ["no_active_case"] if route == "tovholder" else ["active_case"],
        "case_id": None if route == "tovholder" else "DUBU-2026-001234",
        "occurred_at": "2026-11-15T22:40:00+01:00",
        "decided_at": decided_at,
    }


def letter_task(
    person_key: str,
    event: str,
    *,
    at: str,
    task_id: str = "task-1",
    kind: str = "orientering",
    journal_number: str = JOURNAL,
) -> dict[str, Any]:
    return {
        "task_id": task_id,
        "event": event,
        "journal_number": journal_number,
        "person_key": person_key,
        "municipality_code": FREDERICIA,
        "kind": kind,
        "recipients": ["parents"],
        "owner_role": "tovholder",
        "due_at": "2026-11-19T16:00:00+01:00",
        "at": at,
    }


def rejection(reference: str, journal_number: str | None) -> dict[str, Any]:
    return {
        "reference": reference,
        "received_at": "2026-11-16T09:00:00+01:00",
        "channel": "kafka",
        "journal_number": journal_number,
        "revision": 1 if journal_number else None,
        "reasons": [
            {"field": "persons[0].cpr", "code": "cpr_date", "message": "not a real date"},
        ],
        "retrievable_at": f"/v1/rejected/{reference}",
    }


def profiled(decision: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A decision made with a municipality profile: owner, team, district and history."""
    return {
        **decision,
        "owner_role": "tovholder",
        "owner_team": None,
        "profile": decision["municipality_code"],
        "district": None,
        "history": {
            "earlier_reports": 0,
            "reports_in_window": 1,
            "window_days": 180,
            "repeat_threshold": 3,
            "repeat": False,
            "reports": [],
        },
        **fields,
    }


def exit_referral(
    person_key: str,
    *,
    referred_at: str = "2026-11-16T08:12:03+01:00",
    journal_number: str = JOURNAL,
    age: int = 16,
) -> dict[str, Any]:
    return {
        "referral_id": f"referral-{journal_number}-{person_key}",
        "journal_number": journal_number,
        "revision": 1,
        "person_key": person_key,
        "municipality_code": FREDERICIA,
        "age_at_incident": age,
        "workflow": "minor" if age < 18 else "adult",
        "flags": ["bande"],
        "offence_code": "butikstyveri",
        "decision_id": f"decision-{person_key}-1-tovholder",
        "owner_role": "exit_coordinator",
        "owner_team": "Exit-koordinatoren",
        "referred_at": referred_at,
    }
