"""Letters of letter tasks (issue 16): preview, send, waive, escalate.

The PDF is never stored: a letter is rendered on demand from stored, versioned inputs — the
task (kind, recipients, owner, municipality), the template and profile version recorded in its
`sent` event (`letter_version`), and the names and address intake gives at the moment of
rendering. The outbox folder holds what was handed to print and post; the platform keeps
nothing of it, and discards an erased person's copies still there (issue 18).

Methods named `*_in_store` run in the service's store thread (`ServiceContext.in_store`); the
async ones call intake and the sender outside it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from services.notifications.adapters.letter_templates import LetterBook
from services.notifications.adapters.pdf import pdf_of
from services.notifications.application.app import NotificationsApplication
from services.notifications.application.sending import LetterCopy, LetterSender
from services.notifications.application.service import Clock, TaskNotFound
from services.notifications.application.task_index import LetterTaskIndex
from services.notifications.domain import endings
from services.notifications.domain.letter_content import (
    GROUP_FACTS,
    PersonFacts,
    is_group_letter,
)
from services.notifications.domain.letter_task_case import LetterTaskCase
from shared.contracts import LetterTaskEvent
from shared.contracts.letter_tasks import EscalationLevel, WaiverReason
from shared.eventstore import UnitOfWork

log = logging.getLogger(__name__)

InStore = Callable[..., Awaitable[Any]]


class PersonFactsSource(Protocol):
    async def facts(
        self, person_key: str, journal_number: str, authorization: str
    ) -> PersonFacts: ...


@dataclass(frozen=True)
class RenderedCopies:
    letter_version: str
    copies: list[LetterCopy]


@dataclass(eq=False)
class LetterDesk:
    app: NotificationsApplication
    index: LetterTaskIndex
    book: LetterBook
    sender: LetterSender
    recipients: PersonFactsSource
    clock: Clock

    # --- rendering (any thread) -----------------------------------------------------------
    def render(self, task: LetterTaskEvent, facts: PersonFacts) -> RenderedCopies:
        """A sent letter is dated the day it was sent, however often it is rendered again."""
        letters = self.book.render(
            municipality_code=task.municipality_code,
            kind=task.kind,
            recipients=list(task.recipients),
            owner_role=task.owner_role,
            facts=facts,
            journal_number=task.journal_number,
            today=task.at if task.event == "sent" else self.clock(),
            group=is_group_letter(task.person_key),
        )
        copies = [
            LetterCopy(
                letter_id=f"{task.task_id}-{number}",
                recipient=letter.addressee.recipient,
                addressee_lines=letter.addressee.address_lines,
                pdf=pdf_of(letter.html),
            )
            for number, letter in enumerate(letters, start=1)
        ]
        return RenderedCopies(self.book.version(task.municipality_code), copies)

    async def rendered(self, task: LetterTaskEvent, authorization: str) -> RenderedCopies:
        """A group letter names nobody: intake is not asked. (A task without a journal number
        is a group letter: the contract allows none on any other kind.)"""
        if is_group_letter(task.person_key) or task.journal_number is None:
            return await asyncio.to_thread(self.render, task, GROUP_FACTS)
        facts = await self.recipients.facts(task.person_key, task.journal_number, authorization)
        return await asyncio.to_thread(self.render, task, facts)

    # --- use cases --------------------------------------------------------------------------
    async def send(
        self, in_store: InStore, task_id: str, authorization: str, by_role: str
    ) -> LetterTaskEvent:
        """Render, hand to the sender, record `sent`. A task already ended raises `TaskClosed`
        before anything is sent; two sends at once both reach the idempotent sender (one
        letter) and only the first is recorded (the second gets `TaskClosed`)."""
        task: LetterTaskEvent = await in_store(self.open_task_in_store, task_id)
        rendered = await self.rendered(task, authorization)
        await self.sender.send(rendered.copies)
        sent: LetterTaskEvent = await in_store(
            self.record_sent_in_store,
            task_id,
            rendered.letter_version,
            len(rendered.copies),
            by_role,
        )
        log.info(
            "notifications: %s letter of task %s sent by %s (%d copies)",
            sent.kind,
            task_id,
            sent.channel,
            len(rendered.copies),
        )
        return sent

    def open_task_in_store(self, task_id: str) -> LetterTaskEvent:
        uow = UnitOfWork(self.app)
        return endings.open_letter(_case_of_task(uow, task_id))

    def record_sent_in_store(
        self, task_id: str, letter_version: str, copies: int, by_role: str
    ) -> LetterTaskEvent:
        uow = UnitOfWork(self.app)
        case = _case_of_task(uow, task_id)
        letter = endings.send(
            case,
            self.clock(),
            channel=self.sender.channel,
            letter_version=letter_version,
            copies=copies,
            by_role=by_role,
        )
        uow.commit()
        return letter

    def waive_in_store(self, task_id: str, reason: WaiverReason, by_role: str) -> LetterTaskEvent:
        uow = UnitOfWork(self.app)
        case = _case_of_task(uow, task_id)
        letter = endings.waive(case, self.clock(), reason=reason, by_role=by_role)
        uow.commit()
        log.info("notifications: task %s waived (%s) by %s", task_id, reason, by_role)
        return letter

    def escalate_in_store(self, now: datetime) -> list[tuple[str, EscalationLevel]]:
        """Escalate every task past its deadline that calls for it; each escalation is an event
        of its case, recorded once, so a check repeated after a restart records nothing new."""
        self.index.catch_up()
        due = self.index.escalation_candidates(now)
        if not due:
            return []
        uow = UnitOfWork(self.app)
        uow.prefetch(UUID(task_id) for task_id, _ in due)
        done: list[tuple[str, EscalationLevel]] = []
        for task_id, created_at in due:
            case = uow.get(LetterTaskCase, UUID(task_id))
            if not isinstance(case, LetterTaskCase):
                continue
            for level in endings.escalate(case, now, created_at):
                done.append((task_id, level))
                log.warning("notifications: task %s escalated to %s", task_id, level)
        uow.commit()
        return done


def _case_of_task(uow: UnitOfWork, task_id: str) -> LetterTaskCase:
    try:
        case = uow.get(LetterTaskCase, UUID(task_id))
    except (ValueError, TypeError):
        raise TaskNotFound(task_id) from None
    if not isinstance(case, LetterTaskCase) or case.letter is None:
        # The acute procedure's letter is sent by completing its step (courses): not here.
        raise TaskNotFound(task_id)
    return case
