"""Issue 17, part 1, through the real broker: a police report, its revision, a sent letter, a
concern (issue 15) and a home visit with a next step (part 2) end on the child's timeline in
reporting, in time order and in Danish words, and `ssp trace` shows the same words in an
80-column terminal."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.auth import AuthSettings, mint_development_token
from shared.settings import PlatformSettings
from ssp_platform.broker import EmbeddedBroker
from ssp_platform.platform import start_platform, stop_platform
from tests.e2e.processes import SSP
from tests.integration.platform_env import eventually, use_platform_env
from tests.support import example

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.e2e]


async def test_incident_revision_and_sent_letter_are_the_childs_timeline(
    embedded_broker: EmbeddedBroker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_platform_env(monkeypatch, embedded_broker, tmp_path, None)
    # Intake first, so notifications knows where it answers (it reads the letter's recipients).
    intake = await start_platform(["intake"], PlatformSettings())
    monkeypatch.setenv("SSP_INTAKE_URL", intake.services[0].http_url)
    rest = await start_platform(
        ["triage", "notifications", "reporting", "courses"], PlatformSettings()
    )
    urls = {s.name: s.http_url for s in [*intake.services, *rest.services]}
    dev = AuthSettings()

    def bearer(role: str, **claims: Any) -> dict[str, str]:
        token = mint_development_token(dev, role=role, **claims)
        return {"Authorization": f"Bearer {token}", "X-Purpose": "the child's timeline"}

    police = bearer("police_integration", scopes=["incidents:write"])
    tovholder = bearer("tovholder", municipalities=["607"])
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            first = example("incident-valid.json")
            second = {**first, "revision": 2, "offence": {"code": "vold", "text": "Vold"}}

            async def tasks() -> list[dict[str, Any]]:
                r = await client.get(
                    f"{urls['notifications']}/v1/letter-tasks",
                    params={"municipality_code": "607"},
                    headers=tovholder,
                )
                found: list[dict[str, Any]] = r.json()["tasks"]
                return found if len(found) == 2 else []

            async def timeline_with(code: str, person_key: str) -> list[dict[str, Any]]:
                r = await client.get(
                    f"{urls['reporting']}/v1/persons/{person_key}/timeline", headers=tovholder
                )
                rows: list[dict[str, Any]] = r.json()["rows"] if r.status_code == 200 else []
                return rows if any(row["code"] == code for row in rows) else []

            posted = await client.post(
                f"{urls['intake']}/v1/incidents", content=json.dumps(first).encode(), headers=police
            )
            assert posted.status_code == 202, posted.text
            [task, _] = await eventually(tasks)
            child = task["person_key"]
            posted = await client.post(
                f"{urls['intake']}/v1/incidents",
                content=json.dumps(second).encode(),
                headers=police,
            )
            assert posted.status_code == 202, posted.text
            assert await eventually(lambda: timeline_with("letter_task_updated", child))
            sent = await client.post(
                f"{urls['notifications']}/v1/letter-tasks/{task['task_id']}/send",
                headers=tovholder,
            )
            assert sent.status_code == 200, sent.text
            rows = await eventually(lambda: timeline_with("letter_task_sent", child))
            assert rows, "the sent letter reaches the timeline"
            codes = [row["code"] for row in rows]
            # The report, its decision and task; the revision, the revised decision and the
            # task's new deadline; the letter sent: each where its own time puts it.
            order = [
                codes.index("incident_accepted"),
                codes.index("letter_task_created"),
                len(codes) - 1 - codes[::-1].index("incident_accepted"),
                codes.index("letter_task_updated"),
                codes.index("letter_task_sent"),
            ]
            assert order == sorted(order), codes
            assert [r["revision"] for r in rows if r["code"] == "incident_accepted"] == [1, 2]
            assert any(r["code"].startswith("routed_") for r in rows), codes
            texts = {r["code"]: r["text"] for r in rows}
            assert texts["letter_task_sent"].endswith(
                "sendt (lagt i brevbakken til print og post)"
            ), texts
            assert "vold" in [r["text"] for r in rows if r["code"] == "incident_accepted"][-1]
            # Every service's row, once: the inbox and the store de-duplicate re-deliveries.
            assert len({(r["code"], r["at"], r["text"]) for r in rows}) == len(rows)

            # Later: a concern about each of the report's young people, and a home visit with
            # the child, a school visit agreed as the next step.
            for cpr in ("1203104123", "0205094871"):
                worry = {
                    "concern_id": f"concern-{cpr}",
                    "cpr": cpr,
                    "municipality_code": "607",
                    "school": "Kirstinebjergskolen",
                    "category": "mistrivsel",
                    "reporter": {"kind": "school"},
                    "text": "Fritekst om barnet, som aldrig forlader intake",
                    "registered_at": datetime.now(UTC).isoformat(),
                }
                posted = await client.post(
                    f"{urls['intake']}/v1/concerns", json=worry, headers=tovholder
                )
                assert posted.status_code in (200, 201, 202), posted.text
            assert await eventually(lambda: timeline_with("concern_registered", child))
            visit = {
                "person_key": child,
                "municipality_code": "607",
                "journal_number": first["journal_number"],
                "kind": "hjemmebesoeg",
                "held_on": date.today().isoformat(),
                "held_by": "ABJ",
                "outcome": "held",
                "next_step": {
                    "kind": "skolebesoeg",
                    "owner": "tovholder",
                    "due_on": (date.today() + timedelta(days=7)).isoformat(),
                },
                "note": "Privat note, som aldrig forlader courses",
            }
            recorded = await client.post(
                f"{urls['courses']}/v1/follow-ups",
                json=visit,
                headers=bearer("caseworker", municipalities=["607"]),
            )
            assert recorded.status_code == 201, recorded.text
            rows = await eventually(lambda: timeline_with("follow_up_recorded", child))
            codes = [row["code"] for row in rows]
            later = [
                codes.index(code)
                for code in ("letter_task_sent", "concern_registered", "follow_up_recorded")
            ]
            assert later == sorted(later), codes
            texts = {r["code"]: r["text"] for r in rows}
            assert texts["concern_registered"].startswith("Bekymring registreret i Fredericia")
            assert "næste skridt: skolebesøg ved tovholder" in texts["follow_up_recorded"]
            assert "Fritekst" not in json.dumps(rows) and "Privat note" not in json.dumps(rows)

            # In a thread: the services answer on this test's event loop.
            trace = await asyncio.to_thread(
                subprocess.run,
                [SSP, "trace", first["journal_number"]],
                env={
                    **os.environ,
                    "SSP_REPORTING_URL": urls["reporting"],
                    "SSP_DATA_DIR": str(tmp_path),
                    "COLUMNS": "80",
                },
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            assert trace.returncode == 0, trace.stdout + trace.stderr
            lines = trace.stdout.splitlines()
            assert max(len(line) for line in lines) <= 80, trace.stdout
            assert "Politianmeldelse" in trace.stdout and "letter_task_sent" in trace.stdout
    finally:
        await stop_platform(rest)
        await stop_platform(intake)
