"""What courses publishes for each stored event (the outbox relay calls this): every course
event once on `ssp.courses.events.v1` keyed by course id, and the acute procedure's standard
letter once more as a `LetterTaskEvent` on `ssp.notifications.letter-tasks.v1` (courses owns
that task). Eligibility records are not published."""

from __future__ import annotations

from typing import Any

from services.courses.adapters.course_events import course_event
from services.courses.domain.acute_procedure import AcuteProcedure
from shared.contracts import COURSES_EVENTS, LETTER_TASKS, LetterTaskEvent
from shared.messaging.dead_letters import dead_letter_publications
from shared.messaging.outgoing import Outgoing


def courses_publications(event: Any) -> list[Outgoing]:
    envelope = course_event(event)
    if envelope is None:
        return dead_letter_publications(event)
    messages = [Outgoing(COURSES_EVENTS, envelope.course_id, envelope)]
    if (
        isinstance(event, AcuteProcedure.StandardLetterChanged)
        and event.letter.get("journal_number") is not None  # else the course's own task
    ):
        letter = LetterTaskEvent.model_validate(event.letter)
        messages.append(Outgoing(LETTER_TASKS, letter.person_key, letter))
    return messages
