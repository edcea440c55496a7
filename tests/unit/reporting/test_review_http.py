"""`GET /v1/reviews/...`: the review export's sample, JSON and PDF, its access and its audit
(issue 17, part 4), on the real store and read models."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pypdf
import pytest

from services.reporting.application.service import ReportingService
from services.reporting.bootstrap import build_application, build_read_side
from services.reporting.domain import observations
from services.reporting.entrypoints.http import create_http_app
from services.reporting.settings import ReportingSettings
from shared.auth import ServiceAuth
from shared.contracts import AcceptedIncident, LetterTaskEvent, RoutingDecision
from shared.eventstore import UnitOfWork
from shared.runtime import ServiceContext
from tests.unit.auth.support import auth_env, headers
from tests.unit.reporting.documents import (
    FREDERICIA,
    PK_CASEWORKER,
    PK_TOVHOLDER,
    accepted_incident,
    letter_task,
    person,
    profiled,
    routing_decision,
)

ON_TIME, LATE = PK_TOVHOLDER, PK_CASEWORKER
EARLIER = "3700-80123-00100-26"


def story(pk: str, journal: str, sent_at: str) -> list[observations.Observation]:
    """Two police reports, a decision that counted the first, a letter task and its letter."""
    first = accepted_incident(
        [person(pk, 14)], journal_number=EARLIER, reported_at="2026-10-01T10:00:00+02:00",
        accepted_at="2026-10-01T10:00:01+02:00",
    )  # fmt: skip
    second = accepted_incident([person(pk, 14)], journal_number=journal)
    decided = profiled(
        routing_decision(pk, "tovholder", decided_at="2026-11-16T08:12:03+01:00",
                         journal_number=journal),
        history={"earlier_reports": 1, "reports_in_window": 2, "window_days": 180,
                 "repeat_threshold": 3, "repeat": False, "reports": []},
    )  # fmt: skip
    task = {"task_id": f"task-{pk}", "journal_number": journal}
    return [
        observations.incident_accepted(AcceptedIncident.model_validate(first)),
        observations.incident_accepted(AcceptedIncident.model_validate(second)),
        observations.routed(RoutingDecision.model_validate(decided)),
        observations.letter_task_changed(
            LetterTaskEvent.model_validate(
                letter_task(pk, "created", at="2026-11-16T08:12:04+01:00", **task)
            )
        ),
        observations.letter_task_changed(
            LetterTaskEvent.model_validate(
                {**letter_task(pk, "sent", at=sent_at, **task), "channel": "digital_post"}
            )
        ),
    ]


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, ServiceAuth]]:
    settings = ReportingSettings(**auth_env(tmp_path))
    app = build_application(settings)
    uow = UnitOfWork(app)
    reporting = ReportingService(app)
    seen = story(ON_TIME, "3700-80123-00456-26", "2026-11-17T10:00:00+01:00")
    seen += story(LATE, "3700-80123-00457-26", "2026-11-20T09:30:00+01:00")
    for observation in seen:
        reporting.observe(uow, observation, service="test", trace_id=None)
    uow.commit()
    projection, queries = build_read_side(settings, app)
    projection.catch_up()
    executor = ThreadPoolExecutor(max_workers=1)
    ctx = ServiceContext("reporting", settings, app, executor)
    auth = ServiceAuth(settings, "reporting")
    http_app = create_http_app(ctx, queries, projection, auth.access_control(ctx))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=http_app), base_url="http://reporting"
    ) as http:
        yield http, auth
    auth.close()
    executor.shutdown()


AUDITOR = headers("auditor")
TEAM_LEADER = headers("team_leader", municipalities=[FREDERICIA])


def findings(review: dict[str, Any]) -> dict[str, str]:
    return {c["check"]: c["finding"] for c in review["checks"]}


async def test_the_sample_is_reproducible_and_bounded_by_the_population(
    api: tuple[httpx.AsyncClient, ServiceAuth],
) -> None:
    http, _ = api
    first = await http.get("/v1/reviews/samples/607/2026?size=300&seed=7", headers=AUDITOR)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["population"] == 2
    assert sorted(p["person_key"] for p in body["persons"]) == sorted([ON_TIME, LATE])
    again = await http.get("/v1/reviews/samples/607/2026?size=300&seed=7", headers=AUDITOR)
    assert again.json() == body
    one = (await http.get("/v1/reviews/samples/607/2026?size=1&seed=7", headers=AUDITOR)).json()
    assert len(one["persons"]) == 1
    nobody = (await http.get("/v1/reviews/samples/607/2025?size=5", headers=AUDITOR)).json()
    assert nobody["persons"] == [] and nobody["population"] == 0


async def test_the_child_informed_in_time_passes_every_check_the_late_one_fails_check_2(
    api: tuple[httpx.AsyncClient, ServiceAuth],
) -> None:
    http, _ = api
    on_time = (await http.get(f"/v1/reviews/persons/{ON_TIME}", headers=TEAM_LEADER)).json()
    assert set(findings(on_time).values()) == {"opfyldt"}
    assert [r["code"] for r in on_time["timeline"]["rows"]] == [
        "incident_accepted", "incident_accepted", "routed_tovholder",
        "letter_task_created", "letter_task_sent",
    ]  # fmt: skip
    late = (await http.get(f"/v1/reviews/persons/{LATE}", headers=TEAM_LEADER)).json()
    assert findings(late)["forældre_orienteret"] == "ikke_opfyldt"
    assert findings(late)["tidligere_anmeldelser"] == "opfyldt"
    assert late["name"] is None  # pseudonyms only
    sample = (await http.get("/v1/reviews/samples/607/2026?size=2", headers=TEAM_LEADER)).json()
    by_person = {p["person_key"]: p["findings"] for p in sample["persons"]}
    assert by_person[LATE]["forældre_orienteret"] == "ikke_opfyldt"
    assert by_person[ON_TIME] == findings(on_time)


async def test_the_pdf_is_a_pdf_document(api: tuple[httpx.AsyncClient, ServiceAuth]) -> None:
    http, _ = api
    answer = await http.get(f"/v1/reviews/persons/{LATE}/pdf", headers=AUDITOR)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF-")


async def test_only_the_auditor_and_the_municipalitys_team_leader_may_export(
    api: tuple[httpx.AsyncClient, ServiceAuth],
) -> None:
    http, _ = api
    for role in ("caseworker", "tovholder", "school_representative", "management"):
        refused = await http.get(
            "/v1/reviews/samples/607/2026", headers=headers(role, municipalities=[FREDERICIA])
        )
        assert refused.status_code == 403, role
    elsewhere = headers("team_leader", municipalities=["101"])
    assert (await http.get("/v1/reviews/samples/607/2026", headers=elsewhere)).status_code == 403
    assert (await http.get(f"/v1/reviews/persons/{ON_TIME}", headers=elsewhere)).status_code == 404
    no_purpose = headers("auditor", purpose=False)
    assert (await http.get("/v1/reviews/samples/607/2026", headers=no_purpose)).status_code == 400
    assert (await http.get("/v1/reviews/samples/999/2026", headers=AUDITOR)).status_code == 422
    assert (
        await http.get("/v1/reviews/samples/607/2026?size=0", headers=AUDITOR)
    ).status_code == 422


async def test_each_export_is_audited_with_the_person_and_purpose(
    api: tuple[httpx.AsyncClient, ServiceAuth],
) -> None:
    http, _ = api
    await http.get(f"/v1/reviews/persons/{ON_TIME}", headers=AUDITOR)
    await http.get(f"/v1/reviews/persons/{ON_TIME}/pdf", headers=TEAM_LEADER)
    await http.get("/v1/reviews/samples/607/2026?size=2&seed=3", headers=AUDITOR)
    export = (await http.get(f"/v1/audit/export/{ON_TIME}", headers=AUDITOR)).json()
    exports = [e for e in export["entries"] if e["action"] == "review.export"]
    assert {(e["role"], e["result"]) for e in exports} == {
        ("auditor", "allowed"),
        ("team_leader", "allowed"),
    }
    assert len(exports) == 3
    assert all(e["purpose"] for e in exports)


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


async def test_the_team_leader_gets_the_pdf_with_the_name_intake_gave_them(
    api: tuple[httpx.AsyncClient, ServiceAuth],
) -> None:
    http, auth = api
    named = await http.post(
        f"/v1/reviews/persons/{LATE}/pdf", json={"name": "Mads Jensen"}, headers=TEAM_LEADER
    )
    assert named.status_code == 200, named.text
    assert named.content.startswith(b"%PDF-")
    assert "Mads Jensen" in _text(named.content)
    plain = await http.get(f"/v1/reviews/persons/{LATE}/pdf", headers=TEAM_LEADER)
    assert "Mads Jensen" not in _text(plain.content) and "(pseudonym)" in _text(plain.content)
    # The auditor reads pseudonyms only; a person out of reach is unknown; no name, no PDF.
    refused = await http.post(
        f"/v1/reviews/persons/{LATE}/pdf", json={"name": "Mads Jensen"}, headers=AUDITOR
    )
    assert refused.status_code == 403
    elsewhere = headers("team_leader", municipalities=["101"])
    unknown = await http.post(
        f"/v1/reviews/persons/{LATE}/pdf", json={"name": "Mads Jensen"}, headers=elsewhere
    )
    assert unknown.status_code == 404
    for body in ({}, {"name": ""}, {"name": "x" * 201}, {"name": "Mads", "cpr": "1"}):
        bad = await http.post(f"/v1/reviews/persons/{LATE}/pdf", json=body, headers=TEAM_LEADER)
        assert bad.status_code == 422, body
        assert "Mads" not in bad.text and "xxxx" not in bad.text  # never echoed
    # Audited like the plain export, with the person; the name is in no entry.
    entries = [e.as_json() for e in auth.audit.search(person_key=LATE, limit=50)]
    named_exports = [e for e in entries if e["action"] == "review.export_named"]
    assert sorted((e["role"], e["result"], e["reason"]) for e in named_exports) == [
        ("auditor", "denied", "role_not_permitted"),
        *[("team_leader", "allowed", "error")] * 4,  # the four bodies refused (422)
        ("team_leader", "allowed", "permitted"),
        ("team_leader", "denied", "outside_reach"),
    ]
    assert "Mads" not in str(entries)
