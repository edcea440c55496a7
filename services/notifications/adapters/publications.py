"""What notifications publishes for each stored event (the outbox relay calls this): each
task event once (a person's letter or the acute procedure's), as a `LetterTaskEvent` keyed by
person_key. Notifications is the only producer of ssp.notifications.letter-tasks.v1, and of
ssp.notifications.assessments.v1: each assessment and family meeting it records (issue 17)."""

from __future__ import annotations

from typing import Any

from services.notifications.adapters.caseworker_records import caseworker_record_event
from services.notifications.domain.acute_letter import AcuteLetterTask
from services.notifications.domain.letter_task_case import LetterTaskCase
from shared.contracts import LETTER_TASKS, NOTIFICATIONS_ASSESSMENTS, LetterTaskEvent
from shared.messaging.dead_letters import dead_letter_publications
from shared.messaging.outgoing import Outgoing, as_contract


def notifications_publications(event: Any) -> list[Outgoing]:
    if isinstance(event, LetterTaskCase.TaskChanged | AcuteLetterTask.TaskChanged):
        return [as_contract(LETTER_TASKS, LetterTaskEvent, event.letter)]
    record = caseworker_record_event(event)
    if record is not None:
        return [Outgoing(NOTIFICATIONS_ASSESSMENTS, record.person_key, record)]
    return dead_letter_publications(event)
