"""Issue 16's routes: preview the letter as PDF (audited, the caller's token forwarded to
intake), send it (once), send the week's letters, waive a task, management's counts, and the
default list of what needs doing."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pypdf
import pytest

from services.notifications.domain.letter_task_case import LetterTaskCase
from services.notifications.entrypoints.http import create_http_app
from services.notifications.settings import NotificationsSettings
from shared.auth import ServiceAuth
from shared.runtime import ServiceContext
from tests.support import bearer
from tests.unit.notifications.factories import JOURNAL, FakeClock, decision
from tests.unit.notifications.letters.support import Desk, letter_desk

TASK_A = str(LetterTaskCase.create_id(JOURNAL, "pk_a"))
TASK_B = str(LetterTaskCase.create_id(JOURNAL, "pk_b"))
PURPOSE = {"X-Purpose": "sending the letters"}


@pytest.fixture
async def served(
    settings: NotificationsSettings, clock: FakeClock, tmp_path: Path
) -> AsyncIterator[tuple[Desk, ServiceContext, ServiceAuth]]:
    d = letter_desk(settings, clock, tmp_path)
    d.service.receive_decision(decision(key="pk_a", age=16))
    clock.advance(1)
    d.service.receive_decision(decision(key="pk_b", age=10))
    executor = ThreadPoolExecutor(max_workers=1)
    ctx = ServiceContext("notifications", settings, d.service.app, executor)
    auth = ServiceAuth(settings, "notifications")
    yield d, ctx, auth
    executor.shutdown()
    auth.close()


def client(
    served: tuple[Desk, ServiceContext, ServiceAuth], settings: NotificationsSettings, role: str
) -> httpx.AsyncClient:
    d, ctx, auth = served
    api = create_http_app(ctx, d.service, auth.access_control(ctx), d.desk)
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=api),
        base_url="http://notifications",
        headers=bearer(settings, role, ["607"]),
    )


async def test_preview_is_a_pdf_rendered_now_and_audited(
    served: tuple[Desk, ServiceContext, ServiceAuth], settings: NotificationsSettings
) -> None:
    d, _, _ = served
    async with client(served, settings, "tovholder") as http:
        missing_purpose = await http.get(
            f"/v1/letter-tasks/{TASK_A}/letter.pdf", headers={"X-Purpose": ""}
        )
        assert missing_purpose.status_code == 400
        answer = await http.get(f"/v1/letter-tasks/{TASK_A}/letter.pdf", headers=PURPOSE)
        second = await http.get(
            f"/v1/letter-tasks/{TASK_A}/letter.pdf", params={"copy": 2}, headers=PURPOSE
        )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["x-letter-copies"] == "2"
    assert answer.headers["cache-control"] == "no-store"
    text = pypdf.PdfReader(io.BytesIO(answer.content)).pages[0].extract_text()
    assert "Kære forældre" in text
    assert "Kære Mads Jensen" in pypdf.PdfReader(io.BytesIO(second.content)).pages[0].extract_text()
    # intake was asked with the caller's own token, each time
    assert [a[2].startswith("Bearer ") for a in d.intake.asked] == [True, True]
    async with client(served, settings, "auditor") as http:
        trail = await http.get("/v1/audit", params={"person_key": "pk_a"})
    reads = [e for e in trail.json()["entries"] if e["action"] == "letter.read"]
    assert [(e["result"], e["purpose"]) for e in reads][-1] == ("allowed", PURPOSE["X-Purpose"])
    # preview does not send or end the task
    assert d.service.task(TASK_A).event == "created"  # type: ignore[union-attr]
    assert not d.outbox.exists()


async def test_send_then_send_again_is_409(
    served: tuple[Desk, ServiceContext, ServiceAuth], settings: NotificationsSettings
) -> None:
    d, _, _ = served
    async with client(served, settings, "tovholder") as http:
        sent = await http.post(f"/v1/letter-tasks/{TASK_A}/send")
        again = await http.post(f"/v1/letter-tasks/{TASK_A}/send")
    assert sent.status_code == 200, sent.text
    assert (sent.json()["status"], sent.json()["channel"]) == ("sent", "outbox")
    assert again.status_code == 409
    assert again.json()["error"] == "task_ended"
    assert len(list(d.outbox.iterdir())) == 2


async def test_the_weeks_letters_are_sent_at_once(
    served: tuple[Desk, ServiceContext, ServiceAuth], settings: NotificationsSettings
) -> None:
    d, _, _ = served
    async with client(served, settings, "tovholder") as http:
        listed = await http.get(
            "/v1/letter-tasks", params={"municipality_code": "607"}, headers=PURPOSE
        )
        ids = [t["task_id"] for t in listed.json()["tasks"]]
        assert listed.json()["status"] == "to_do"
        answer = await http.post("/v1/letter-tasks/send", json={"task_ids": [*ids, TASK_A]})
        left = await http.get(
            "/v1/letter-tasks", params={"municipality_code": "607"}, headers=PURPOSE
        )
    assert [(r["task_id"], r["result"]) for r in answer.json()["results"]] == [
        (TASK_A, "sent"),
        (TASK_B, "sent"),
    ]
    assert left.json()["tasks"] == []
    assert len(list(d.outbox.iterdir())) == 3  # two for pk_a (16), one for pk_b (10)


async def test_waive_by_owner_or_team_leader(
    served: tuple[Desk, ServiceContext, ServiceAuth], settings: NotificationsSettings
) -> None:
    async with client(served, settings, "caseworker") as http:
        refused = await http.post(
            f"/v1/letter-tasks/{TASK_A}/waive", json={"reason": "already_informed"}
        )
    assert refused.status_code == 403
    async with client(served, settings, "team_leader") as http:
        bad = await http.post(f"/v1/letter-tasks/{TASK_A}/waive", json={"reason": "bored"})
        waived = await http.post(
            f"/v1/letter-tasks/{TASK_A}/waive", json={"reason": "already_informed"}
        )
        listed = await http.get(
            "/v1/letter-tasks",
            params={"municipality_code": "607", "status": "waived"},
            headers=PURPOSE,
        )
    assert bad.status_code == 422
    assert waived.status_code == 200
    assert (waived.json()["status"], waived.json()["waiver_reason"]) == (
        "waived",
        "already_informed",
    )
    assert [t["task_id"] for t in listed.json()["tasks"]] == [TASK_A]


async def test_management_sees_counts_only(
    served: tuple[Desk, ServiceContext, ServiceAuth],
    settings: NotificationsSettings,
    clock: FakeClock,
) -> None:
    d, _, _ = served
    clock.advance(200)  # both past twice their 48 hours
    d.service.mark_overdue(clock.now)
    d.desk.escalate_in_store(clock.now)
    async with client(served, settings, "management") as http:
        counts = await http.get("/v1/letter-tasks/escalations", params={"municipality_code": "607"})
        listing = await http.get(
            "/v1/letter-tasks", params={"municipality_code": "607"}, headers=PURPOSE
        )
    assert counts.json() == {
        "municipality_code": "607",
        "past_deadline": 2,
        "escalated_to_team_leader": 2,
        "open_at_twice_deadline": 2,
    }
    assert listing.json()["tasks"] == []  # management lists the acute letters only: no persons
    async with client(served, settings, "team_leader") as http:
        worklist = await http.get(
            "/v1/letter-tasks",
            params={"municipality_code": "607", "escalated_to": "team_leader"},
            headers=PURPOSE,
        )
    assert [t["task_id"] for t in worklist.json()["tasks"]] == [TASK_A, TASK_B]
    async with client(served, settings, "team_leader") as http:
        other_team = await http.get(
            "/v1/letter-tasks",
            params={
                "municipality_code": "607",
                "escalated_to": "team_leader",
                "owner_team": "Børn og Familie Team Nord",
            },
            headers=PURPOSE,
        )
    assert other_team.json()["tasks"] == []  # these tasks name no team (pre-profile decisions)
