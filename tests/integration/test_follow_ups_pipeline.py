"""Follow-up actions on the real broker, on SQLite and on PostgreSQL (issue 17, part 2): a
caseworker records a home visit through courses' API; it appears on ssp.courses.follow-ups.v1
keyed by the person, as codes and dates without the note; its next step, due in the past, is
raised overdue once by the running deadline loop, published, and listed as the owner's overdue
next step (what the console's worklist shows)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.auth import AuthSettings
from shared.settings import PlatformSettings
from ssp_platform.broker import EmbeddedBroker
from ssp_platform.platform import start_platform, stop_platform
from tests.integration.platform_env import eventually, read_topic, use_platform_env
from tests.support import bearer

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

NOTE = "Privat note: mor fortalte om skænderier derhjemme"


async def test_a_home_visit_over_http_is_on_the_topic_and_its_overdue_step_on_the_worklist(
    embedded_broker: EmbeddedBroker,
    store_url: str | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    prefix = use_platform_env(
        monkeypatch, embedded_broker, tmp_path, store_url, COURSES_OVERDUE_CHECK_SECONDS="0.5"
    )
    platform = await start_platform(["courses"], PlatformSettings())
    [url] = [s.http_url for s in platform.services]
    today = date.today()
    visit = {
        "person_key": "pk_follow_up_it",
        "municipality_code": "607",
        "kind": "hjemmebesoeg",
        "held_on": (today - timedelta(days=10)).isoformat(),
        "held_by": "ABJ",
        "outcome": "held",
        "next_step": {
            "kind": "skolebesoeg",
            "owner": "tovholder",
            "due_on": (today - timedelta(days=3)).isoformat(),
        },
        "note": NOTE,
    }
    try:
        async with httpx.AsyncClient(base_url=url) as client:
            recorded = await client.post(
                "/v1/follow-ups", json=visit, headers=bearer(AuthSettings(), "caseworker")
            )
            assert recorded.status_code == 201, recorded.text
            action_id = recorded.json()["action_id"]

            records = await read_topic(
                embedded_broker.bootstrap_servers,
                prefix + "ssp.courses.follow-ups.v1",
                until=lambda rs: len(rs) >= 2,
            )
            assert [r.key for r in records] == [b"pk_follow_up_it"] * 2
            for record in records:
                assert NOTE.encode() not in record.value and b"note" not in record.value
            messages = [json.loads(r.value) for r in records]
            assert [(m["event"], m["next_step"]["status"]) for m in messages] == [
                ("recorded", "open"),
                ("next_step_overdue", "overdue"),
            ]
            assert {m["action_id"] for m in messages} == {action_id}
            assert messages[0]["recorded_by_role"] == "caseworker"

            tovholder = bearer(AuthSettings(), "tovholder")

            async def overdue_for_owner() -> list[dict[str, Any]]:
                r = await client.get(
                    "/v1/follow-ups",
                    params={"municipality_code": "607", "owner": "tovholder", "status": "overdue"},
                    headers=tovholder,
                )
                found: list[dict[str, Any]] = r.json()["follow_ups"]
                return found

            listed = await eventually(overdue_for_owner)
            assert [a["action_id"] for a in listed] == [action_id]
            one = await client.get(f"/v1/follow-ups/{action_id}", headers=tovholder)
            assert one.json()["note"] == NOTE
    finally:
        await stop_platform(platform)
