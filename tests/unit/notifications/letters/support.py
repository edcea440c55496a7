"""A notifications service with its letter desk, for the letter tests: the real templates, PDF
engine and outbox; intake's answer given by the test (intake's own endpoint is tested in
tests/unit/intake and end to end)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from services.notifications.adapters.letter_templates import LetterBook
from services.notifications.adapters.outbox_sender import OutboxSender
from services.notifications.application.letters import LetterDesk
from services.notifications.application.sending import LetterSender
from services.notifications.application.service import NotificationsService
from services.notifications.bootstrap import build_application, build_letter_desk, build_service
from services.notifications.domain.letter_content import PersonFacts
from services.notifications.settings import NotificationsSettings
from tests.unit.notifications.factories import FakeClock

BOOK = LetterBook()


def facts(
    names: tuple[str, ...] = ("Mads Jensen",),
    addresses: tuple[str, ...] = ("Vestre Ringvej 4, 7000 Fredericia",),
    custodians: tuple[tuple[str, str], ...] = (),
    role: Any = "sigtet",
    age: int | None = 14,
) -> PersonFacts:
    return PersonFacts(
        names=names,
        addresses=addresses,
        custodians=custodians,
        role=role,
        age_at_incident=age,
        offence_code="butikstyveri",
        occurred_on=date(2026, 11, 15),
    )


@dataclass
class GivenIntake:
    """Intake's answer, as the test gives it; every question is kept."""

    answer: PersonFacts = field(default_factory=facts)
    asked: list[tuple[str, str, str]] = field(default_factory=list)

    async def facts(self, person_key: str, journal_number: str, authorization: str) -> PersonFacts:
        self.asked.append((person_key, journal_number, authorization))
        return self.answer


async def in_store(fn: Any, *args: Any) -> Any:
    return fn(*args)


@dataclass
class Desk:
    service: NotificationsService
    desk: LetterDesk
    intake: GivenIntake
    outbox: Path


def letter_desk(
    settings: NotificationsSettings,
    clock: FakeClock,
    tmp_path: Path,
    sender: LetterSender | None = None,
) -> Desk:
    app = build_application(settings)
    outbox = tmp_path / "outbox"
    sender = sender or OutboxSender(outbox)
    service = build_service(settings, app, clock, sender)
    intake = GivenIntake()
    desk = build_letter_desk(settings, service, BOOK, sender=sender, recipients=intake)
    return Desk(service, desk, intake, outbox)
