"""Issue 16 end to end, on the real broker: a police incident in, a letter task out, the
coordinator sends the letter from the notifications API (which asks intake for the address
with the coordinator's own token), the PDFs are in the outbox, readable Danish, and reporting
shows the clocks stopped on the handover row, in the trace and in the statistics."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pypdf
import pytest

from shared.auth import AuthSettings, mint_development_token
from shared.settings import PlatformSettings
from ssp_platform.broker import EmbeddedBroker
from ssp_platform.platform import start_platform, stop_platform
from tests.integration.platform_env import eventually, use_platform_env
from tests.support import example

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.e2e]


def _one_line(pages: Any) -> str:
    """The PDF's text with its line breaks as single spaces."""
    return re.sub(r"\s+", " ", " ".join(pages))


async def test_from_police_incident_to_a_sent_letter_with_the_clocks(
    embedded_broker: EmbeddedBroker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_platform_env(monkeypatch, embedded_broker, tmp_path, None)
    # Intake first, so notifications knows where it answers (every API on a free port).
    intake = await start_platform(["intake"], PlatformSettings())
    monkeypatch.setenv("SSP_INTAKE_URL", intake.services[0].http_url)
    rest = await start_platform(["triage", "notifications", "reporting"], PlatformSettings())
    urls = {s.name: s.http_url for s in [*intake.services, *rest.services]}
    dev = AuthSettings()

    def bearer(role: str, **claims: Any) -> dict[str, str]:
        token = mint_development_token(dev, role=role, **claims)
        return {"Authorization": f"Bearer {token}", "X-Purpose": "sending the letters"}

    tovholder = bearer("tovholder", municipalities=["607"])
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            incident = example("incident-valid.json")
            submitted = await client.post(
                f"{urls['intake']}/v1/incidents",
                content=json.dumps(incident).encode(),
                headers=bearer("police_integration", scopes=["incidents:write"]),
            )
            assert submitted.status_code == 202, submitted.text

            async def to_do() -> list[dict[str, Any]]:
                r = await client.get(
                    f"{urls['notifications']}/v1/letter-tasks",
                    params={"municipality_code": "607"},
                    headers=tovholder,
                )
                tasks: list[dict[str, Any]] = r.json()["tasks"]
                return tasks if len(tasks) == 2 else []

            tasks = await eventually(to_do)
            assert len(tasks) == 2, "both persons' letter tasks"
            # Mads (16) and Ida (17): their parents and they get a letter each.
            assert all(t["recipients"] == ["parents", "youth"] for t in tasks)
            previews = {}
            for task in tasks:
                preview = await client.get(
                    f"{urls['notifications']}/v1/letter-tasks/{task['task_id']}/letter.pdf",
                    headers=tovholder,
                )
                assert preview.status_code == 200, preview.text
                previews[task["task_id"]] = _one_line(
                    page.extract_text()
                    for page in pypdf.PdfReader(io.BytesIO(preview.content)).pages
                )
            mads = next(t for t in tasks if "for Mads Jensen" in previews[t["task_id"]])
            sent = await client.post(
                f"{urls['notifications']}/v1/letter-tasks/send",
                json={"task_ids": [t["task_id"] for t in tasks]},
                headers=tovholder,
            )
            assert [r["result"] for r in sent.json()["results"]] == ["sent", "sent"], sent.text
            again = await client.post(
                f"{urls['notifications']}/v1/letter-tasks/{mads['task_id']}/send",
                headers=tovholder,
            )
            assert again.status_code == 409

            outbox = tmp_path / "letter-outbox"
            letters = sorted(outbox.glob("*.pdf"))
            assert len(letters) == 4  # Mads (16) and Ida (17): parents and youth each
            texts = {
                p.name: _one_line(
                    page.extract_text()
                    for page in pypdf.PdfReader(io.BytesIO(p.read_bytes())).pages
                )
                for p in letters
            }
            parents = texts[f"{mads['task_id']}-1.pdf"]
            assert "Forældremyndighedsindehaveren for Mads Jensen" in parents
            assert "Vestre Ringvej 1" in parents and "Kære forældre" in parents
            assert "tyveri fra en butik" in parents and "15. november 2026" in parents
            assert "Kære Mads Jensen" in texts[f"{mads['task_id']}-2.pdf"]
            ida = next(t for t in tasks if t is not mads)
            # The police gave no address for Ida: the letter says so, and is still made.
            assert "adresse er oplyst" in texts[f"{ida['task_id']}-1.pdf"]

            # intake audited the address read as the coordinator's, with the letter's purpose
            audit = await client.get(
                f"{urls['intake']}/v1/audit",
                params={"person_key": mads["person_key"]},
                headers=bearer("auditor"),
            )
            reads = [
                e for e in audit.json()["entries"] if e["action"] == "identity.letter_recipients"
            ]
            assert reads and {e["purpose"] for e in reads} == {"brev til forældre"}

            async def handover() -> list[dict[str, Any]]:
                r = await client.get(
                    f"{urls['reporting']}/v1/handover/607/2026-W47", headers=tovholder
                )
                persons: list[dict[str, Any]] = r.json()["persons"]
                done = [p for p in persons if p["letter_task_status"] == "sent"]
                return persons if len(done) == 2 else []

            persons = await eventually(handover)
            assert persons, "the handover list shows both letters sent"
            for person in persons:
                clocks = person["clocks"]
                assert clocks["letter_ended"] == "sent"
                assert clocks["registration_to_intake"] is not None
                assert clocks["intake_to_routed"] is not None
                assert clocks["routed_to_letter"] is not None
                assert clocks["total"] == pytest.approx(
                    clocks["registration_to_intake"]
                    + clocks["intake_to_routed"]
                    + clocks["routed_to_letter"],
                    abs=0.3,
                )
            trace = await client.get(
                f"{urls['reporting']}/v1/trace/{incident['journal_number']}", headers=tovholder
            )
            assert {p["person_key"] for p in persons} == set(trace.json()["clocks"])
            assert [s["step"] for s in trace.json()["steps"]].count("letter_task_sent") == 2
            statistics = await client.get(
                f"{urls['reporting']}/v1/statistics/607/2026-W47",
                headers=bearer("management", municipalities=["607"]),
            )
            groups = statistics.json()["clocks"]
            assert groups and all(g["persons"] is None for g in groups)  # two: suppressed
    finally:
        await stop_platform(rest)
        await stop_platform(intake)
