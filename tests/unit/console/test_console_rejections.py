"""Afviste indberetninger with intake answered in this process: the list in Danish with the
problems by field, the form with the rejected input's fields, a resubmission that closes the
rejection, and one still invalid shown again with each problem at its field."""

from __future__ import annotations

import html
import json
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from services.console.domain.rejected_input import (
    danish_problem,
    document_from_form,
    is_incident_form,
)
from tests.unit.console.fake_platform import FakePlatform, json_of, standard_platform
from tests.unit.console.test_console_pages import csrf_of, log_in

REFERENCE = "6f1c1b7e-2a0d-4c55-8f0e-7d8a9b0c1d2e"
JOURNAL = "3700-80123-00456-26"
ORIGINAL = {
    "journal_number": JOURNAL,
    "revision": 1,
    "source": "doegnrapport",
    "reported_at": "2026-11-16T08:12:00+01:00",
    "occurred_at": "i går aftes",
    "offence": {"code": "butikstyveri"},
    "location": {"municipality_code": "607"},
    "persons": [
        {
            "cpr": "120310-4123",
            "name": "Mads Jensen",
            "role": "mistænkt",
            "municipality_code": "607",
        }
    ],
}
PROBLEMS = [
    {"field": "occurred_at", "code": "datetime_from_date_parsing", "message": "Input should be"},
    {"field": "persons[0].role", "code": "literal_error", "message": "Input should be ..."},
]


def answer_rejection(
    platform: FakePlatform,
    reference: str,
    original: Any,
    problems: list[dict[str, str]],
    received_at: str = "2026-11-16T07:12:01+00:00",
    **row: Any,
) -> None:
    """Intake's list holding one open rejection (`row`: its listed fields) and the rejection
    itself with its original."""
    channel = row.pop("channel", "kafka")
    listed = {"reference": reference, "received_at": received_at, "channel": channel}
    platform.answer(
        "GET",
        r"/v1/rejected",
        {
            "total": 1,
            "offset": 0,
            "limit": 50,
            "next_offset": None,
            "rejections": [{**listed, "municipality_codes": ["607"], "problems": problems, **row}],
        },
    )
    kept = {"reasons": problems, "redacted": False, "corrected_by": None}
    platform.answer(
        "GET",
        rf"/v1/rejected/{reference}",
        {
            **listed,
            **kept,
            "original_text": json.dumps(original, ensure_ascii=False),
            "from_concern": bool(row.get("from_concern")),
        },
    )


def still_invalid(
    platform: FakePlatform, reference: str, error: str, *problems: dict[str, str]
) -> None:
    """Intake answers a resubmission of `reference`: still invalid, with `problems`."""
    body = {"status": "rejected", "error": error, "reference": reference}
    platform.answer(
        "POST",
        rf"/v1/rejected/{reference}/resubmit",
        (422, {**body, "problems": list(problems)}),
    )


def rejections_platform() -> FakePlatform:
    platform = standard_platform()
    answer_rejection(
        platform,
        REFERENCE,
        ORIGINAL,
        PROBLEMS,
        journal_number=JOURNAL,
        revision=1,
        from_case_register=False,
    )
    return platform


@pytest.fixture
def platform() -> FakePlatform:
    return rejections_platform()


def text(response: httpx.Response) -> str:
    return html.unescape(response.text)


def test_the_list_shows_each_rejection_with_its_problems_in_danish(
    browser: TestClient, platform: FakePlatform
) -> None:
    log_in(browser)
    page = browser.get("/afviste")
    assert page.status_code == 200
    shown = text(page)
    assert "Afviste indberetninger" in shown
    assert "16. november 2026 kl. 08.12" in shown  # Copenhagen time, Danish format
    assert JOURNAL in shown
    assert "Gerningstidspunkt" in shown and "Skriv dato og klokkeslæt i dansk tid" in shown
    assert "Person 1: Rolle" in shown and "Antruffet, Sigtet, Forurettet" in shown
    assert f'href="/afviste/{REFERENCE}"' in page.text
    [asked] = platform.sent("GET", r"/v1/rejected")
    assert asked.headers["X-Purpose"].startswith("afviste indberetninger")


def test_only_those_who_correct_rejections_get_the_page(browser: TestClient) -> None:
    log_in(browser, role="caseworker")
    assert browser.get("/afviste").status_code == 404
    assert "Afviste indberetninger" not in browser.get("/arbejdsliste").text


def test_the_form_shows_the_rejected_fields_and_each_problem_at_its_field(
    browser: TestClient,
) -> None:
    log_in(browser, role="police_coordinator")
    page = browser.get(f"/afviste/{REFERENCE}")
    assert page.status_code == 200
    shown = text(page)
    assert 'value="i går aftes"' in shown and 'value="120310-4123"' in shown
    assert 'value="16-11-2026 08:12"' in shown  # reported_at, in Danish time
    assert 'aria-describedby="felt-occurred-at-hjaelp felt-occurred-at-problem"' in page.text
    assert 'id="felt-persons-0-role-problem"' in page.text
    assert '<option value="" selected>' in page.text  # the role given is not one intake takes


def test_a_corrected_incident_is_resubmitted_and_the_rejection_closed(
    browser: TestClient, platform: FakePlatform
) -> None:
    platform.answer(
        "POST",
        rf"/v1/rejected/{REFERENCE}/resubmit",
        (202, {"status": "accepted", "journal_number": JOURNAL, "revision": 1}),
    )
    log_in(browser)
    form = browser.get(f"/afviste/{REFERENCE}")
    sent = browser.post(f"/afviste/{REFERENCE}", data=_form(csrf_of(form.text)))
    assert sent.status_code == 303 and sent.headers["location"] == "/afviste"
    [resubmitted] = platform.sent("POST", rf"/v1/rejected/{REFERENCE}/resubmit")
    document = json_of(resubmitted)
    assert document["occurred_at"] == "2026-11-15T22:40:00+01:00"  # Danish local time
    assert document["revision"] == 1 and document["offence"] == {"code": "butikstyveri"}
    assert document["persons"] == [
        {"cpr": "120310-4123", "name": "Mads Jensen", "role": "sigtet", "municipality_code": "607"}
    ]
    assert "er modtaget, og afvisningen er lukket" in text(browser.get("/afviste"))


def test_a_still_invalid_correction_is_shown_again_with_its_problems(
    browser: TestClient, platform: FakePlatform
) -> None:
    still_invalid(
        platform,
        REFERENCE,
        "invalid_incident",
        {"field": "persons[0].cpr", "code": "cpr_date", "message": "the first six"},
    )
    log_in(browser)
    form = browser.get(f"/afviste/{REFERENCE}")
    data = {**_form(csrf_of(form.text)), "persons[0].cpr": "310299-1234"}
    again = browser.post(f"/afviste/{REFERENCE}", data=data)
    assert again.status_code == 422
    shown = text(again)
    assert "stadig ikke gyldig" in shown
    assert "De første seks cifre i CPR-nummeret skal være en rigtig dato" in shown
    assert 'value="310299-1234"' in shown  # as it was sent, to be corrected again
    assert 'value="15-11-2026 22:40"' in shown  # in Danish time, as Danes write it


def test_a_form_without_its_csrf_token_is_refused(
    browser: TestClient, platform: FakePlatform
) -> None:
    log_in(browser)
    refused = browser.post(f"/afviste/{REFERENCE}", data=_form("wrong"))
    assert refused.status_code == 403
    assert not platform.sent("POST", rf"/v1/rejected/{REFERENCE}/resubmit")


def _form(csrf: str) -> dict[str, Any]:
    return {
        "csrf_token": csrf,
        "format": "felter",
        "personer": "1",
        "journal_number": JOURNAL,
        "revision": "1",
        "source": "doegnrapport",
        "reported_at": "2026-11-16T08:12:00+01:00",
        "occurred_at": "15-11-2026 22:40",
        "offence.code": "butikstyveri",
        "location.municipality_code": "607",
        "persons[0].cpr": "120310-4123",
        "persons[0].name": "Mads Jensen",
        "persons[0].role": "sigtet",
        "persons[0].municipality_code": "607",
    }


@pytest.mark.parametrize(
    ("field", "code", "expected"),
    [
        ("journal_number", "string_pattern_mismatch", "fire, fem, fem og to cifre"),
        ("persons[2].municipality_code", "string_pattern_mismatch", "tre cifre"),
        ("narrative", "string_too_long", "Højst 10000 tegn."),
        ("flags[1]", "literal_error", "bande, ekstremisme"),
        ("revision", "missing", "Skal udfyldes."),
    ],
)
def test_problems_say_in_danish_what_the_field_takes(field: str, code: str, expected: str) -> None:
    said = danish_problem(field, code, "String should have at most 10000 characters")
    assert expected in said
    assert "^" not in said and "[0-9]" not in said


def test_only_a_police_incident_is_shown_field_by_field() -> None:
    assert is_incident_form(ORIGINAL)
    assert not is_incident_form({"concern": "x"})
    assert not is_incident_form([ORIGINAL])
    assert not is_incident_form({**ORIGINAL, "persons": "Mads"})


def test_an_empty_field_is_left_out_of_the_corrected_incident() -> None:
    document = document_from_form({"journal_number": JOURNAL, "flags": "Bande; vaaben"}, 0)
    assert document == {"journal_number": JOURNAL, "flags": ["bande", "vaaben"], "persons": []}


def test_input_that_is_no_incident_is_corrected_as_text(
    browser: TestClient, platform: FakePlatform
) -> None:
    unreadable = "0b0c0d0e-2a0d-4c55-8f0e-7d8a9b0c1d2e"
    platform.answer(
        "GET",
        rf"/v1/rejected/{unreadable}",
        {
            "reference": unreadable,
            "channel": "kafka",
            "received_at": "2026-11-16T07:12:01+00:00",
            "reasons": [{"field": "$", "code": "invalid_json", "message": "not valid JSON"}],
            "original_text": '{"journal_number": "3700-80123-00456-26",',
            "redacted": False,
            "corrected_by": None,
        },
    )
    platform.answer(
        "POST",
        rf"/v1/rejected/{unreadable}/resubmit",
        (200, {"status": "duplicate", "journal_number": JOURNAL, "revision": 1}),
    )
    log_in(browser, role="police_coordinator")
    form = browser.get(f"/afviste/{unreadable}")
    shown = text(form)
    assert '<textarea id="dokument"' in form.text
    assert "<strong>Hele indberetningen</strong>: Indberetningen kunne ikke læses" in shown
    corrected = json.dumps(ORIGINAL)
    sent = browser.post(
        f"/afviste/{unreadable}",
        data={"csrf_token": csrf_of(form.text), "format": "tekst", "dokument": corrected},
    )
    assert sent.status_code == 303
    [resubmitted] = platform.sent("POST", rf"/v1/rejected/{unreadable}/resubmit")
    assert resubmitted.content == corrected.encode()
    assert "var allerede modtaget, og afvisningen er lukket" in text(browser.get("/afviste"))
