"""The follow-up form and the overdue next steps on the worklist (issue 17, part 2), with
courses answered in this process: the form is Danish and CSRF-checked, sends codes and the
note to courses, says courses' refusals in Danish, and the worklist shows the owner's overdue
next steps."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.unit.console.fake_platform import (
    JOURNAL,
    PK_MADS,
    FakePlatform,
    json_of,
    standard_platform,
)
from tests.unit.console.test_console_pages import console, console_settings, csrf_of, log_in

FORM = f"/personer/{PK_MADS}/opfoelgning"


@pytest.fixture
def browser(tmp_path: Path, platform: FakePlatform) -> Iterator[TestClient]:
    with console(console_settings(tmp_path), platform) as client:
        yield client


@pytest.fixture
def platform() -> FakePlatform:
    return standard_platform()


def filled(page: str, **changes: str) -> dict[str, str]:
    return {
        "csrf_token": csrf_of(page),
        "kommune": "607",
        "handling": "hjemmebesoeg",
        "dato": "2026-11-16",
        "udfoert_af": "ABJ",
        "resultat": "held",
        "journal": JOURNAL,
        "naeste_handling": "skolebesoeg",
        "naeste_ansvarlig": "tovholder",
        "naeste_frist": "2026-11-20",
        "note": "Mor var hjemme.",
        **changes,
    }


def test_a_caseworker_records_a_home_visit_with_a_next_step(
    browser: TestClient, platform: FakePlatform
) -> None:
    platform.answer("POST", r"/v1/follow-ups", (201, {"action_id": "a1"}))
    log_in(browser, role="caseworker")
    page = browser.get(f"{FORM}?journal={JOURNAL}")
    assert page.status_code == 200
    assert "Registrér opfølgning" in page.text and "Hjemmebesøg" in page.text
    assert f'value="{JOURNAL}"' in page.text and 'value="2026-11-17"' in page.text
    answer = browser.post(FORM, data=filled(page.text))
    assert answer.status_code == 303 and answer.headers["location"] == "/arbejdsliste"
    [sent] = platform.sent("POST", r"/v1/follow-ups")
    assert json_of(sent) == {
        "person_key": PK_MADS,
        "municipality_code": "607",
        "journal_number": JOURNAL,
        "kind": "hjemmebesoeg",
        "held_on": "2026-11-16",
        "held_by": "ABJ",
        "outcome": "held",
        "next_step": {"kind": "skolebesoeg", "owner": "tovholder", "due_on": "2026-11-20"},
        "note": "Mor var hjemme.",
    }
    worklist = browser.get("/arbejdsliste")
    assert "Opfølgningen (hjemmebesøg) er gemt" in worklist.text
    assert "20. november 2026" in worklist.text


def test_the_form_says_what_is_wrong_in_danish_and_keeps_what_was_typed(
    browser: TestClient, platform: FakePlatform
) -> None:
    log_in(browser, role="tovholder")
    page = browser.get(FORM)
    refused = browser.post(FORM, data=filled(page.text, handling="", naeste_frist=""))
    assert refused.status_code == 422
    assert 'role="alert"' in refused.text
    assert "Vælg hvilken handling" in refused.text and "Vælg fristen" in refused.text
    assert "Mor var hjemme." in refused.text
    assert platform.sent("POST", r"/v1/follow-ups") == []

    platform.answer("POST", r"/v1/follow-ups", (422, {"error": "due_before_held", "message": "…"}))
    refused = browser.post(FORM, data=filled(page.text, naeste_frist="2026-11-10"))
    assert refused.status_code == 422
    assert "Fristen for næste skridt ligger før handlingen" in refused.text


def test_the_form_needs_its_csrf_token_and_a_role_that_follows_up(
    browser: TestClient, platform: FakePlatform
) -> None:
    log_in(browser, role="caseworker")
    page = browser.get(FORM)
    assert browser.post(FORM, data={**filled(page.text), "csrf_token": "x"}).status_code == 403
    assert platform.sent("POST", r"/v1/follow-ups") == []
    assert browser.get("/personer/not-a-key/opfoelgning").status_code == 404
    browser.cookies.clear()
    log_in(browser, role="school_representative", school="Kirstinebjergskolen")
    assert browser.get(FORM).status_code == 404


def test_overdue_next_steps_are_on_their_owners_worklist(
    browser: TestClient, platform: FakePlatform
) -> None:
    overdue = {
        "action_id": "a1",
        "person_key": PK_MADS,
        "municipality_code": "607",
        "journal_number": JOURNAL,
        "kind": "hjemmebesoeg",
        "held_on": "2026-11-02",
        "outcome": "held",
        "next_step": {
            "kind": "skolebesoeg",
            "owner": "tovholder",
            "due_on": "2026-11-09",
            "status": "open",
        },
    }

    def by_owner(request: httpx.Request) -> httpx.Response:
        mine = request.url.params.get("owner") == "tovholder"
        assert request.url.params["status"] == "overdue"
        assert request.headers["X-Purpose"]
        return httpx.Response(200, json={"follow_ups": [overdue] if mine else []})

    platform.answer("GET", r"/v1/follow-ups", by_owner)
    log_in(browser, role="tovholder")
    page = browser.get("/arbejdsliste")
    assert "Næste skridt efter opfølgninger" in page.text
    assert "9. november 2026" in page.text and "Skolebesøg" in page.text
    browser.cookies.clear()
    log_in(browser, role="caseworker")
    assert "Ingen næste skridt med overskredet frist" in browser.get("/arbejdsliste").text
