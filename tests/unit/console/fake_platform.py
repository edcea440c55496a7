"""The other services' APIs as the console sees them, answered in this process (httpx's
MockTransport): canned bodies per path, and every request recorded."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

PK_MADS = "pk_" + "a" * 32
PK_IDA = "pk_" + "b" * 32
JOURNAL = "3700-80123-00456-26"
WEEK = "2026-W47"


def handover_entry(person_key: str, **changes: Any) -> dict[str, Any]:
    return {
        "journal_number": JOURNAL,
        "revision": 1,
        "reported_at": "2026-11-16T08:00:00+01:00",
        "person_key": person_key,
        "role": "sigtet",
        "age_at_incident": 14,
        "offence_code": "butikstyveri",
        "route": "tovholder",
        "severity": "low",
        "workflow": "minor",
        "owner_role": "tovholder",
        "letter_task_status": "open",
        "letter_kind": "orientering",
        "due_at": "2026-11-18T08:00:00+01:00",
        "reasons": ["no_active_case"],
        "owner_team": None,
        "earlier_reports": 1,
        **changes,
    }


def letter_task(
    task_id: str, due_at: str, status: str, owner_role: str = "tovholder"
) -> dict[str, Any]:
    return {
        "task_id": task_id,
        "event": "created",
        "journal_number": JOURNAL,
        "person_key": PK_MADS,
        "municipality_code": "607",
        "kind": "orientering",
        "recipients": ["parents"],
        "owner_role": owner_role,
        "due_at": due_at,
        "at": "2026-11-16T08:00:00+01:00",
        "owner_team": None,
        "status": status,
    }


Handler = Callable[[httpx.Request], httpx.Response]


@dataclass
class FakePlatform:
    routes: dict[tuple[str, str], Any] = field(default_factory=dict)
    """(method, path regex) → body, (status, body) or a handler; the latest added wins."""
    requests: list[httpx.Request] = field(default_factory=list)

    def answer(self, method: str, path: str, body: Any) -> None:
        self.routes[(method, path)] = body

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        for (method, pattern), answer in reversed(self.routes.items()):  # the latest first
            if method == request.method and re.fullmatch(pattern, request.url.path):
                if callable(answer):
                    result: httpx.Response = answer(request)
                    return result
                if isinstance(answer, tuple):
                    status, body = answer
                    return httpx.Response(status, json=body)
                return httpx.Response(200, json=answer)
        return httpx.Response(404, json={"error": "not_found", "message": "not found"})

    def sent(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and re.fullmatch(path, r.url.path)]

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)


def json_of(request: httpx.Request) -> Any:
    return json.loads(request.content)


def standard_platform() -> FakePlatform:
    platform = FakePlatform()
    platform.answer(
        "GET",
        rf"/v1/handover/607/{WEEK}",
        {
            "municipality_code": "607",
            "iso_week": WEEK,
            "persons": [handover_entry(PK_MADS), handover_entry(PK_IDA, age_at_incident=16)],
        },
    )
    platform.answer(
        "POST",
        r"/v1/identities/resolve-batch",
        lambda request: httpx.Response(
            200,
            json={
                "meeting": json_of(request)["meeting"],
                "persons": [
                    {"person_key": PK_MADS, "cpr": "1203104123", "names": ["Mads Jensen"]},
                    {"person_key": PK_IDA, "cpr": "0502104562", "names": ["Ida Hansen"]},
                ],
                "not_found": [],
            },
        ),
    )
    platform.answer(
        "GET",
        r"/v1/letter-tasks/escalations",
        {
            "municipality_code": "607",
            "past_deadline": 0,
            "escalated_to_team_leader": 0,
            "open_at_twice_deadline": 0,
        },
    )
    platform.answer("GET", r"/v1/courses", {"municipality_code": "607", "courses": []})
    platform.answer("GET", r"/v1/follow-ups", {"municipality_code": "607", "follow_ups": []})
    platform.answer("GET", r"/v1/persons/[^/]+/concerns", {"person_key": "", "concerns": []})
    platform.answer(
        "GET",
        r"/v1/meetings/607/.*",
        {
            "meeting": f"607/{WEEK}",
            "participants": [],
            "items": [],
            "decisions": [],
            "actions": [],
            "notes": [],
        },
    )
    platform.answer(
        "GET", r"/v1/meetings/607/[^/]+/concerns", {"meeting": "", "held": False, "concerns": []}
    )
    return platform
