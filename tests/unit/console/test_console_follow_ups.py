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
    WEEK,
    FakePlatform,
    handover_entry,
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


def caseworker_item(platform: FakePlatform) -> str:
    """Mads on the caseworker route on this week's agenda."""
    platform.answer(
        "GET",
        rf"/v1/handover/607/{WEEK}",
        {
            "municipality_code": "607",
            "iso_week": WEEK,
            "persons": [handover_entry(PK_MADS, route="caseworker", owner_role="caseworker")],
        },
    )
    platform.answer("GET", rf"/v1/decisions/{JOURNAL}", {"decisions": []})
    platform.answer("GET", r"/v1/persons/.*/co-registered", {"person_key": PK_MADS, "persons": []})
    return f"/moede/punkt?kommune=607&uge={WEEK}&journal={JOURNAL}&person={PK_MADS}"


def test_a_caseworker_records_a_summons_and_the_family_meeting_on_the_item(
    browser: TestClient, platform: FakePlatform
) -> None:
    platform.answer("POST", r"/v1/assessments", {"result": "task_created"})
    platform.answer("POST", r"/v1/assessments/family-meeting", {"held_on": "2026-11-17"})
    item_url = caseworker_item(platform)
    log_in(browser, role="caseworker")
    item = browser.get(item_url)
    assert "Sagsbehandlerens vurdering" in item.text and "Indkald" in item.text
    where = {"kommune": "607", "uge": WEEK, "journal": JOURNAL, "person": PK_MADS}
    sent = browser.post(
        "/moede/punkt/vurdering",
        data={
            "csrf_token": csrf_of(item.text),
            **where,
            "vurdering": "summon",
            "sagsbehandler": "ABJ",
        },
    )
    assert sent.status_code == 303 and sent.headers["location"].startswith("/moede/punkt?")
    [assessment] = platform.sent("POST", r"/v1/assessments")
    assert json_of(assessment) == {
        "journal_number": JOURNAL,
        "person_key": PK_MADS,
        "outcome": "summon",
        "caseworker": "ABJ",
    }
    assert "Vurderingen »Indkald« er registreret" in browser.get(sent.headers["location"]).text

    met = browser.post(
        "/moede/punkt/familiemoede",
        data={
            "csrf_token": csrf_of(item.text),
            **where,
            "dato": "2026-11-17",
            "sagsbehandler": "ABJ",
            "ung_deltog": "1",
        },
    )
    assert met.status_code == 303
    [meeting] = platform.sent("POST", r"/v1/assessments/family-meeting")
    assert json_of(meeting)["youth_attended"] is True
    assert "Mødet med familien 17. november 2026" in browser.get(met.headers["location"]).text


@pytest.mark.parametrize("form", ["/moede/punkt/vurdering", "/moede/punkt/familiemoede"])
def test_a_caseworker_form_that_names_no_item_says_so_in_danish(
    browser: TestClient, platform: FakePlatform, form: str
) -> None:
    item_url = caseworker_item(platform)
    log_in(browser, role="caseworker")
    item = browser.get(item_url)
    sent = browser.post(
        form,
        data={
            "csrf_token": csrf_of(item.text),
            **{"kommune": "607", "uge": WEEK, "journal": "not-a-journal", "person": PK_MADS},
            **{"vurdering": "summon", "dato": "2026-11-17", "sagsbehandler": "ABJ"},
        },
    )
    assert sent.status_code == 303 and sent.headers["location"] == "/moede"
    assert "Formularen hørte ikke til et punkt på mødet" in browser.get("/moede").text
    assert platform.sent("POST", r"/v1/assessments") == []


def test_a_refused_assessment_comes_back_as_it_was_filled_in_once(
    browser: TestClient, platform: FakePlatform
) -> None:
    item_url = caseworker_item(platform)
    log_in(browser, role="caseworker")
    item = browser.get(item_url)
    where = {"kommune": "607", "uge": WEEK, "journal": JOURNAL, "person": PK_MADS}
    form = {"vurdering": "summon", "sagsbehandler": "A B"}
    refused = browser.post(
        "/moede/punkt/vurdering", data={"csrf_token": csrf_of(item.text), **where, **form}
    )
    again = browser.get(refused.headers["location"]).text
    assert "Skriv sagsbehandlerens initialer" in again
    assert 'name="vurdering" value="summon" checked' in again
    assert 'maxlength="50" value="A B"' in again
    # Kept for the next page only: the visit after it has an empty form again.
    assert 'value="A B"' not in browser.get(item_url).text


def test_a_family_meeting_without_a_summons_is_refused_in_danish(
    browser: TestClient, platform: FakePlatform
) -> None:
    platform.answer(
        "POST", r"/v1/assessments/family-meeting", (409, {"error": "not_summoned", "message": "…"})
    )
    item_url = caseworker_item(platform)
    log_in(browser, role="team_leader")
    item = browser.get(item_url)
    refused = browser.post(
        "/moede/punkt/familiemoede",
        data={
            "csrf_token": csrf_of(item.text),
            "kommune": "607",
            "uge": WEEK,
            "journal": JOURNAL,
            "person": PK_MADS,
            "dato": "2026-11-17",
            "sagsbehandler": "ABJ",
            "ung_deltog": "1",
        },
    )
    again = browser.get(refused.headers["location"]).text
    assert "Familien er ikke indkaldt" in again
    # The refused form comes back as it was filled in.
    assert 'type="date" required value="2026-11-17"' in again
    assert 'name="ung_deltog" type="checkbox" value="1" checked' in again
    browser.cookies.clear()
    log_in(browser, role="tovholder")
    assert "Sagsbehandlerens vurdering" not in browser.get(item_url).text
