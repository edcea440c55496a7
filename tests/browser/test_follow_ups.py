"""The follow-up form in a real browser against the real platform (issue 17, part 2): a
coordinator opens a child's item from this week's meeting, records a home visit held ten days
ago with a school visit as next step due three days ago, submits with the keyboard, and finds
the next step overdue on Min arbejdsliste. Both pages are Danish and axe-clean."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from tests.browser.conftest import (
    JOURNAL_SCHOOL,
    RunningPlatform,
    check_page,
    follow,
    journal_link,
    log_in,
    text_of,
)

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.kafka, pytest.mark.slow]


def set_date(driver: webdriver.Chrome, element_id: str, day: date) -> None:
    """A date field's value, as the browser's date picker would set it."""
    driver.execute_script(
        "document.getElementById(arguments[0]).value = arguments[1];", element_id, day.isoformat()
    )


def test_a_home_visit_with_a_next_step_shows_on_the_worklist_when_overdue(
    platform: RunningPlatform, browser: webdriver.Chrome
) -> None:
    log_in(browser, platform.console, "tovholder", user="ABJ")
    follow(browser, browser.find_element(By.LINK_TEXT, "Ugens møde"))
    follow(browser, journal_link(browser, JOURNAL_SCHOOL))
    follow(browser, browser.find_element(By.LINK_TEXT, "Registrér en opfølgning for barnet"))
    assert "/opfoelgning" in browser.current_url
    assert browser.find_element(By.ID, "journal").get_attribute("value") == JOURNAL_SCHOOL
    check_page(browser, "opfoelgning-formular")

    today = date.today()
    Select(browser.find_element(By.ID, "handling")).select_by_visible_text("Hjemmebesøg")
    set_date(browser, "dato", today - timedelta(days=10))
    Select(browser.find_element(By.ID, "resultat")).select_by_visible_text("Gennemført")
    Select(browser.find_element(By.ID, "naeste-handling")).select_by_visible_text("Skolebesøg")
    assert browser.find_element(By.ID, "naeste-ansvarlig").get_attribute("value") == "tovholder"
    set_date(browser, "naeste-frist", today - timedelta(days=3))
    browser.find_element(By.ID, "note").send_keys("Mor og Mads var hjemme; aftalt skolebesøg.")
    # Submitted from the keyboard: Enter in a text field sends the form.
    follow(browser, browser.find_element(By.ID, "udfoert-af"), keys=(Keys.ENTER,))

    assert browser.current_url.endswith("/arbejdsliste"), text_of(browser)
    page = text_of(browser)
    assert "Opfølgningen (hjemmebesøg) er gemt" in page, page
    section = browser.find_element(By.XPATH, "//section[h2[@id='naeste-skridt-overskrift']]")
    rows = section.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert len(rows) == 1, section.text
    cells = [cell.text for cell in rows[0].find_elements(By.TAG_NAME, "td")]
    assert cells[1] == "Skolebesøg" and cells[4] == JOURNAL_SCHOOL, cells
    assert "Hjemmebesøg" in cells[3]
    assert "Mor og Mads" not in page  # the note is not on the worklist
    check_page(browser, "arbejdsliste-naeste-skridt")
