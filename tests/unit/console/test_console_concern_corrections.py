"""A rejected concern in Afviste indberetninger (issue 15, parts 5 and 6): shown as a concern
form with Danish labels and choices (not as raw text), resubmitted as a `Concern`, and a
correction still invalid shown again with each problem at its field."""

from __future__ import annotations

import html
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.console.domain.concern_correction import concern_from_form, concern_problem
from tests.unit.console.fake_platform import FakePlatform, json_of, standard_platform
from tests.unit.console.test_console_pages import csrf_of, log_in
from tests.unit.console.test_console_rejections import answer_rejection, still_invalid

REFERENCE = "7a2c1b7e-2a0d-4c55-8f0e-7d8a9b0c1d2e"
ORIGINAL = {
    "concern_id": "b-17",
    "cpr": "120310-4123",
    "name": "Mads Jensen",
    "municipality_code": "607",
    "category": "bandeuro",
    "reporter": {"kind": "school", "name": "Lærer Hanne Holm"},
    "text": "Ses med ældre unge ved stationen",
    "registered_at": "2026-11-18T14:05:00+01:00",
}
TEXT_MISSING = {"field": "text", "code": "missing", "message": "Field required"}
PROBLEMS = [
    {"field": "category", "code": "literal_error", "message": "Input should be ..."},
]


@pytest.fixture
def platform() -> FakePlatform:
    with_concern = standard_platform()
    answer_rejection(
        with_concern,
        REFERENCE,
        ORIGINAL,
        PROBLEMS,
        "2026-11-18T13:05:01+00:00",
        channel="http",
        journal_number=None,
        from_concern=True,
    )
    return with_concern


def shown(page: Any) -> str:
    return html.unescape(page.text)


def test_the_list_marks_a_concern_with_its_problems_in_danish(browser: TestClient) -> None:
    log_in(browser)
    page = shown(browser.get("/afviste"))
    assert "Bekymring" in page
    assert "Hvad handler bekymringen om?" in page and "Vælg en af: Kriminalitet" in page


def test_a_rejected_concern_is_shown_as_a_concern_form(browser: TestClient) -> None:
    log_in(browser)
    page = browser.get(f"/afviste/{REFERENCE}")
    assert page.status_code == 200
    text = shown(page)
    assert '<textarea id="dokument"' not in page.text  # not raw JSON
    assert 'name="format" value="bekymring"' in page.text
    for label in ("Hvad handler bekymringen om?", "Hvem er bekymret?", "Indberetterens navn"):
        assert f">{label}</label>" in text
    assert '<option value="school" selected>Skolen</option>' in text
    assert '<option value="" selected>' in page.text  # "bandeuro" is no category
    assert 'id="felt-category-problem"' in page.text and "Vælg en af: Kriminalitet" in text
    assert 'aria-invalid="true"' in page.text
    assert 'value="18-11-2026 14:05"' in text  # registered_at in Danish time
    assert "Ses med ældre unge ved stationen</textarea>" in text


def _form(csrf: str, **changes: str) -> dict[str, str]:
    return {
        "csrf_token": csrf,
        "format": "bekymring",
        "concern_id": "b-17",
        "cpr": "120310-4123",
        "name": "Mads Jensen",
        "municipality_code": "607",
        "school": "",
        "category": "grupperinger",
        "reporter.kind": "school",
        "reporter.name": "Lærer Hanne Holm",
        "reporter.contact": "",
        "text": "Ses med ældre unge ved stationen",
        "registered_at": "18-11-2026 14:05",
        **changes,
    }


def test_a_corrected_concern_is_resubmitted_as_a_concern(
    browser: TestClient, platform: FakePlatform
) -> None:
    platform.answer(
        "POST",
        rf"/v1/rejected/{REFERENCE}/resubmit",
        (
            202,
            {
                "status": "accepted",
                "concern_id": "b-17",
                "municipality_code": "607",
                "iso_week": "2026-W47",
            },
        ),
    )
    log_in(browser)
    form = browser.get(f"/afviste/{REFERENCE}")
    sent = browser.post(f"/afviste/{REFERENCE}", data=_form(csrf_of(form.text)))
    assert sent.status_code == 303 and sent.headers["location"] == "/afviste"
    [resubmitted] = platform.sent("POST", rf"/v1/rejected/{REFERENCE}/resubmit")
    assert json_of(resubmitted) == {
        "concern_id": "b-17",
        "cpr": "120310-4123",
        "name": "Mads Jensen",
        "municipality_code": "607",
        "category": "grupperinger",
        "reporter": {"kind": "school", "name": "Lærer Hanne Holm"},
        "text": "Ses med ældre unge ved stationen",
        "registered_at": "2026-11-18T14:05:00+01:00",
    }
    after = shown(browser.get("/afviste"))
    assert "Bekymringen er registreret, og afvisningen er lukket" in after
    assert "uge 47, 2026" in after


def test_a_still_invalid_concern_is_shown_again_with_its_problems(
    browser: TestClient, platform: FakePlatform
) -> None:
    still_invalid(platform, REFERENCE, "invalid_concern", TEXT_MISSING)
    log_in(browser)
    form = browser.get(f"/afviste/{REFERENCE}")
    again = browser.post(f"/afviste/{REFERENCE}", data=_form(csrf_of(form.text), text=""))
    assert again.status_code == 422
    text = shown(again)
    assert "Bekymringen er stadig ikke gyldig" in text
    assert 'id="felt-text-problem"' in again.text and "Skal udfyldes." in text
    assert '<option value="grupperinger" selected>' in text  # as it was sent


SAID = [
    ("reporter.kind", "literal_error", "Skolen, SSP-netværket"),
    ("concern_id", "string_pattern_mismatch", "bogstaver, cifre"),
    ("cpr", "cpr_format", "ti cifre"),
    ("text", "string_too_short", "Skal udfyldes."),
]
"""A field, intake's code for its problem, and what the console says in Danish."""


@pytest.mark.parametrize(("field", "code", "expected"), SAID)
def test_concern_problems_say_in_danish_what_the_field_takes(
    field: str, code: str, expected: str
) -> None:
    assert expected in concern_problem(field, code)


def test_an_empty_field_is_left_out_of_the_corrected_concern() -> None:
    assert concern_from_form({"concern_id": " b-1 ", "reporter.kind": "parent", "name": ""}) == {
        "concern_id": "b-1",
        "reporter": {"kind": "parent"},
    }
