"""The application service's use cases: completing tasks, listing them, marking them overdue."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from services.notifications.adapters.publications import notifications_publications
from services.notifications.application.app import NotificationsApplication
from services.notifications.application.service import NotificationsService, TaskNotFound
from services.notifications.bootstrap import build_application, build_service
from services.notifications.domain.case_state import TaskClosed
from services.notifications.domain.letter_task_case import LetterTaskCase
from services.notifications.entrypoints.overdue_task import mark_overdue_tasks_forever
from services.notifications.settings import NotificationsSettings
from shared.contracts import LETTER_TASKS
from shared.runtime import ServiceContext
from tests.support import outbox
from tests.unit.notifications.factories import (
    JOURNAL,
    START,
    FakeClock,
    assessment,
    decision,
)


@pytest.fixture
def app(settings: NotificationsSettings) -> NotificationsApplication:
    return build_application(settings)


@pytest.fixture
def service(
    settings: NotificationsSettings, app: NotificationsApplication, clock: FakeClock
) -> NotificationsService:
    return build_service(settings, app, clock)


def task_events(app: NotificationsApplication) -> list[tuple[str, str, str]]:
    messages = [m for m in outbox(app, notifications_publications) if m.topic == LETTER_TASKS]
    bodies = [json.loads(m.body()) for m in messages]
    return [(b["person_key"], b["event"], b["at"]) for b in bodies]


def task_id(person_key: str = "pk_a") -> str:
    return str(LetterTaskCase.create_id(JOURNAL, person_key))


def test_complete_publishes_completed_and_twice_is_an_error(
    service: NotificationsService, app: NotificationsApplication, clock: FakeClock
) -> None:
    service.receive_decision(decision())
    clock.advance(hours=3)
    completed = service.complete_task(task_id())
    assert (completed.event, completed.kind) == ("completed", "orientering")
    with pytest.raises(TaskClosed):
        service.complete_task(task_id())
    assert task_events(app) == [
        ("pk_a", "created", "2026-11-16T09:00:00Z"),
        ("pk_a", "completed", "2026-11-16T12:00:00Z"),
    ]


@pytest.mark.parametrize("unknown", ["not-a-uuid", task_id("pk_nobody"), task_id("pk_waiting")])
def test_complete_unknown_task(service: NotificationsService, unknown: str) -> None:
    service.receive_decision(decision(key="pk_waiting", route="caseworker"))  # no task yet
    with pytest.raises(TaskNotFound):
        service.complete_task(unknown)


def test_overdue_marked_once_with_the_injected_clock(
    service: NotificationsService, app: NotificationsApplication, clock: FakeClock
) -> None:
    service.receive_decision(decision(key="pk_a"))  # tovholder: due after 48 h
    service.receive_decision(decision(key="pk_b", route="caseworker"))
    service.receive_assessment(assessment(key="pk_b"))  # caseworker: due after 72 h
    service.receive_decision(decision(key="pk_c"))
    service.complete_task(task_id("pk_c"))  # completed tasks never become overdue

    assert service.mark_overdue(START + timedelta(hours=48)) == 0
    assert service.mark_overdue(START + timedelta(hours=49)) == 1
    assert service.mark_overdue(START + timedelta(hours=50)) == 0
    assert service.mark_overdue(START + timedelta(hours=73)) == 1
    assert service.mark_overdue(START + timedelta(hours=200)) == 0

    overdue = [(key, at) for key, event, at in task_events(app) if event == "overdue"]
    assert overdue == [("pk_a", "2026-11-18T10:00:00Z"), ("pk_b", "2026-11-19T10:00:00Z")]


def test_overdue_index_is_rebuilt_from_the_store(
    settings: NotificationsSettings, app: NotificationsApplication, clock: FakeClock
) -> None:
    build_service(settings, app, clock).receive_decision(decision())
    restarted = build_service(settings, app, clock)  # a fresh in-memory index
    assert restarted.mark_overdue(START + timedelta(hours=49)) == 1
    assert build_service(settings, app, clock).mark_overdue(START + timedelta(hours=50)) == 0


def test_tasks_by_municipality_and_status(service: NotificationsService, clock: FakeClock) -> None:
    service.receive_decision(decision(key="pk_a"))
    clock.advance(hours=1)
    service.receive_decision(decision(key="pk_b"))
    service.receive_decision(decision(key="pk_x", municipality_code="376"))
    service.receive_decision(decision(key="pk_w", route="caseworker"))  # no task yet
    service.complete_task(task_id("pk_b"))

    def keys(status: str | None) -> list[str]:
        return [t.person_key for t in service.tasks("607", status)]  # type: ignore[arg-type]

    assert keys("open") == ["pk_a"]
    assert keys("completed") == ["pk_b"]
    assert keys(None) == ["pk_a", "pk_b"]
    assert keys("overdue") == []
    assert [t.person_key for t in service.tasks("376", None)] == ["pk_x"]


async def test_the_scheduler_marks_overdue_tasks_while_running(
    settings: NotificationsSettings,
    app: NotificationsApplication,
    service: NotificationsService,
    clock: FakeClock,
) -> None:
    service.receive_decision(decision())
    clock.advance(hours=49)
    executor = ThreadPoolExecutor(max_workers=1)
    ctx = ServiceContext("notifications", settings, app, executor)
    loop = asyncio.create_task(mark_overdue_tasks_forever(ctx, service, interval_s=0.01))
    try:
        for _ in range(200):
            if any(event == "overdue" for _, event, _ in task_events(app)):
                break
            await asyncio.sleep(0.01)
        assert not loop.done()  # it keeps running
    finally:
        loop.cancel()
        await asyncio.gather(loop, return_exceptions=True)
        executor.shutdown()
    assert [event for _, event, _ in task_events(app)] == ["created", "overdue"]
