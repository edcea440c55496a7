"""Issue 17's end-to-end test, through the real broker and every service that publishes about a
child: two police reports (the parents' letter of each sent), a concern, the weekly meeting's
decision (the child to the caseworker), the caseworker's assessment over HTTP (the parents
already had the report's letter) and a home visit with a next step (a follow-up over HTTP) are
all on the child's timeline, in the order they happened, and the review export of the child
passes every check."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from services.triage.domain.calendar_days import local_today
from shared.danish import danish_date
from ssp_platform.broker import EmbeddedBroker
from tests.integration.platform_env import (
    development_headers,
    eventually,
    letter_services,
    use_platform_env,
)
from tests.integration.test_review_export_pipeline import report

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.e2e]

EMMA = "0707114562"
FIRST, SECOND = "3700-80123-00601-26", "3700-80123-00602-26"
SERVICES = ("triage", "notifications", "reporting", "courses")


async def test_a_childs_whole_story_is_on_the_timeline_and_passes_the_review(
    embedded_broker: EmbeddedBroker, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_platform_env(monkeypatch, embedded_broker, tmp_path, None)
    now = datetime.now(UTC)
    year, week, _ = date.today().isocalendar()
    async with (
        letter_services(monkeypatch, SERVICES) as urls,
        httpx.AsyncClient(timeout=60) as client,
    ):
        bearer = development_headers("the child's record", municipalities=["607"])
        police = bearer("police_integration", scopes=["incidents:write"])
        tovholder, caseworker = bearer("tovholder"), bearer("caseworker")
        auditor = bearer("auditor", municipalities=[])

        async def post(url: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
            posted = await client.post(url, json=body, headers=headers)
            assert posted.status_code in (200, 201, 202), posted.text
            return posted.json()

        async def letter_tasks(count: int) -> list[dict[str, Any]]:
            """The open letter tasks of 607 once there are `count` of them."""
            url = f"{urls['notifications']}/v1/letter-tasks?municipality_code=607"
            found: list[dict[str, Any]] = (await client.get(url, headers=tovholder)).json()["tasks"]
            return found if len(found) == count else []

        async def send(task: dict[str, Any]) -> None:
            sent = await client.post(
                f"{urls['notifications']}/v1/letter-tasks/{task['task_id']}/send",
                headers=tovholder,
            )
            assert sent.status_code == 200, sent.text

        async def timeline_with(code: str, child: str) -> list[dict[str, Any]]:
            r = await client.get(
                f"{urls['reporting']}/v1/persons/{child}/timeline", headers=tovholder
            )
            rows: list[dict[str, Any]] = r.json()["rows"] if r.status_code == 200 else []
            return rows if any(row["code"] == code for row in rows) else []

        # Two police reports, the parents informed of each by the tovholder.
        intake = f"{urls['intake']}/v1/incidents"
        await post(intake, report(FIRST, EMMA, "Emma Holm", now - timedelta(hours=6)), police)
        [first_task] = await eventually(lambda: letter_tasks(1))
        child = first_task["person_key"]
        await send(first_task)
        await post(intake, report(SECOND, EMMA, "Emma Holm", now - timedelta(hours=4)), police)
        [second_task] = await eventually(lambda: letter_tasks(1))
        await send(second_task)
        # A concern from her school.
        concern = {
            "concern_id": "concern-emma", "cpr": EMMA, "municipality_code": "607",
            "school": "Kirstinebjergskolen", "category": "mistrivsel",
            "reporter": {"kind": "school"}, "text": "Fritekst, som aldrig forlader intake",
            "registered_at": datetime.now(UTC).isoformat(),
        }  # fmt: skip
        await post(f"{urls['intake']}/v1/concerns", concern, tovholder)
        assert await eventually(lambda: timeline_with("concern_registered", child))
        # The weekly meeting gives her second report to the caseworker.
        revised = await post(
            f"{urls['triage']}/v1/decisions/{SECOND}/persons/{child}/meeting-revision",
            {
                "meeting": f"607/{year}-W{week:02d}",
                "route": "caseworker",
                "owner_role": "caseworker",
            },
            tovholder,
        )
        assert revised["revised"] is True, revised

        assessment = {"journal_number": SECOND, "person_key": child, "outcome": "inform"}

        async def assessed() -> httpx.Response | None:
            body = {**assessment, "caseworker": "ABJ"}
            r = await client.post(
                f"{urls['notifications']}/v1/assessments", json=body, headers=caseworker
            )
            # Until the meeting's revised decision reached notifications.
            return r if r.status_code not in (404, 409) else None

        answer = await eventually(assessed)
        assert answer is not None and answer.status_code == 200, answer.text
        # The parents already have the letter of this report: no second one.
        assert answer.json()["result"] == "recorded", answer.text
        # A home visit, a school visit agreed as the next step.
        next_step = {"kind": "skolebesoeg", "owner": "caseworker"}
        visit = {
            "person_key": child, "municipality_code": "607", "journal_number": SECOND,
            "kind": "hjemmebesoeg", "held_on": date.today().isoformat(), "held_by": "ABJ",
            "outcome": "held", "note": "Privat note, som aldrig forlader courses",
            "next_step": {**next_step, "due_on": str(date.today() + timedelta(days=7))},
        }  # fmt: skip
        await post(f"{urls['courses']}/v1/follow-ups", visit, caseworker)

        rows = await eventually(lambda: timeline_with("follow_up_recorded", child))
        codes = [row["code"] for row in rows]
        texts = [row["text"] for row in rows]
        accepted = [i for i, c in enumerate(codes) if c == "incident_accepted"]
        sent = [i for i, c in enumerate(codes) if c == "letter_task_sent"]
        [meeting] = [i for i, t in enumerate(texts) if "besluttet af ugens møde" in t]
        story = [
            accepted[0],
            sent[0],
            accepted[1],
            sent[1],
            codes.index("concern_registered"),
            meeting,
            codes.index("caseworker_assessed"),
            codes.index("follow_up_recorded"),
        ]
        assert len(accepted) == 2 and len(sent) == 2, codes
        assert story == sorted(story), codes
        assert [row["at"] for row in rows] == sorted(row["at"] for row in rows)
        assert codes[meeting] == "routed_caseworker", codes
        assert "næste skridt: skolebesøg" in texts[codes.index("follow_up_recorded")]
        assert "Fritekst" not in json.dumps(rows) and "Privat note" not in json.dumps(rows)

        r = await client.get(f"{urls['reporting']}/v1/reviews/persons/{child}", headers=auditor)
        assert r.status_code == 200, r.text
        checks = r.json()["checks"]
        assert {c["check"]: c["finding"] for c in checks} == {
            "tidligere_anmeldelser": "opfyldt",
            "forældre_orienteret": "opfyldt",
            "frister": "opfyldt",
            "samtykke": "opfyldt",
        }, checks


async def test_turning_18_with_an_open_item_is_on_the_timeline(
    embedded_broker: EmbeddedBroker, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A young person reported yesterday turns 18 today with the decision still standing:
    triage's birthday check opens the PSP/KSP handover task, its owner completes it over HTTP,
    and both reach the person's timeline through ssp.triage.handovers.v1."""
    use_platform_env(monkeypatch, embedded_broker, tmp_path, None)
    monkeypatch.setenv("TRIAGE_BIRTHDAY_CHECK_SECONDS", "1")
    today = local_today(datetime.now(UTC))
    born = today.replace(year=today.year - 18)
    cpr = f"{born:%d%m%y}4123"
    yesterday = datetime.now(UTC) - timedelta(days=1)
    async with (
        letter_services(monkeypatch, SERVICES) as urls,
        httpx.AsyncClient(timeout=60) as client,
    ):
        bearer = development_headers("the turning-18 handover", municipalities=["607"])
        tovholder, team_leader = bearer("tovholder"), bearer("team_leader")
        posted = await client.post(
            f"{urls['intake']}/v1/incidents",
            json=report("3700-80123-00611-26", cpr, "Oliver Dahl", yesterday),
            headers=bearer("police_integration", scopes=["incidents:write"]),
        )
        assert posted.status_code == 202, posted.text

        async def handover_tasks() -> list[dict[str, Any]]:
            r = await client.get(f"{urls['triage']}/v1/psp-ksp-handovers/607", headers=team_leader)
            tasks: list[dict[str, Any]] = r.json()["tasks"] if r.status_code == 200 else []
            return tasks

        [task] = await eventually(handover_tasks)
        child = task["person_key"]

        async def timeline_with(code: str) -> list[dict[str, Any]]:
            r = await client.get(
                f"{urls['reporting']}/v1/persons/{child}/timeline", headers=tovholder
            )
            rows: list[dict[str, Any]] = r.json()["rows"] if r.status_code == 200 else []
            return rows if any(row["code"] == code for row in rows) else []

        assert await eventually(lambda: timeline_with("psp_ksp_handover_opened"))
        completed = await client.post(
            f"{urls['triage']}/v1/psp-ksp-handovers/607/{child}/complete",
            json={"handed_over_to": "psp"},
            headers=team_leader,
        )
        assert completed.status_code == 200, completed.text
        rows = await eventually(lambda: timeline_with("psp_ksp_handover_completed"))
        codes = [row["code"] for row in rows]
        assert codes.index("incident_accepted") < codes.index("psp_ksp_handover_opened")
        assert codes.index("psp_ksp_handover_opened") < codes.index("psp_ksp_handover_completed")
        texts = {row["code"]: row["text"] for row in rows}
        assert texts["psp_ksp_handover_opened"].startswith(f"Fyldt 18 {danish_date(today)}")
        assert texts["psp_ksp_handover_completed"].endswith("overdraget til PSP-samarbejdet")
        # The review's check 3 judges the handover's due date: completed today, in time.
        review = await client.get(
            f"{urls['reporting']}/v1/reviews/persons/{child}",
            headers=bearer("auditor", municipalities=[]),
        )
        assert review.status_code == 200, review.text
        [deadlines] = [c for c in review.json()["checks"] if c["check"] == "frister"]
        assert deadlines["finding"] == "opfyldt", deadlines
        assert any(f.startswith("Overdragelse til PSP/KSP: afsluttet") for f in deadlines["facts"])
