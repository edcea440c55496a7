"""Bekymring in the console (issue 15, part 5): the form (CSRF, the concern sent to intake with
the user's token, Danish problems), the concerns on the meeting's agenda with names in the same
one step, and one concern whose text is fetched only when asked for, by the roles allowed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.unit.console.fake_platform import (
    PK_IDA,
    PK_MADS,
    WEEK,
    FakePlatform,
    json_of,
    standard_platform,
)
from tests.unit.console.test_console_pages import NOW, console, console_settings, csrf_of, log_in

CONCERN = {
    "concern_id": "c-1",
    "person_key": PK_IDA,
    "school": "Kirstinebjergskolen",
    "category": "grupperinger",
    "reporter_kind": "night_team",
    "registered_at": "2026-11-16T21:00:00+01:00",
    "placed_at": "2026-11-16T21:00:02+01:00",
}
SECRET = "Ses ved stationen sent om aftenen"


@pytest.fixture
def platform() -> FakePlatform:
    found = standard_platform()
    found.answer(
        "GET",
        rf"/v1/meetings/607/{WEEK}/concerns",
        {"meeting": f"607/{WEEK}", "held": False, "concerns": [CONCERN]},
    )
    found.answer(
        "GET",
        r"/v1/concerns/c-1",
        {
            **CONCERN,
            "municipality_code": "607",
            "reporter": {"kind": "night_team", "name": "Hanne", "contact": "12345678"},
            "text": SECRET,
            "iso_week": WEEK,
        },
    )
    return found


@pytest.fixture
def browser(tmp_path: Path, platform: FakePlatform) -> Iterator[TestClient]:
    with console(console_settings(tmp_path), platform) as client:
        yield client


def form_of(browser: TestClient) -> tuple[str, str]:
    page = browser.get("/bekymring")
    assert page.status_code == 200
    concern_id = re.search(r'name="bekymring_id" value="([^"]+)"', page.text)
    assert concern_id
    return csrf_of(page.text), concern_id.group(1)


FIELDS = {
    "cpr": "120310-4123",
    "navn": "Mads Jensen",
    "kommune": "607",
    "skole": "Kirstinebjergskolen",
    "kategori": "mistrivsel",
    "indberetter": "parent",
    "indberetter_navn": "Mor",
    "beskrivelse": SECRET,
}


def test_a_concern_registered_in_the_form_goes_to_intake_and_leads_to_the_meeting(
    browser: TestClient, platform: FakePlatform
) -> None:
    platform.answer(
        "POST",
        r"/v1/concerns",
        (
            202,
            {"status": "accepted", "concern_id": "x", "municipality_code": "607", "iso_week": WEEK},
        ),
    )
    log_in(browser)
    csrf, concern_id = form_of(browser)
    sent = browser.post(
        "/bekymring", data={"csrf_token": csrf, "bekymring_id": concern_id, **FIELDS}
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/moede?kommune=607&uge={WEEK}"
    [request] = platform.sent("POST", r"/v1/concerns")
    document = json_of(request)
    assert document["concern_id"] == concern_id
    assert (document["cpr"], document["category"], document["reporter"]["kind"]) == (
        "120310-4123",
        "mistrivsel",
        "parent",
    )
    assert document["text"] == SECRET and document["registered_at"] == NOW.isoformat()
    assert request.headers["Authorization"].startswith("Bearer ")
    page = browser.get(sent.headers["location"])
    assert "Bekymringen er registreret" in page.text


def test_the_form_needs_its_csrf_token_and_says_what_is_missing_in_danish(
    browser: TestClient, platform: FakePlatform
) -> None:
    log_in(browser)
    csrf, concern_id = form_of(browser)
    refused = browser.post("/bekymring", data={"bekymring_id": concern_id, **FIELDS})
    assert refused.status_code == 403
    empty = browser.post(
        "/bekymring",
        data={"csrf_token": csrf, "bekymring_id": concern_id, "kommune": "607", "cpr": "1"},
    )
    assert empty.status_code == 200
    assert "Beskrivelse skal udfyldes." in empty.text
    assert "Hvad bekymringen handler om skal udfyldes." in empty.text
    assert platform.sent("POST", r"/v1/concerns") == []


def test_what_intake_rejects_is_said_in_danish_and_the_form_kept(
    browser: TestClient, platform: FakePlatform
) -> None:
    platform.answer(
        "POST",
        r"/v1/concerns",
        (
            422,
            {
                "status": "rejected",
                "error": "invalid_concern",
                "message": "rejected",
                "field": "cpr",
                "reference": "ref-1",
                "problems": [{"field": "cpr", "code": "cpr_date", "message": "bad date"}],
            },
        ),
    )
    log_in(browser)
    csrf, concern_id = form_of(browser)
    answer = browser.post(
        "/bekymring", data={"csrf_token": csrf, "bekymring_id": concern_id, **FIELDS}
    )
    assert answer.status_code == 200
    assert "CPR-nummer er ikke et gyldigt CPR-nummer." in answer.text
    assert "ref-1" in answer.text and SECRET in answer.text  # what was typed stays


def test_the_meeting_shows_its_concerns_and_names_them_in_the_same_one_step(
    browser: TestClient, platform: FakePlatform
) -> None:
    log_in(browser)
    page = browser.get(f"/moede?kommune=607&uge={WEEK}")
    assert "Grupperinger og uheldige fællesskaber" in page.text
    assert "Natteravnene / natteamet" in page.text
    assert SECRET not in page.text
    named = browser.get(f"/moede?kommune=607&uge={WEEK}&navne=1")
    assert "Ida Hansen" in named.text
    [resolution] = platform.sent("POST", r"/v1/identities/resolve-batch")
    assert set(json_of(resolution)["person_keys"]) == {PK_MADS, PK_IDA}


def test_the_text_is_fetched_only_when_asked_and_only_for_roles_allowed(
    browser: TestClient, platform: FakePlatform
) -> None:
    log_in(browser)
    base = f"/moede/bekymring?kommune=607&uge={WEEK}&id=c-1"
    page = browser.get(base)
    assert "Grupperinger" in page.text and SECRET not in page.text
    assert platform.sent("GET", r"/v1/concerns/c-1") == []
    shown = browser.get(base + "&tekst=1")
    assert SECRET in shown.text and "Hanne" in shown.text
    [read] = platform.sent("GET", r"/v1/concerns/c-1")
    assert read.headers["X-Purpose"] == f"ugens moede 607/{WEEK}"


def test_a_school_representative_never_asks_for_the_text(
    browser: TestClient, platform: FakePlatform
) -> None:
    log_in(browser, "school_representative", school="Kirstinebjergskolen")
    page = browser.get(f"/moede/bekymring?kommune=607&uge={WEEK}&id=c-1&tekst=1")
    assert page.status_code == 200 and SECRET not in page.text
    assert platform.sent("GET", r"/v1/concerns/.*") == []
    assert "Ny bekymring" in page.text  # a school may register one for its pupils


def test_the_police_get_no_form(browser: TestClient) -> None:
    log_in(browser, "police_coordinator")
    assert browser.get("/bekymring").status_code == 404
