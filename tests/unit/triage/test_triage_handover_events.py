"""The turning-18 handover on a topic (issue 17, part 1): triage publishes the PSP/KSP handover
task's opening and completion on ssp.triage.handovers.v1, keyed by the person, codes and dates
only, and reporting turns each into a step of the person's timeline in Danish words."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from datetime import date

import pytest

from services.reporting.domain.person_observations import handover_changed
from services.reporting.domain.wording import describe
from services.triage.adapters.publications import PUBLISHED_TOPICS, triage_publications
from services.triage.application.app import TriageApplication
from services.triage.bootstrap import build_service, definition
from services.triage.domain.adulthood import HANDOVER_COMPLETED, HANDOVER_OPENED
from services.triage.settings import TriageSettings
from shared.contracts import TRIAGE_HANDOVERS, HandoverTaskEvent
from shared.eventstore import store_env
from shared.messaging.outgoing import Outgoing
from tests.unit.triage.factories import DECIDED_AT, incident, person

BIRTHDAY = date(2027, 1, 10)


@pytest.fixture
def app(settings: TriageSettings) -> Iterator[TriageApplication]:
    """Triage's store (in memory, from the unit tests' settings)."""
    with closing(TriageApplication(env=store_env(settings, "triage"))) as application:
        yield application


def published(app: TriageApplication) -> list[Outgoing]:
    out: list[Outgoing] = []
    for notification in app.recorder.select_notifications(start=1, limit=1000):
        out += triage_publications(app.mapper.to_domain_event(notification))
    return [o for o in out if o.topic == TRIAGE_HANDOVERS]


def test_the_handover_task_opened_and_completed_is_published_and_on_the_timeline(
    settings: TriageSettings, app: TriageApplication
) -> None:
    service = build_service(settings, app, clock=lambda: DECIDED_AT)
    service.triage_incident(
        incident(persons=[person("pk_a", 17, turns_18_on=BIRTHDAY.isoformat())])
    )
    assert service.check_birthdays(BIRTHDAY) == 1
    assert service.check_birthdays(BIRTHDAY) == 0  # a second check publishes nothing more
    service.complete_psp_ksp_handover("607", "pk_a", "ksp")

    messages = published(app)
    assert TRIAGE_HANDOVERS in PUBLISHED_TOPICS
    # The relay reads only the event classes the service names.
    published_events = definition(settings).published_events or []
    assert {HANDOVER_OPENED, HANDOVER_COMPLETED} <= set(published_events)
    assert [m.key for m in messages] == ["pk_a", "pk_a"]
    opened, completed = (HandoverTaskEvent.model_validate(m.value) for m in messages)
    assert (opened.event, opened.turned_18_on, opened.open_items) == (
        "opened",
        BIRTHDAY,
        ["recent_decision"],
    )
    assert opened.municipality_code == "607" and opened.due_on is not None
    assert (completed.event, completed.handed_over_to) == ("completed", "ksp")
    assert opened.event_id != completed.event_id
    # Re-publishing (the relay after a restart) gives the same ids: reporting de-duplicates.
    assert [m.value for m in published(app)] == [m.value for m in messages]

    rows = [handover_changed(e) for e in (opened, completed)]
    assert [r.step for r in rows] == ["psp_ksp_handover_opened", "psp_ksp_handover_completed"]
    assert all(r.journal_number is None and r.person_key == "pk_a" for r in rows)
    texts = [describe(r.step, r.facts, None, r.detail) for r in rows]
    assert texts[0] == (
        "Fyldt 18 10. januar 2027 med en nylig visitering: overdragelse til PSP/KSP i "
        "Fredericia (607) oprettet, ejer teamleder, frist 24. januar 2027"
    )
    assert texts[1] == (
        "Overdragelse til PSP/KSP i Fredericia (607) afsluttet: overdraget til KSP-samarbejdet"
    )
