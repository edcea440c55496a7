"""The child's timeline page (issue 17) with the other services answered in this process: the
rows reporting gives, paged; the audit section for an auditor only (every service asked with
the auditor's own token, merged by time, a silent service named); a malformed pseudonym is
explained and asked for nowhere."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.unit.console.fake_platform import PK_MADS, FakePlatform, standard_platform
from tests.unit.console.test_console_pages import console, console_settings, log_in

ROW = {
    "at": "2026-11-16T08:12:01+01:00",
    "service": "intake",
    "code": "incident_accepted",
    "event": None,
    "text": "Politianmeldelse: sigtet i butikstyveri, 14 år, bor i Fredericia (607)",
    "journal_number": "3700-80123-00456-26",
    "municipality_code": "607",
    "revision": 1,
}


def timeline(total: int, offset: int, rows: int) -> dict[str, Any]:
    next_offset = offset + rows if offset + rows < total else None
    return {
        "person_key": PK_MADS,
        "total": total,
        "offset": offset,
        "limit": 100,
        "next_offset": next_offset,
        "rows": [ROW] * rows,
        "clocks": {},
    }


def audit_entry(service: str, at: str, subject: str) -> dict[str, Any]:
    return {
        "id": 1,
        "at": at,
        "service": service,
        "subject": subject,
        "role": "tovholder",
        "action": "handover_list.read",
        "result": "allowed",
        "reason": "in_scope",
        "purpose": "ugens moede",
        "term": None,
    }


@pytest.fixture
def platform() -> FakePlatform:
    platform = standard_platform()
    platform.answer("GET", rf"/v1/persons/{PK_MADS}/timeline", timeline(150, 0, 100))
    return platform


@pytest.fixture
def browser(tmp_path: Path, platform: FakePlatform) -> Iterator[TestClient]:
    with console(console_settings(tmp_path), platform) as client:
        yield client


def test_the_rows_in_danish_paged_without_the_audit_trail(
    browser: TestClient, platform: FakePlatform
) -> None:
    log_in(browser)
    page = browser.get(f"/tidslinje?person={PK_MADS}")
    assert page.status_code == 200
    assert ROW["text"] in page.text
    assert "150 hændelser, viser 1\u2013100" in page.text
    assert f"/tidslinje?person={PK_MADS}&amp;fra=100" in page.text
    assert "Hvem har set oplysningerne" not in page.text
    assert not platform.sent("GET", r"/v1/audit/export/.*")
    [asked] = platform.sent("GET", rf"/v1/persons/{PK_MADS}/timeline")
    assert asked.url.params["offset"] == "0"
    assert asked.headers["X-Purpose"] == "tidslinje for barnet"


def test_an_auditor_sees_every_services_audit_trail_merged(
    browser: TestClient, platform: FakePlatform
) -> None:
    platform.answer(
        "GET",
        rf"/v1/audit/export/{PK_MADS}",
        lambda request: (
            httpx.Response(503)
            if request.url.host == "127.0.0.1" and request.url.port == 8085  # courses
            else httpx.Response(
                200,
                json={
                    "entries": [
                        audit_entry(
                            "reporting" if request.url.port == 8084 else "triage",
                            "2026-11-17T09:00:00+00:00"
                            if request.url.port == 8084
                            else "2026-11-16T09:00:00+00:00",
                            f"user-{request.url.port}",
                        )
                    ]
                },
            )
        ),
    )
    log_in(browser, role="auditor")
    page = browser.get(f"/tidslinje?person={PK_MADS}")
    assert "Hvem har set oplysningerne" in page.text
    asked = platform.sent("GET", rf"/v1/audit/export/{PK_MADS}")
    assert len(asked) == 5  # every service, with the auditor's own token
    assert len({r.headers["Authorization"] for r in asked}) == 1
    section = page.text.split("Hvem har set oplysningerne")[1]
    # Merged by time: the earliest entry first; the silent service named.
    assert section.index("user-8081") < section.index("user-8084")
    assert "svarede ikke: Forløb" in section


def test_a_malformed_pseudonym_is_explained_and_not_asked_for(
    browser: TestClient, platform: FakePlatform
) -> None:
    log_in(browser)
    page = browser.get("/tidslinje?person=1203104123")
    assert "Et pseudonym skrives som pk_" in page.text
    assert not platform.sent("GET", r"/v1/persons/.*")
