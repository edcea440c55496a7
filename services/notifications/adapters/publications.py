"""What notifications publishes for each stored event (the outbox relay calls this): each
task event once (a person's letter or the acute procedure's), as a `LetterTaskEvent` keyed by
person_key. Notifications is the only producer of ssp.notifications.letter-tasks.v1."""

from __future__ import annotations

from typing import Any

from services.notifications.domain.acute_letter import AcuteLetterTask
from services.notifications.domain.letter_task_case import LetterTaskCase
from shared.contracts import LETTER_TASKS, LetterTaskEvent
from shared.messaging.dead_letters import dead_letter_publications
from shared.messaging.outgoing import Outgoing, as_contract


def notifications_publications(event: Any) -> list[Outgoing]:
    if isinstance(event, LetterTaskCase.TaskChanged | AcuteLetterTask.TaskChanged):
        return [as_contract(LETTER_TASKS, LetterTaskEvent, event.letter)]
    return dead_letter_publications(event)
