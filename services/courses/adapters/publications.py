"""What courses publishes for each stored event (the outbox relay calls this): every course
event once on `ssp.courses.events.v1` keyed by course id. The acute procedure asks for its
standard letter with a course event (`standard_letter_requested`); notifications creates,
completes and tracks the letter task. Eligibility records are not published."""

from __future__ import annotations

from typing import Any

from services.courses.adapters.course_events import course_event
from shared.contracts import COURSES_EVENTS
from shared.messaging.dead_letters import dead_letter_publications
from shared.messaging.outgoing import Outgoing


def courses_publications(event: Any) -> list[Outgoing]:
    envelope = course_event(event)
    if envelope is None:
        return dead_letter_publications(event)
    return [Outgoing(COURSES_EVENTS, envelope.course_id, envelope)]
