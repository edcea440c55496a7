"""Bekymring in a real browser against the real platform (issue 15, part 5): a concern
registered in the console's form appears on the weekly meeting's agenda (through intake,
ssp.intake.concerns.v1 and triage), the coordinator reads what the reporter wrote, and the
police see the item without what it is about. Every page is checked with axe-core."""

from __future__ import annotations

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser.conftest import (
    SCHOOL,
    RunningPlatform,
    check_page,
    follow,
    log_in,
    text_of,
    wait_until,
)

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.kafka, pytest.mark.slow]

TEXT = "Freja er flere gange set alene ved stationen sent om aftenen og virker bange."


def concern_rows(browser: webdriver.Chrome) -> list[str]:
    return [row.text for row in browser.find_elements(By.CSS_SELECTOR, "table.concerns tbody tr")]


def on_the_agenda(browser: webdriver.Chrome) -> bool:
    """Reload until the concern is on this meeting's agenda; a meeting already held passes it
    on to the next one (the page links there)."""
    browser.refresh()
    if any("Mistrivsel" in row for row in concern_rows(browser)):
        return True
    try:
        held = browser.find_element(By.CSS_SELECTOR, "#moedet-holdt a")
    except NoSuchElementException:
        return False
    follow(browser, held)
    return any("Mistrivsel" in row for row in concern_rows(browser))


def test_a_concern_registered_in_the_form_appears_on_the_agenda(
    platform: RunningPlatform, browser: webdriver.Chrome
) -> None:
    log_in(browser, platform.console, "tovholder", user="ABJ")
    follow(browser, browser.find_element(By.LINK_TEXT, "Ny bekymring"))
    assert "Registrér en bekymring" in browser.title
    check_page(browser, "bekymring")
    browser.find_element(By.ID, "cpr").send_keys("150809-5678")
    browser.find_element(By.ID, "navn").send_keys("Freja Lund")
    browser.find_element(By.ID, "skole").send_keys(SCHOOL)
    Select(browser.find_element(By.ID, "kategori")).select_by_value("mistrivsel")
    Select(browser.find_element(By.ID, "indberetter")).select_by_value("night_team")
    browser.find_element(By.ID, "indberetter-navn").send_keys("Natteravnene Fredericia")
    browser.find_element(By.ID, "beskrivelse").send_keys(TEXT)
    follow(browser, browser.find_element(By.XPATH, "//button[text()='Registrér bekymringen']"))
    assert "Bekymringen er registreret" in text_of(browser), text_of(browser)
    assert "/moede" in browser.current_url

    assert wait_until(lambda: on_the_agenda(browser), timeout=60), text_of(browser)
    [row] = [r for r in concern_rows(browser) if "Mistrivsel" in r]
    assert "Natteravnene" in row and SCHOOL in row
    assert TEXT not in text_of(browser)  # the agenda shows codes, never the text
    check_page(browser, "ugens-moede-bekymring")

    follow(browser, browser.find_element(By.LINK_TEXT, "Mistrivsel"))
    assert TEXT not in text_of(browser)
    follow(browser, browser.find_element(By.LINK_TEXT, "Vis indberetningen"))
    assert TEXT in text_of(browser)
    assert "Natteravnene Fredericia" in text_of(browser)
    follow(browser, browser.find_element(By.LINK_TEXT, "Vis navn"))
    assert "Freja Lund" in text_of(browser)
    check_page(browser, "bekymring-punkt")
    meeting = browser.find_element(By.PARTIAL_LINK_TEXT, "Tilbage til dagsordenen")
    meeting_url = meeting.get_attribute("href")

    # The police see that there is a concern and from whom, not what it is about.
    log_in(browser, platform.console, "police_coordinator")
    browser.get(meeting_url)
    rows = concern_rows(browser)
    assert rows and not any("Mistrivsel" in r for r in rows), rows
    assert any("Natteravnene" in r for r in rows)
    assert "Ny bekymring" not in browser.find_element(By.TAG_NAME, "nav").text
    check_page(browser)
