"""What courses publishes for each stored event (the outbox relay calls this): every course
event once on `ssp.courses.events.v1` keyed by course id. The acute procedure asks for its
standard letter with a course event (`standard_letter_requested`); notifications creates,
completes and tracks the letter task. Every follow-up action's event is published once on
`ssp.courses.follow-ups.v1` keyed by person key (codes and dates; never the note).
Eligibility records are not published."""

from __future__ import annotations

from typing import Any

from services.courses.adapters.course_events import course_event
from services.courses.adapters.follow_up_events import follow_up_event
from shared.contracts import COURSES_EVENTS, COURSES_FOLLOW_UPS
from shared.messaging.dead_letters import dead_letter_publications
from shared.messaging.outgoing import Outgoing


def courses_publications(event: Any) -> list[Outgoing]:
    follow_up = follow_up_event(event)
    if follow_up is not None:
        return [Outgoing(COURSES_FOLLOW_UPS, follow_up.person_key, follow_up)]
    envelope = course_event(event)
    if envelope is None:
        return dead_letter_publications(event)
    return [Outgoing(COURSES_EVENTS, envelope.course_id, envelope)]
