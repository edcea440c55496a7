"""Afviste indberetninger in a real browser against the real platform (`ssp up`): a police
report intake rejected is listed with its problems in Danish, opened with the keyboard,
corrected in the form (once still invalid, then valid) and resubmitted; it then leaves the
list. Every page is checked with axe-core and photographed for docs/console/.

The report is of two weeks ago, so the corrected child lands on an earlier week's agenda than
the one the meeting tests count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from tests.browser.conftest import (
    MUNICIPALITY,
    RunningPlatform,
    check_page,
    follow,
    log_in,
    post_to_intake,
    text_of,
    token,
)

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.kafka, pytest.mark.slow]

JOURNAL = "3700-80123-09003-26"


def rejected_report() -> dict[str, Any]:
    reported = datetime.now(UTC) - timedelta(days=14)
    return {
        "journal_number": JOURNAL,
        "revision": 1,
        "source": "doegnrapport",
        "police_district": "Sydøstjyllands Politi",
        "reported_at": reported.isoformat(),
        "occurred_at": "i går aftes",  # no time: rejected
        "offence": {"code": "haervaerk", "text": "Graffiti på skolen"},
        "location": {"municipality_code": MUNICIPALITY},
        "flags": [],
        "persons": [
            {
                "cpr": "0707114321",
                "name": "Lina Krog",
                "role": "mistænkt",  # not a role intake takes: rejected
                "municipality_code": MUNICIPALITY,
            }
        ],
    }


def test_a_rejected_report_is_corrected_and_resubmitted_in_the_console(
    platform: RunningPlatform, browser: webdriver.Chrome
) -> None:
    posted = post_to_intake(platform.urls["intake"], "/v1/incidents", rejected_report())
    assert posted.status_code == 422, posted.text
    reference = posted.json()["reference"]

    log_in(browser, platform.console, "tovholder", user="ABJ")
    follow(browser, browser.find_element(By.LINK_TEXT, "Afviste indberetninger"))
    listed = text_of(browser)
    assert JOURNAL in listed
    assert "Gerningstidspunkt: Skriv dato og klokkeslæt i dansk tid" in listed
    assert "Person 1: Rolle" in listed
    assert "Lina Krog" not in listed and "0707114321" not in listed  # the list holds no input
    check_page(browser, "afviste-indberetninger")

    # To the form with the keyboard: Tab to the row's link, Enter.
    for _ in range(60):
        browser.switch_to.active_element.send_keys(Keys.TAB)
        if (browser.switch_to.active_element.get_attribute("href") or "").endswith(reference):
            break
    assert (browser.switch_to.active_element.get_attribute("href") or "").endswith(reference)
    follow(browser, browser.switch_to.active_element, keys=(Keys.ENTER,))
    assert browser.find_element(By.ID, "felt-persons-0-name").get_attribute("value") == "Lina Krog"
    check_page(browser, "afviste-ret")

    # The time corrected, the role not yet: intake still refuses, the form says where.
    when = browser.find_element(By.ID, "felt-occurred-at")
    when.clear()
    when.send_keys((datetime.now(UTC) - timedelta(days=15)).strftime("%d-%m-%Y %H:%M"))
    follow(
        browser,
        browser.find_element(By.XPATH, "//button[text()='Indsend den rettede indberetning']"),
    )
    assert "stadig ikke gyldig" in text_of(browser)
    problem = browser.find_element(By.ID, "felt-persons-0-role-problem").text
    assert "Skal udfyldes" in problem, problem
    check_page(browser, "afviste-stadig-ugyldig")

    Select(browser.find_element(By.ID, "felt-persons-0-role")).select_by_value("sigtet")
    follow(browser, browser.find_element(By.ID, "felt-journal-number"), keys=(Keys.ENTER,))
    assert browser.current_url.endswith("/afviste"), browser.current_url
    page = text_of(browser)
    assert f"Indberetningen {JOURNAL} (version 1) er modtaget" in page, page
    assert JOURNAL not in page.replace(f"Indberetningen {JOURNAL}", "")  # gone from the list
    check_page(browser, "afviste-efter-rettelse")

    read = httpx.get(
        f"{platform.urls['intake']}/v1/rejected/{reference}",
        headers={"Authorization": f"Bearer {token('tovholder')}", "X-Purpose": "browser test"},
        timeout=30,
    ).json()
    assert read["corrected_by"] == {"journal_number": JOURNAL, "revision": 1, "how": "resubmitted"}


def test_a_rejected_concern_is_corrected_in_a_concern_form(
    platform: RunningPlatform, browser: webdriver.Chrome
) -> None:
    """A concern intake rejected (a category it does not know, no text) is shown as a concern
    form with Danish labels and choices, not as raw text; corrected with the keyboard it is
    registered as a concern and the rejection is closed with its id. The police neither list
    nor read it."""
    registered = datetime.now(UTC) - timedelta(days=14)
    concern = {
        "concern_id": f"browser-rettet-{registered:%Y%m%d%H%M%S}",
        "cpr": "0909114329",
        "name": "Noah Friis",
        "municipality_code": MUNICIPALITY,
        "category": "bandeuro",  # not a category: rejected
        "reporter": {"kind": "parent", "name": "Mor til Noah"},
        "text": "",  # empty: rejected
        "registered_at": registered.isoformat(),
    }
    posted = post_to_intake(platform.urls["intake"], "/v1/concerns", concern, "tovholder")
    assert posted.status_code == 422, posted.text
    reference = posted.json()["reference"]
    police = {"Authorization": f"Bearer {token('police_coordinator')}", "X-Purpose": "test"}
    rejected_at = f"{platform.urls['intake']}/v1/rejected"
    assert httpx.get(f"{rejected_at}/{reference}", headers=police, timeout=30).status_code in (
        403,
        404,
    )
    assert reference not in httpx.get(rejected_at, headers=police, timeout=30).text

    log_in(browser, platform.console, "tovholder", user="ABJ")
    browser.get(f"{platform.console}/afviste/{reference}")
    page = text_of(browser)
    assert "Bekymring (ikke fra politiet)" in page
    assert not browser.find_elements(By.ID, "dokument")  # a form, not raw JSON
    kind = Select(browser.find_element(By.ID, "felt-reporter-kind"))
    assert kind.first_selected_option.text == "En forælder"
    assert "Vælg en af: Kriminalitet" in browser.find_element(By.ID, "felt-category-problem").text
    check_page(browser, "afviste-bekymring")

    # Corrected with the keyboard: a category chosen, the text written, sent with Enter.
    category = browser.find_element(By.ID, "felt-category")
    category.send_keys("Mistrivsel")
    assert Select(category).first_selected_option.get_attribute("value") == "mistrivsel"
    text = browser.find_element(By.ID, "felt-text")
    text.send_keys("Har trukket sig fra vennerne og kommer sjældent i skole.")
    follow(browser, browser.find_element(By.ID, "felt-concern-id"), keys=(Keys.ENTER,))
    assert browser.current_url.endswith("/afviste"), browser.current_url
    page = text_of(browser)
    assert "Bekymringen er registreret, og afvisningen er lukket" in page, page
    assert reference not in browser.page_source  # gone from the list
    check_page(browser)

    read = httpx.get(
        f"{rejected_at}/{reference}",
        headers={"Authorization": f"Bearer {token('tovholder')}", "X-Purpose": "browser test"},
        timeout=30,
    ).json()
    assert read["corrected_by"] == {"concern_id": concern["concern_id"], "how": "resubmitted"}
