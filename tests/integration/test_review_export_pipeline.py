"""Issue 17, part 4, through the real broker and every service that publishes about a child: a
child with two police reports whose parents got both letters in time passes every check of
the review export; a child whose letter was sent after its deadline fails the check that names
it (the parents informed), and the sample of the municipality's year shows both."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from ssp_platform.broker import EmbeddedBroker
from tests.integration.platform_env import (
    development_headers,
    eventually,
    letter_services,
    use_platform_env,
)

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.e2e]

MADS, NOAH = "120310-4123", "0506114567"


def report(journal: str, cpr: str, name: str, reported_at: datetime) -> dict[str, Any]:
    return {
        "journal_number": journal,
        "revision": 1,
        "source": "doegnrapport",
        "police_district": "Sydøstjyllands Politi",
        "reported_at": reported_at.isoformat(),
        "occurred_at": (reported_at - timedelta(hours=2)).isoformat(),
        "offence": {"code": "butikstyveri", "text": "Tyveri fra butik"},
        "location": {"municipality_code": "607", "text": "Fredericia bymidte"},
        "persons": [
            {
                "cpr": cpr,
                "name": name,
                "role": "sigtet",
                "municipality_code": "607",
                "school": "Kirstinebjergskolen",
            },
        ],
        "flags": [],
        "narrative": "Tyveri.",
    }


async def test_the_review_export_passes_a_child_informed_in_time_and_fails_one_informed_late(
    embedded_broker: EmbeddedBroker, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_platform_env(monkeypatch, embedded_broker, tmp_path, None)
    now = datetime.now(UTC)
    async with letter_services(monkeypatch) as urls, httpx.AsyncClient(timeout=60) as client:
        bearer = development_headers("review export test")
        police = bearer("police_integration", scopes=["incidents:write"])
        tovholder = bearer("tovholder", municipalities=["607"])
        auditor = bearer("auditor")

        async def post(incident: dict[str, Any]) -> None:
            posted = await client.post(
                f"{urls['intake']}/v1/incidents",
                content=json.dumps(incident).encode(),
                headers=police,
            )
            assert posted.status_code == 202, posted.text

        async def open_tasks(count: int) -> list[dict[str, Any]]:
            r = await client.get(
                f"{urls['notifications']}/v1/letter-tasks",
                params={"municipality_code": "607"},
                headers=tovholder,
            )
            found: list[dict[str, Any]] = r.json()["tasks"]
            return found if len(found) == count else []

        # Mads: an earlier report, then a second once triage has decided on the first.
        await post(report("3700-80123-00501-26", MADS, "Mads Jensen", now - timedelta(hours=5)))
        assert await eventually(lambda: open_tasks(1))
        await post(report("3700-80123-00502-26", MADS, "Mads Jensen", now - timedelta(hours=1)))
        # Noah: reported long ago, so his letter's deadline has passed when it is sent.
        await post(report("3700-80123-00503-26", NOAH, "Noah Berg", now - timedelta(days=40)))
        tasks = await eventually(lambda: open_tasks(3))
        assert len(tasks) == 3, tasks
        for task in tasks:
            sent = await client.post(
                f"{urls['notifications']}/v1/letter-tasks/{task['task_id']}/send",
                headers=tovholder,
            )
            assert sent.status_code == 200, sent.text
        by_journal = {t["journal_number"]: t["person_key"] for t in tasks}
        mads, noah = by_journal["3700-80123-00502-26"], by_journal["3700-80123-00503-26"]
        assert by_journal["3700-80123-00501-26"] == mads

        async def review_when_sent(person_key: str, letters: int) -> dict[str, Any]:
            r = await client.get(
                f"{urls['reporting']}/v1/reviews/persons/{person_key}", headers=auditor
            )
            if r.status_code != 200:
                return {}
            body: dict[str, Any] = r.json()
            codes = [row["code"] for row in body["timeline"]["rows"]]
            return body if codes.count("letter_task_sent") == letters else {}

        passed = await eventually(lambda: review_when_sent(mads, 2))
        assert passed, "both of Mads's letters reach the review"
        findings = {c["check"]: c["finding"] for c in passed["checks"]}
        assert set(findings.values()) == {"opfyldt"}, passed["checks"]
        [earlier] = [c for c in passed["checks"] if c["check"] == "tidligere_anmeldelser"]
        assert any("1 tidligere anmeldelse(r) indgik" in fact for fact in earlier["facts"])

        late = await eventually(lambda: review_when_sent(noah, 1))
        assert late, "Noah's letter reaches the review"
        findings = {c["check"]: c["finding"] for c in late["checks"]}
        assert findings["forældre_orienteret"] == "ikke_opfyldt", late["checks"]
        assert findings["tidligere_anmeldelser"] == "opfyldt"
        [informed] = [c for c in late["checks"] if c["check"] == "forældre_orienteret"]
        assert "(efter fristen)" in informed["facts"][0]

        pdf = await client.get(
            f"{urls['reporting']}/v1/reviews/persons/{noah}/pdf", headers=auditor
        )
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
        sample = await client.get(
            f"{urls['reporting']}/v1/reviews/samples/607/{now.year}",
            params={"size": "300", "seed": "17"},
            headers=auditor,
        )
        by_person = {p["person_key"]: p["findings"] for p in sample.json()["persons"]}
        assert set(by_person) == {mads, noah}
        assert by_person[noah]["forældre_orienteret"] == "ikke_opfyldt"
        assert set(by_person[mads].values()) == {"opfyldt"}
