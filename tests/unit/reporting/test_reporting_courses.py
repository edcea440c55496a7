"""Course events show in the trace of the journal number the course follows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from services.reporting.bootstrap import definition
from services.reporting.domain.model import TimelineStep
from services.reporting.settings import ReportingSettings
from shared.contracts import COURSES_EVENTS
from tests.support import inbox_harness
from tests.unit.reporting.documents import JOURNAL, PK_TOVHOLDER, relay_headers


def course_event(event_id: str, event: str, journal_number: str | None) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "course_id": "c-1",
        "course_type": "trivsel_plus",
        "event": event,
        "person_key": PK_TOVHOLDER if journal_number else None,
        "municipality_code": "607",
        "journal_number": journal_number,
        "at": "2026-11-20T10:15:00+01:00",
        "data": {"given_on": "2026-11-20"},
    }


async def test_course_events_become_steps_of_their_journal(tmp_path: Path) -> None:
    settings = ReportingSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path))
    async with inbox_harness(definition(settings)) as h:
        await h.publish(
            course_event("e1", "started", JOURNAL),
            COURSES_EVENTS,
            headers=relay_headers("courses", 1),
        )
        await h.publish(
            course_event("e1", "started", JOURNAL),
            COURSES_EVENTS,
            headers=relay_headers("courses", 1),
        )  # re-delivered
        await h.publish(
            course_event("e2", "consent_given", JOURNAL),
            COURSES_EVENTS,
            headers=relay_headers("courses", 2),
        )
        await h.publish(
            course_event("e3", "started", None), COURSES_EVENTS, headers=relay_headers("courses", 3)
        )
        steps = [
            h.app.mapper.to_domain_event(n)
            for n in h.app.recorder.select_notifications(start=None, limit=100)
        ]
        assert h.runtime.dead_letters == 0
    observed = [s for s in steps if isinstance(s, TimelineStep.Recorded)]
    assert [(s.service, s.step, s.detail) for s in observed] == [
        ("courses", "course_changed", "trivsel_plus started"),
        ("courses", "course_changed", "trivsel_plus consent_given"),
    ]
    assert all(s.journal_number == JOURNAL for s in observed)
