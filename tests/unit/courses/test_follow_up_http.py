"""Follow-up actions over courses' HTTP API (issue 17, part 2): recorded by staff of every
route, the note sealed in the store (the raw SQLite bytes lack it) and never published, next
steps listed by owner and overdue, a TRIVSEL+ follow-up linked to its course, access by role
and municipality, one error shape."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.courses.adapters.publications import courses_publications
from services.courses.application.service import CoursesService
from services.courses.bootstrap import build_application, build_service
from services.courses.entrypoints.http import create_http_app
from services.courses.settings import CoursesSettings
from shared.auth import ServiceAuth
from shared.contracts import COURSES_FOLLOW_UPS
from shared.http import add_platform_routes
from shared.runtime import ServiceContext
from tests.support import bearer
from tests.unit.courses.factories import JOURNAL, PRIVATE_TEXT, FakeClock, decision

VISIT = {
    "person_key": "pk_a",
    "municipality_code": "607",
    "kind": "hjemmebesoeg",
    "held_on": "2026-11-10",
    "held_by": "ABJ",
    "outcome": "held",
    "next_step": {"kind": "skolebesoeg", "owner": "tovholder", "due_on": "2026-11-13"},
    "note": PRIVATE_TEXT,
}


@dataclass
class Api:
    http: httpx.AsyncClient
    service: CoursesService
    settings: CoursesSettings

    def as_role(self, role: str, municipalities: tuple[str, ...] = ("607",)) -> dict[str, str]:
        return bearer(self.settings, role, municipalities)

    async def record(self, body: dict[str, Any], role: str = "caseworker") -> httpx.Response:
        return await self.http.post("/v1/follow-ups", json=body, headers=self.as_role(role))


@pytest.fixture
async def api(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Api]:
    # A SQLite file, not memory: the test reads the store's raw bytes.
    settings = CoursesSettings(SSP_DATABASE_URL="", SSP_DATA_DIR=str(tmp_path))
    app = build_application(settings)
    service = build_service(settings, app, clock)
    executor = ThreadPoolExecutor(max_workers=1)
    ctx = ServiceContext("courses", settings, app, executor)
    auth = ServiceAuth(settings, "courses")
    http_app = create_http_app(ctx, service, auth.access_control(ctx))

    async def ready() -> dict[str, bool]:
        return {"store": True}

    add_platform_routes(http_app, ready, "courses")
    transport = httpx.ASGITransport(app=http_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://courses") as http:
        yield Api(http, service, settings)
    executor.shutdown()
    app.close()
    auth.close()


async def test_a_caseworker_records_a_home_visit_and_its_note_is_sealed_at_rest(
    api: Api, tmp_path: Path
) -> None:
    response = await api.record(VISIT)
    assert response.status_code == 201, response.text
    action = response.json()
    assert response.headers["location"] == f"/v1/follow-ups/{action['action_id']}"
    assert (action["kind"], action["recorded_by_role"], action["note"]) == (
        "hjemmebesoeg",
        "caseworker",
        PRIVATE_TEXT,
    )
    assert action["next_step"]["overdue"] is True  # due 13 November; the clock says the 16th
    read = await api.http.get(
        f"/v1/follow-ups/{action['action_id']}", headers=api.as_role("tovholder")
    )
    assert read.json()["note"] == PRIVATE_TEXT

    stored = b"".join(p.read_bytes() for p in tmp_path.glob("courses.sqlite*"))
    assert b"hjemmebesoeg" in stored  # the event is there …
    assert PRIVATE_TEXT.encode() not in stored  # … its note is not
    with sqlite3.connect(tmp_path / "courses.sqlite") as db:
        states = b"".join(bytes(row[0]) for row in db.execute("SELECT state FROM stored_events"))
    assert PRIVATE_TEXT.encode() not in states


async def test_published_as_codes_and_dates_only_keyed_by_person(api: Api) -> None:
    await api.record(VISIT)
    notifications = api.service.app.recorder.select_notifications(start=1, limit=10)
    published = [
        out
        for n in notifications
        for out in courses_publications(api.service.app.mapper.to_domain_event(n))
    ]
    assert [(p.topic, p.key) for p in published] == [(COURSES_FOLLOW_UPS, "pk_a")]
    text = published[0].body().decode()
    assert PRIVATE_TEXT not in text and "note" not in text


async def test_an_overdue_next_step_is_listed_for_its_owner(api: Api, clock: FakeClock) -> None:
    await api.record(VISIT)
    await api.record({**VISIT, "next_step": {**VISIT["next_step"], "due_on": "2026-11-30"}})
    await api.record({**VISIT, "next_step": None, "kind": "bekymringssamtale"})

    async def listed(**params: str) -> list[dict[str, Any]]:
        response = await api.http.get(
            "/v1/follow-ups",
            params={"municipality_code": "607", **params},
            headers=api.as_role("tovholder"),
        )
        assert response.status_code == 200, response.text
        return list(response.json()["follow_ups"])

    overdue = await listed(owner="tovholder", status="overdue")
    assert [a["next_step"]["due_on"] for a in overdue] == ["2026-11-13"]
    assert "note" not in overdue[0]
    assert len(await listed(status="open")) == 2
    assert len(await listed(person_key="pk_a")) == 3
    assert await listed(owner="KLM", status="overdue") == []

    # The scheduler raises it once; done, it leaves the list.
    assert api.service.emit_overdue(clock()) == 1
    assert api.service.emit_overdue(clock()) == 0
    action = overdue[0]
    done = await api.http.post(
        f"/v1/follow-ups/{action['action_id']}/complete-next-step",
        json={"expected_version": 2, "by": "ABJ"},
        headers=api.as_role("tovholder"),
    )
    assert done.status_code == 200, done.text
    assert done.json()["next_step"]["status"] == "done"
    assert await listed(status="overdue") == []


async def test_a_trivsel_follow_up_is_an_action_linked_to_its_course(api: Api) -> None:
    api.service.receive_decision(decision(key="pk_a", age=14))
    tovholder = api.as_role("tovholder")
    started = await api.http.post(
        "/v1/trivsel-courses",
        json={
            "person_key": "pk_a",
            "journal_number": JOURNAL,
            "step": 2,
            "rationale": "",
            "coordinator": "ABJ",
            "local_leader": "KLM",
        },
        headers=tovholder,
    )
    course = started.json()
    answer = await api.http.post(
        f"/v1/trivsel-courses/{course['course_id']}/record-follow-up",
        json={"expected_version": 1, "kind": "gusa_dialog", "note": PRIVATE_TEXT},
        headers=tovholder,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["follow_ups"] == [
        {"kind": "gusa_dialog", "held_on": "2026-11-16", "note": ""}
    ]
    # Through the general route too, naming the course.
    linked = await api.record({**VISIT, "course_id": course["course_id"]}, role="tovholder")
    assert linked.status_code == 201, linked.text
    assert linked.json()["journal_number"] == JOURNAL
    listed = await api.http.get(
        "/v1/follow-ups",
        params={"municipality_code": "607", "course_id": course["course_id"]},
        headers=tovholder,
    )
    actions = listed.json()["follow_ups"]
    assert sorted(a["kind"] for a in actions) == ["gusa_dialog", "hjemmebesoeg"]
    assert {a["held_by"] for a in actions} == {"ABJ"}
    # The course's events keep their shape: follow_up_recorded with kind and held_on.
    events = await api.http.get(f"/v1/courses/{course['course_id']}/events", headers=tovholder)
    recorded = [e for e in events.json()["events"] if e["event"] == "follow_up_recorded"]
    assert [sorted(e["data"]) for e in recorded] == [["held_on", "kind"]] * 2

    other = await api.record({**VISIT, "person_key": "pk_b", "course_id": course["course_id"]})
    assert other.status_code == 422
    assert other.json()["error"] == "course_of_another_person"


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({**VISIT, "held_on": "2026-11-17"}, 422, "date_in_future"),
        (
            {**VISIT, "next_step": {**VISIT["next_step"], "due_on": "2026-11-09"}},
            422,
            "due_before_held",
        ),
        ({**VISIT, "kind": "kaffe"}, 422, "invalid_request"),
        ({**VISIT, "note": "x" * 4001}, 422, "invalid_request"),
        ({**VISIT, "municipality_code": "376"}, 403, None),
    ],
)
async def test_refusals_have_one_shape(
    api: Api, body: dict[str, Any], status: int, error: str | None
) -> None:
    response = await api.record(body)
    assert response.status_code == status, response.text
    answer = response.json()
    assert "error" in answer and "detail" not in answer
    if error is not None:
        assert answer["error"] == error
    assert PRIVATE_TEXT not in response.text


@pytest.mark.parametrize(
    ("role", "status"),
    [("caseworker", 201), ("police_coordinator", 201), ("management", 403), ("auditor", 403)],
)
async def test_who_may_record(api: Api, role: str, status: int) -> None:
    assert (await api.record(VISIT, role=role)).status_code == status


async def test_an_action_of_another_municipality_is_not_found(api: Api) -> None:
    action = (await api.record(VISIT)).json()
    response = await api.http.get(
        f"/v1/follow-ups/{action['action_id']}", headers=api.as_role("caseworker", ("376",))
    )
    assert response.status_code == 404
