"""The acute procedure's standard letter is a letter task of notifications: courses asks for it
with a course event and says when step 4 is done; notifications creates, lists, completes and
tracks it like any task (its 24-hour deadline included), and is the only one to publish it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from services.courses.adapters.course_events import course_event
from services.courses.domain.acute_procedure import AcuteProcedure
from services.courses.domain.course import DeadlinePolicy
from services.notifications.adapters.publications import notifications_publications
from services.notifications.application.app import NotificationsApplication
from services.notifications.application.service import NotificationsService
from services.notifications.bootstrap import build_application, build_service
from services.notifications.entrypoints.http import create_http_app
from services.notifications.entrypoints.kafka import CONSUMERS
from services.notifications.settings import NotificationsSettings
from shared.auth import ServiceAuth
from shared.contracts import COURSES_EVENTS, LETTER_TASKS, CourseEvent, LetterTaskEvent
from shared.messaging.inbound import NOTIFICATION_ID_HEADER, ORIGIN_HEADER, Inbound
from shared.runtime import ServiceContext
from tests.support import bearer, outbox
from tests.unit.notifications.factories import FakeClock, decision
from tests.unit.notifications.letters.support import letter_desk, pdf_text

STARTED = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
POLICY = DeadlinePolicy(consent_pending=timedelta(days=14), acute_letter=timedelta(hours=24))


def procedure_events(
    step_4_done: bool = False, journal_number: str | None = "3700-80123-00456-26"
) -> tuple[AcuteProcedure, list[CourseEvent]]:
    """What courses publishes for an acute procedure (its real domain and envelope)."""
    procedure = AcuteProcedure.start(
        municipality_code="607",
        reference="2026-11-brand-skole",
        journal_number=journal_number,
        director="DIR",
        head_of_department="FCH",
        at=STARTED,
        policy=POLICY,
    )
    if step_4_done:
        procedure.complete_step(4, date(2026, 11, 16), STARTED + timedelta(hours=3))
    events = [course_event(e) for e in procedure.collect_events()]
    return procedure, [e for e in events if e is not None]


def as_messages(events: list[CourseEvent], first_id: int = 1) -> list[Inbound]:
    return [
        Inbound(
            topic=COURSES_EVENTS,
            partition=0,
            offset=i,
            key=e.course_id.encode(),
            value=e.model_dump_json().encode(),
            headers={ORIGIN_HEADER: "courses", NOTIFICATION_ID_HEADER: str(first_id + i)},
        )
        for i, e in enumerate(events)
    ]


@pytest.fixture
def app(settings: NotificationsSettings) -> NotificationsApplication:
    return build_application(settings)


@pytest.fixture
def service(
    settings: NotificationsSettings, app: NotificationsApplication, clock: FakeClock
) -> NotificationsService:
    return build_service(settings, app, clock)


def published(app: NotificationsApplication) -> list[LetterTaskEvent]:
    return [
        LetterTaskEvent.model_validate(json.loads(m.body()))
        for m in outbox(app, notifications_publications)
        if m.topic == LETTER_TASKS
    ]


def test_the_letter_courses_asks_for_is_created_listed_and_completed(
    settings: NotificationsSettings, app: NotificationsApplication, service: NotificationsService
) -> None:
    procedure, events = procedure_events(step_4_done=True)
    requested = [e for e in events if e.event != "standard_letter_sent"]
    CONSUMERS.batch_handler(service, settings)(as_messages(requested))
    (task,) = service.tasks("607", "open")
    assert task.model_dump(mode="json") == {
        "task_id": procedure.letter_task_id,
        "event": "created",
        "journal_number": "3700-80123-00456-26",
        "person_key": f"acute:{procedure.id}",
        "municipality_code": "607",
        "kind": "akut_standardbrev",
        "recipients": ["parents", "local_staff"],  # 000 l.390
        "owner_role": "management",
        "due_at": "2026-11-17T09:00:00Z",
        "at": "2026-11-16T09:00:00Z",
        "owner_team": None,
        "reason": None,
    }
    # Step 4 done in courses: the task is completed; everything again changes nothing.
    CONSUMERS.batch_handler(service, settings)(as_messages(events, first_id=10))
    assert service.tasks("607", "open") == []
    (done,) = service.tasks("607", "completed")
    assert (done.task_id, done.at) == (procedure.letter_task_id, STARTED + timedelta(hours=3))
    assert [(t.event, t.kind) for t in published(app)] == [
        ("created", "akut_standardbrev"),
        ("completed", "akut_standardbrev"),
    ]


async def test_a_procedure_without_a_police_case_gets_its_letter_all_the_same(
    settings: NotificationsSettings, clock: FakeClock, tmp_path: Path
) -> None:
    """Issue 14, part 3 (000 l.385-390: a director and a head of department start the procedure,
    "Orientering af forældre og medarbejdere lokalt (standard skriv)"): no police journal number
    is required. The task goes to parents and local staff, due in 24 hours, published with a
    null journal number; its letter prints no journal-number line."""
    d = letter_desk(settings, clock, tmp_path)
    procedure, events = procedure_events(journal_number=None)
    assert [d.service.receive_course_event(e) for e in events] == ["ignored", "task_created"]
    (task,) = d.service.tasks("607", "open")
    assert (task.task_id, task.journal_number, task.kind) == (
        procedure.letter_task_id,
        None,
        "akut_standardbrev",
    )
    assert task.recipients == ["parents", "local_staff"]
    assert task.due_at - task.at == timedelta(hours=24)
    (message,) = [json.loads(m.body()) for m in outbox(d.service.app, notifications_publications)]
    assert message["journal_number"] is None and message["person_key"] == f"acute:{procedure.id}"
    rendered = await d.desk.rendered(task, "Bearer t")
    assert d.intake.asked == []  # a group letter names nobody
    letters = [pdf_text(copy.pdf) for copy in rendered.copies]
    assert len(letters) == 2  # one for the parents, one for the local staff
    assert all("Vi skriver ikke om, hvem der var involveret." in letter for letter in letters)
    assert not any("journalnummer" in letter.lower() for letter in letters)
    # With a police case the letter names it.
    with_case = task.model_copy(update={"journal_number": "3700-80123-00456-26"})
    again = await d.desk.rendered(with_case, "Bearer t")
    assert "Politiets journalnummer: 3700-80123-00456-26" in pdf_text(again.copies[0].pdf)


def test_notifications_marks_the_letter_overdue_after_its_24_hours(
    service: NotificationsService, app: NotificationsApplication, clock: FakeClock
) -> None:
    procedure, events = procedure_events()
    for e in events:
        service.receive_course_event(e)
    assert service.mark_overdue(STARTED + timedelta(hours=24)) == 0
    assert service.mark_overdue(STARTED + timedelta(hours=24, seconds=1)) == 1
    assert service.mark_overdue(STARTED + timedelta(hours=30)) == 0
    (overdue,) = service.tasks("607", "overdue")
    assert overdue.task_id == procedure.letter_task_id
    # Sent late: completed all the same.
    _, late = procedure_events(step_4_done=True)
    sent = [e for e in late if e.event == "standard_letter_sent"]
    assert service.receive_course_event(sent[0]) == "task_completed"
    assert [t.event for t in published(app)] == ["created", "overdue", "completed"]


def test_other_course_events_are_no_letter_s_business(service: NotificationsService) -> None:
    _, events = procedure_events(step_4_done=True)
    outcomes = [service.receive_course_event(e) for e in events]
    assert outcomes == ["ignored", "task_created", "ignored", "task_completed"]
    assert [service.receive_course_event(e) for e in events] == [
        "ignored",
        "duplicate",
        "ignored",
        "duplicate",
    ]


@pytest.fixture
async def http(
    settings: NotificationsSettings, app: NotificationsApplication, service: NotificationsService
) -> AsyncIterator[httpx.AsyncClient]:
    executor = ThreadPoolExecutor(max_workers=1)
    ctx = ServiceContext("notifications", settings, app, executor)
    auth = ServiceAuth(settings, "notifications")
    api = create_http_app(ctx, service, auth.access_control(ctx))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=api), base_url="http://notifications"
    ) as client:
        yield client
    executor.shutdown()
    auth.close()


async def test_management_lists_and_completes_the_acute_letter_and_no_person_s_letter(
    settings: NotificationsSettings, service: NotificationsService, http: httpx.AsyncClient
) -> None:
    procedure, events = procedure_events()
    for e in events:
        service.receive_course_event(e)
    service.receive_decision(decision(key="pk_a", age=16))  # a person's letter
    management = bearer(settings, "management", purpose="sending the letters")
    tovholder = bearer(settings, "tovholder", purpose="sending the letters")
    params = {"municipality_code": "607"}
    seen = await http.get("/v1/letter-tasks", params=params, headers=management)
    assert seen.status_code == 200, seen.text
    assert [t["kind"] for t in seen.json()["tasks"]] == ["akut_standardbrev"]
    everything = await http.get("/v1/letter-tasks", params=params, headers=tovholder)
    assert sorted(t["kind"] for t in everything.json()["tasks"]) == [
        "akut_standardbrev",
        "orientering",
    ]
    person_task = next(t for t in everything.json()["tasks"] if t["kind"] == "orientering")
    refused = await http.post(
        f"/v1/letter-tasks/{person_task['task_id']}/complete", headers=management
    )
    assert refused.status_code == 404
    done = await http.post(
        f"/v1/letter-tasks/{procedure.letter_task_id}/complete", headers=management
    )
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["kind"]) == ("completed", "akut_standardbrev")
