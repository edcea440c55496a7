"""What the tests of triage's part of issue 18 share: a triage on a store (memory, SQLite or
PostgreSQL) with its keyring, the weekly meeting's commands, and `PersonErased` delivered as
the consumer receives it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import count
from typing import Any

from services.triage.application.app import TriageApplication
from services.triage.application.meetings import ActionToAgree, MeetingMinutes, Participant
from services.triage.application.service import TriageService
from services.triage.entrypoints.kafka import CONSUMERS
from shared.contracts import PERSON_ERASURES, PersonErased
from shared.keys.keyring import PersonKeyring
from shared.messaging.inbound import Inbound
from tests.unit.triage.factories import PROFILES, incident, journal, person

MUNICIPALITY = "607"
WEEK = "2026-W47"
AT = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
CHAIR = Participant("ABJ", "tovholder")
_OFFSETS = count(1)


def erasure_message(person_key: str, municipality_code: str = MUNICIPALITY) -> Inbound:
    """`PersonErased` as triage's consumer receives it (a request, erased at `AT`)."""
    erased = PersonErased.model_validate(
        {
            "erasure_id": f"erasure-of-{person_key}",
            "person_key": person_key,
            "municipality_code": municipality_code,
            "reason": "request",
            "erased_at": AT,
        }
    )
    value = erased.model_dump_json().encode()
    return Inbound(PERSON_ERASURES, 0, next(_OFFSETS), person_key.encode(), value)


@dataclass
class Triage:
    app: TriageApplication
    service: TriageService
    minutes: MeetingMinutes

    @classmethod
    def on(cls, env: dict[str, str], keyring: PersonKeyring | None = None) -> Triage:
        app = TriageApplication(env=env, keyring=keyring)
        service = TriageService(app, profiles=PROFILES, clock=lambda: AT)
        return cls(app, service, MeetingMinutes(app))

    def route(self, person_key: str, n: int) -> str:
        """An incident (the n-th journal number) routing the person; its journal number."""
        number = journal(n)
        self.service.triage_incident(
            incident(journal_number=number, persons=[person(person_key, 14)])
        )
        return number

    def note(self, text: str, person_key: str | None = None, n: int = 1, week: str = WEEK) -> str:
        number = journal(n) if person_key else None
        return self.minutes.record_note(MUNICIPALITY, week, number, person_key, text, CHAIR, AT)

    def action(self, text: str, person_key: str, n: int = 1, week: str = WEEK) -> str:
        agreed = self.minutes.agree_action(
            MUNICIPALITY,
            week,
            ActionToAgree(journal(n), person_key, text, "tovholder", None, AT.date()),
            CHAIR,
            AT,
        )
        return agreed.action_id

    def texts(self, week: str = WEEK) -> dict[str, Any]:
        """The minutes' texts by person key (None: about the meeting)."""
        read = self.minutes.minutes(MUNICIPALITY, week)
        found: dict[str | None, list[str | None]] = {}
        if read.meeting is None:
            return found
        for action in read.meeting.actions:
            found.setdefault(action.person_key, []).append(read.texts[action.action_id])
        for note in read.meeting.notes:
            found.setdefault(note["person_key"], []).append(read.texts[note["note_id"]])
        return found

    def erase(self, person_key: str) -> None:
        CONSUMERS.batch_handler(self.service)([erasure_message(person_key)])

    def close(self) -> None:
        self.app.close()
