"""The child's timeline page in a real browser against the real platform (`ssp up`; issue 17):
a tovholder opens it from the weekly meeting and reads, in Danish and in time order, the police
report, triage's decision and the letter task; an auditor opens it with the keyboard and sees
every service's audit trail of the child (part 5), which nobody else sees."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from services.console.domain.weeks import current_iso_week
from tests.browser.conftest import (
    JOURNAL_SCHOOL,
    MUNICIPALITY,
    SCHOOL,
    RunningPlatform,
    check_page,
    follow,
    log_in,
    text_of,
    token,
    wait_until,
)

AUDIT_HEADING = "Hvem har set oplysningerne"

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.kafka, pytest.mark.slow]


def _mads(platform: RunningPlatform) -> dict[str, Any]:
    """The suspect of the school's police report, as the handover list has him."""
    week = current_iso_week(datetime.now(UTC))
    answer = httpx.get(
        f"{platform.urls['reporting']}/v1/handover/{MUNICIPALITY}/{week}",
        headers={"Authorization": f"Bearer {token('tovholder')}", "X-Purpose": "browser test"},
        timeout=30,
    )
    [mads] = [
        p
        for p in answer.json()["persons"]
        if p["journal_number"] == JOURNAL_SCHOOL and p["role"] == "sigtet"
    ]
    return mads


def _timeline_rows(driver: webdriver.Chrome) -> list[str]:
    return [
        row.find_elements(By.TAG_NAME, "td")[1].text
        for row in driver.find_elements(By.CSS_SELECTOR, "table.timeline tbody tr")
    ]


def test_a_tovholder_reads_the_childs_timeline_from_the_meeting(
    platform: RunningPlatform, browser: webdriver.Chrome
) -> None:
    mads = _mads(platform)
    log_in(browser, platform.console, "tovholder")
    follow(browser, browser.find_element(By.LINK_TEXT, "Ugens møde"))
    [row] = [
        r
        for r in browser.find_elements(By.CSS_SELECTOR, "table.agenda tbody tr")
        if JOURNAL_SCHOOL in r.text and "Sigtet" in r.text
    ]
    follow(browser, row.find_element(By.LINK_TEXT, "Tidslinje"))
    assert browser.current_url.endswith(f"/tidslinje?person={mads['person_key']}")
    rows = _timeline_rows(browser)
    police = next(i for i, text in enumerate(rows) if text.startswith("Politianmeldelse"))
    routed = next(i for i, text in enumerate(rows) if text.startswith("Visiteret til"))
    letter = next(i for i, text in enumerate(rows) if "opgave oprettet" in text)
    assert police < routed < letter, rows
    assert "sigtet i butikstyveri" in rows[police]
    assert (
        "Fredericia (607)" in rows[routed] and "besluttet af visitationens regler" in rows[routed]
    )
    page = text_of(browser)
    assert "Hvor hurtigt hjælpen kom" in page
    assert AUDIT_HEADING not in page  # the audit trail is the auditor's
    check_page(browser, "tidslinje")


def test_an_auditor_sees_who_looked_at_the_child(
    platform: RunningPlatform, browser: webdriver.Chrome
) -> None:
    mads = _mads(platform)
    log_in(browser, platform.console, "auditor", user="REVISOR1")
    assert browser.current_url.endswith("/tidslinje")
    field = browser.find_element(By.ID, "person")
    follow(browser, field, keys=(mads["person_key"], Keys.ENTER))
    assert _timeline_rows(browser), text_of(browser)
    section = browser.find_element(By.ID, "indsigt")
    assert AUDIT_HEADING in section.text
    audit_rows = section.find_elements(By.CSS_SELECTOR, "tbody tr")
    # At least the handover list reads (tovholder) and this page's own read of the timeline.
    assert any("person_timeline.read" in r.text and "REVISOR1" in r.text for r in audit_rows)
    assert any("SSP-koordinator" in r.text for r in audit_rows), [r.text for r in audit_rows]
    assert "svarede ikke" not in section.text  # every service answered
    check_page(browser, "tidslinje-revisor")


def test_a_school_representative_sees_only_the_police_report(
    platform: RunningPlatform, browser: webdriver.Chrome
) -> None:
    mads = _mads(platform)
    log_in(browser, platform.console, "school_representative", school=SCHOOL)
    browser.get(f"{platform.console}/tidslinje?person={mads['person_key']}")
    rows = wait_until(lambda: _timeline_rows(browser))
    assert rows and all(text.startswith("Politianmeldelse") for text in rows), rows
    assert AUDIT_HEADING not in text_of(browser)
    check_page(browser)
