"""Turning 18 with an open item (issue 14, part 4).

Seed 004 l.369-373 (Vejen): "SSP spiller en vigtig rolle i overgangen mellem unge og voksne
målgrupper ... Overdragelse af unge med komplekse problemstillinger fra SSP til
PSP/KSP-systemerne". A scheduled check flags the young person on their 18th birthday (not only
when a new report arrives) and opens one handover task, owned by the profile's PSP/KSP contact,
with a due date; completing it records where they were handed over to."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from services.triage.application.app import TriageApplication
from services.triage.application.service import TriageService
from services.triage.bootstrap import build_service
from services.triage.domain.adulthood import TaskAlreadyCompleted
from services.triage.entrypoints.kafka import CONSUMERS
from services.triage.settings import TriageSettings
from shared.contracts import COURSES_EVENTS, LETTER_TASKS, LetterTaskEvent
from shared.contracts.cpr import turns_18_on
from shared.eventstore import store_env
from shared.eventstore.unit_of_work import UnitOfWork
from shared.messaging.inbound import Inbound
from tests.unit.triage.factories import DECIDED_AT, JOURNAL, case_event, incident, person

BIRTHDAY = date(2027, 1, 10)


@pytest.fixture
def app(settings: TriageSettings) -> Iterator[TriageApplication]:
    application = TriageApplication(env=store_env(settings, "triage"))
    yield application
    application.close()


def service_on(settings: TriageSettings, app: TriageApplication) -> TriageService:
    return build_service(settings, app, clock=lambda: DECIDED_AT)


# A letter task created for pk_a (the topic's message, as triage receives it).
TASK_CREATED = {"task_id": "t1", "event": "created", "journal_number": JOURNAL,
                "person_key": "pk_a", "municipality_code": "607", "kind": "orientering",
                "recipients": ["parents"], "owner_role": "tovholder",
                "due_at": "2026-11-20T08:00:00+01:00",
                "at": "2026-11-16T08:00:00+01:00"}  # fmt: skip


def minor(key: str = "pk_a", **overrides: Any) -> dict[str, Any]:
    return person(key, 17, turns_18_on=BIRTHDAY.isoformat(), **overrides)


def test_the_29th_of_february_turns_18_on_the_1st_of_march() -> None:
    assert turns_18_on(date(2008, 2, 29)) == date(2026, 3, 1)
    assert turns_18_on(date(2008, 3, 12)) == date(2026, 3, 12)


# (what the person has on the birthday) -> task opened, open items
RULES = [
    pytest.param("decision", True, ["recent_decision"], id="a standing decision: flagged"),
    pytest.param("case", True, ["active_case", "recent_decision"], id="an active case too"),
    pytest.param("withdrawn", False, [], id="decision withdrawn, no case: nothing open"),
]


@pytest.mark.parametrize(("situation", "opened", "items"), RULES)
def test_the_birthday_check_rule_table(
    settings: TriageSettings,
    app: TriageApplication,
    situation: str,
    opened: bool,
    items: list[str],
) -> None:
    service = service_on(settings, app)
    if situation == "case":
        service.register_case_event(case_event())
    service.triage_incident(incident(persons=[minor()]))
    if situation == "withdrawn":
        service.triage_incident(incident(revision=2, persons=[person("pk_b")]))
    assert service.check_birthdays(BIRTHDAY) == int(opened)
    tasks = service.psp_ksp_handovers("607")
    assert [t["open_items"] for t in tasks] == ([items] if opened else [])


def test_flagged_on_the_birthday_exactly_once_across_restarts(
    settings: TriageSettings, app: TriageApplication
) -> None:
    service = service_on(settings, app)
    service.triage_incident(incident(persons=[minor()]))
    assert service.check_birthdays(BIRTHDAY - timedelta(days=1)) == 0  # not yet 18
    assert service.check_birthdays(BIRTHDAY) == 1
    assert service.check_birthdays(BIRTHDAY) == 0
    restarted = service_on(settings, app)  # a new process on the same store
    assert restarted.check_birthdays(BIRTHDAY + timedelta(days=3)) == 0
    (task,) = restarted.psp_ksp_handovers("607")
    # Fredericia's profile names no PSP/KSP contact: the team leader, 14 days.
    assert (task["owner_role"], task["due_on"], task["status"]) == (
        "team_leader",
        (BIRTHDAY + timedelta(days=14)).isoformat(),
        "open",
    )
    done = restarted.complete_psp_ksp_handover("607", "pk_a", "ksp")
    assert (done["status"], done["handed_over_to"]) == ("completed", "ksp")
    with pytest.raises(TaskAlreadyCompleted):
        restarted.complete_psp_ksp_handover("607", "pk_a", "psp")


def test_a_check_that_missed_days_catches_up(
    settings: TriageSettings, app: TriageApplication
) -> None:
    service = service_on(settings, app)
    service.triage_incident(incident(persons=[minor()]))
    assert service.check_birthdays(BIRTHDAY + timedelta(days=5)) == 1


def test_vejen_names_its_psp_ksp_contact(settings: TriageSettings, app: TriageApplication) -> None:
    service = service_on(settings, app)
    service.triage_incident(incident(persons=[minor(municipality_code="575")]))
    assert service.check_birthdays(BIRTHDAY) == 1
    (task,) = service.psp_ksp_handovers("575")
    assert task["owner_team"] == "PSP/KSP-koordinator"


def _followed(
    settings: TriageSettings, service: TriageService, topic: str, doc: dict[str, Any], n: int
) -> None:
    origin = "notifications" if topic == LETTER_TASKS else "courses"
    headers = {"ssp-origin": origin, "ssp-notification-id": str(n)}
    body = json.dumps(doc).encode()
    handle = CONSUMERS.batch_handler(service, settings)
    handle([Inbound(settings.topic(topic), 0, n, b"pk_a", body, headers)])


def test_open_letter_tasks_and_courses_are_open_items(
    settings: TriageSettings, app: TriageApplication
) -> None:
    """Triage follows the letter-task and course topics: an open letter task, TRIVSEL+ course
    or exit programme on the birthday is an open item; a closed one is not."""
    service = service_on(settings, app)
    # Reported long before the birthday: no standing recent decision counts.
    service.triage_incident(incident(persons=[minor()], occurred_at="2025-01-01T20:00:00+01:00"))
    course = {"event_id": "e1", "course_id": "c1", "course_type": "exit_programme",
              "event": "started", "person_key": "pk_a", "municipality_code": "607",
              "journal_number": JOURNAL, "at": "2026-11-16T08:00:00+01:00",
              "data": {}}  # fmt: skip
    _followed(settings, service, LETTER_TASKS, TASK_CREATED, 1)
    _followed(settings, service, LETTER_TASKS, {**TASK_CREATED, "event": "completed"}, 2)
    _followed(settings, service, COURSES_EVENTS, course, 3)
    assert service.check_birthdays(BIRTHDAY) == 1
    (opened,) = service.psp_ksp_handovers("607")
    assert opened["open_items"] == ["exit_programme"]  # the completed task is not open


def test_a_batch_reads_its_calendars_and_open_items_with_the_prefetch(
    settings: TriageSettings, app: TriageApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The birthday calendar a minor's decision is noted in, and the open items a letter-task
    event changes, are loaded with the batch's prefetch, not one query each per message."""
    service = service_on(settings, app)
    service.triage_incident(incident(persons=[minor()], occurred_at="2025-01-01T20:00:00+01:00"))
    task = LetterTaskEvent.model_validate(TASK_CREATED)
    revised = incident(revision=2, persons=[minor()], occurred_at="2025-01-01T20:00:00+01:00")
    uow = UnitOfWork(app)
    service.prefetch(uow, [revised, task])

    def asked(aggregate_id: Any, *args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"aggregate {aggregate_id} was read outside the prefetch")

    monkeypatch.setattr(app.repository, "get", asked)
    service.triage_in(uow, revised)
    service.follow_open_item_in(uow, task)
    uow.commit()
