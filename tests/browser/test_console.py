"""The console in a real browser against the real platform (`ssp up`): a tovholder runs this
week's meeting (names in one step, a changed owner that triage publishes and the trace shows),
and need-to-know holds for a school representative and the police. Every page is checked with
axe-core (no serious or critical violation)."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from tests.browser.conftest import (
    JOURNAL_OTHER,
    JOURNAL_SCHOOL,
    SCHOOL,
    RunningPlatform,
    agenda_rows,
    check_page,
    follow,
    journal_link,
    log_in,
    text_of,
    wait_until,
)
from tests.e2e.kafka_client import TopicReader


def waiving_exists(platform: RunningPlatform) -> bool:
    """Whether this notifications has issue 16's waive endpoint."""
    described = httpx.get(f"{platform.urls['notifications']}/openapi.json", timeout=30).json()
    return "/v1/letter-tasks/{task_id}/waive" in described["paths"]


pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.kafka, pytest.mark.slow]


def test_the_login_page_is_danish_and_keyboard_usable(
    platform: RunningPlatform, browser: webdriver.Chrome
) -> None:
    browser.get(f"{platform.console}/login")
    check_page(browser, "login")
    # The skip link is the first thing the keyboard reaches.
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert browser.switch_to.active_element.text == "Spring til indholdet"


def test_a_tovholder_runs_the_weekly_meeting(
    platform: RunningPlatform, browser: webdriver.Chrome
) -> None:
    reader = TopicReader(platform.bootstrap, ["ssp.triage.tovholder.v1", "ssp.meetings.events.v1"])
    log_in(browser, platform.console, "tovholder", user="ABJ")
    assert browser.current_url.endswith("/arbejdsliste")
    assert "Brevopgaver, åbne og overskredne" in text_of(browser)
    check_page(browser, "arbejdsliste")

    follow(browser, browser.find_element(By.LINK_TEXT, "Ugens møde"))
    rows = agenda_rows(browser)
    assert len(rows) == 3, rows
    assert "Mads Jensen" not in text_of(browser)
    check_page(browser, "ugens-moede")

    follow(browser, browser.find_element(By.LINK_TEXT, "Vis navne for hele dagsordenen"))
    shown = text_of(browser)
    assert {"Mads Jensen", "Ida Holm", "Noah Berg"} <= {
        name for name in ("Mads Jensen", "Ida Holm", "Noah Berg") if name in shown
    }
    check_page(browser, "ugens-moede-med-navne")

    follow(browser, journal_link(browser, "Mads Jensen"))
    assert "Mads Jensen" in text_of(browser)
    assert "Ida Holm" in text_of(browser)  # registered together with Mads, within reach
    check_page(browser, "punkt")
    Select(browser.find_element(By.ID, "ejer-valg")).select_by_value("team_leader")
    team = browser.find_element(By.ID, "team")
    team.clear()
    team.send_keys("Team Syd")
    follow(browser, browser.find_element(By.XPATH, "//button[text()='Registrér beslutningen']"))
    assert "Beslutningen er registreret" in text_of(browser)
    assert wait_until(
        lambda: (
            "Teamleder, Team Syd" in browser.find_element(By.ID, "ejer").text or browser.refresh()
        ),
        timeout=30,
    ), browser.find_element(By.ID, "ejer").text

    browser.find_element(By.ID, "hvad").send_keys("Samtale med Mads og forældrene")
    Select(browser.find_element(By.ID, "ansvarlig")).select_by_value("tovholder")
    due = browser.find_element(By.ID, "frist")
    browser.execute_script("arguments[0].value = '2026-12-14'", due)
    follow(browser, browser.find_element(By.XPATH, "//button[text()='Aftal handlingen']"))
    assert "Handlingen er aftalt" in text_of(browser)
    assert "Samtale med Mads og forældrene" in text_of(browser)
    assert "14. december 2026" in text_of(browser)
    check_page(browser, "punkt-efter-moedet")

    # Ida's letter is waived at the meeting: the family is already informed.
    follow(browser, browser.find_element(By.PARTIAL_LINK_TEXT, "Tilbage til dagsordenen"))
    follow(browser, journal_link(browser, "Ida Holm"))
    Select(browser.find_element(By.CSS_SELECTOR, "form.waive select")).select_by_value(
        "already_informed"
    )
    follow(browser, browser.find_element(By.CSS_SELECTOR, "form.waive button"))
    assert "Ida Holm" in text_of(browser)  # back on her item
    if waiving_exists(platform):
        assert "Brevet er frafaldet" in text_of(browser), text_of(browser)
    else:  # notifications without issue 16's waive endpoint
        assert "Brevtjenesten kan endnu ikke frafalde breve" in text_of(browser)

    def revised(found: TopicReader) -> list[dict[str, Any]]:
        return [
            d
            for d in found.values("tovholder.v1")
            if "meeting_decision" in d["reasons"] and d["journal_number"] == JOURNAL_SCHOOL
        ]

    assert reader.poll_until(revised, 60), "the revised decision was not published"
    [decision] = revised(reader)
    assert reader.poll_until(
        lambda r: any(m["event"] == "action_agreed" for m in r.values("meetings.events.v1")), 60
    ), "the agreed action was not published"
    reader.close()
    meeting_events = reader.values("meetings.events.v1")
    assert {"opened", "participant_joined", "route_or_owner_decided", "action_agreed"} <= {
        m["event"] for m in meeting_events
    }
    assert "Samtale med Mads" not in json.dumps(meeting_events)  # no free text on the topic
    assert decision["decided_by"] == "ABJ"
    assert (decision["owner_role"], decision["owner_team"]) == ("team_leader", "Team Syd")
    assert decision["decision_kind"] == "revised"

    follow(browser, browser.find_element(By.LINK_TEXT, "Sporing"))
    browser.find_element(By.ID, "journal").send_keys(JOURNAL_SCHOOL)
    follow(browser, browser.find_element(By.XPATH, "//button[text()='Spor']"))
    assert wait_until(
        # The trace says each step in words (issue 17): the meeting's decision as such.
        lambda: "besluttet af ugens møde" in text_of(browser) or browser.refresh(),
        timeout=30,
    ), text_of(browser)
    check_page(browser, "sporing")

    follow(browser, browser.find_element(By.LINK_TEXT, "Statistik"))
    assert "personer i alt" in text_of(browser)  # three persons: the total may be suppressed
    assert browser.find_elements(By.CSS_SELECTOR, "svg.chart")
    check_page(browser, "statistik")

    follow(browser, browser.find_element(By.XPATH, "//button[text()='Log ud']"))
    assert "Du er logget ud" in text_of(browser)


def test_a_tovholder_sends_a_letter_from_the_worklist(
    platform: RunningPlatform, browser: webdriver.Chrome
) -> None:
    """Issue 16: Noah's letter is previewed as PDF and sent from Min arbejdsliste; the PDF
    lands in the outbox folder and the page says how and when it went."""
    outbox = platform.data_dir / "letter-outbox"
    log_in(browser, platform.console, "tovholder", user="ABJ")

    def noahs_row() -> Any:
        browser.get(f"{platform.console}/arbejdsliste?alle=1")
        rows = browser.find_elements(By.XPATH, f"//tr[td[text()='{JOURNAL_OTHER}']]")
        return rows[0] if rows else None

    row = wait_until(noahs_row, timeout=60)
    assert row is not None, text_of(browser)
    check_page(browser, "arbejdsliste-alle")
    preview = row.find_element(By.LINK_TEXT, "Vis brev (PDF)").get_attribute("href")
    with httpx.Client(cookies={c["name"]: c["value"] for c in browser.get_cookies()}) as http:
        pdf = http.get(preview, timeout=60)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    before = set(outbox.glob("*.pdf")) if outbox.exists() else set()

    follow(browser, row.find_element(By.XPATH, ".//button[text()='Send brev']"))
    assert f"Brevet for {JOURNAL_OTHER} er sendt" in text_of(browser), text_of(browser)
    assert "brevbakken" in text_of(browser)
    sent = set(outbox.glob("*.pdf")) - before
    assert sent, f"no letter in {outbox}"
    assert all(path.read_bytes().startswith(b"%PDF") for path in sent)
    check_page(browser, "arbejdsliste-brev-sendt")

    # "Send ugens breve" from the full list: the letters of every task still to do (Mads's at
    # least: his owner changed at the meeting, nobody sent his letter) go out in one batch.
    browser.get(f"{platform.console}/arbejdsliste?alle=1")
    before = set(outbox.glob("*.pdf"))
    follow(browser, browser.find_element(By.XPATH, "//button[text()='Send ugens breve']"))
    summary = re.search(r"Ugens breve: sendt (\d+), fejl 0\.", text_of(browser))
    assert summary is not None and int(summary.group(1)) >= 1, text_of(browser)
    batch = set(outbox.glob("*.pdf")) - before
    assert len(batch) >= int(summary.group(1)), f"{summary.group(0)}, but {outbox} has {batch}"
    assert all(path.read_bytes().startswith(b"%PDF") for path in batch)
    check_page(browser, "arbejdsliste-ugens-breve-sendt")


def test_management_sees_how_many_letter_tasks_are_past_their_deadline(
    platform: RunningPlatform, browser: webdriver.Chrome
) -> None:
    """Issue 16, part 6: management's view of escalations is a count, no names."""
    log_in(browser, platform.console, "management")
    assert "/statistik" in browser.current_url
    section = browser.find_element(By.ID, "eskaleringer").find_element(By.XPATH, "..")
    assert "Eskaleret til ledelsen" in section.text and "kun antal, ingen navne" in section.text
    assert JOURNAL_OTHER not in text_of(browser)
    check_page(browser, "statistik-ledelse")


def test_a_school_representative_sees_only_their_pupils(
    platform: RunningPlatform, browser: webdriver.Chrome
) -> None:
    log_in(browser, platform.console, "school_representative", school=SCHOOL)
    assert browser.current_url.endswith("/moede")
    rows = agenda_rows(browser)
    assert len(rows) == 2, rows
    page = text_of(browser)
    assert JOURNAL_SCHOOL in page and JOURNAL_OTHER not in page
    assert "Vis navne" not in page  # schools do not resolve pseudonyms
    check_page(browser, "ugens-moede-skole")


def test_the_police_see_no_social_services_details(
    platform: RunningPlatform, browser: webdriver.Chrome
) -> None:
    log_in(browser, platform.console, "police_coordinator")
    follow(browser, browser.find_element(By.LINK_TEXT, "Ugens møde"))
    rows = agenda_rows(browser)
    assert len(rows) == 3, rows
    # Columns: #, journal, reported, role and age, offence, route, owner, letter, earlier, courses
    for row in rows:
        assert row[5:8] == ["\u2013", "\u2013", "\u2013"], row
    page = text_of(browser)
    assert "SSP-koordinator" not in page and "Sagsbehandler" not in page
    assert "Vis navne" not in page
    check_page(browser, "ugens-moede-politi")
    follow(browser, journal_link(browser, JOURNAL_OTHER))
    item = text_of(browser)
    assert "Mødets beslutning" not in item and "Registreret sammen med" not in item
    check_page(browser)


def test_the_meeting_works_with_the_keyboard_alone(
    platform: RunningPlatform, browser: webdriver.Chrome
) -> None:
    browser.get(f"{platform.console}/login")
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)  # the skip link
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    assert browser.switch_to.active_element.get_attribute("id") == "indhold"
    # Role: the first option (tovholder) is chosen; Tab through the fields, Enter submits.
    active = browser.switch_to.active_element
    for _ in range(12):
        active.send_keys(Keys.TAB)
        active = browser.switch_to.active_element
        if active.get_attribute("id") == "brugernavn":
            break
    assert active.get_attribute("id") == "brugernavn"
    focused_outline = browser.execute_script(
        "return getComputedStyle(document.activeElement).outlineStyle"
    )
    assert focused_outline not in ("", "none"), "the focused field shows where focus is"
    follow(browser, active, keys=("TAST", Keys.ENTER))
    assert "/login" not in browser.current_url
    browser.get(f"{platform.console}/moede")
    for _ in range(40):
        browser.switch_to.active_element.send_keys(Keys.TAB)
        if browser.switch_to.active_element.text == JOURNAL_OTHER:
            break
    assert browser.switch_to.active_element.text == JOURNAL_OTHER
    follow(browser, browser.switch_to.active_element, keys=(Keys.ENTER,))
    assert "Punkt på ugens møde" in browser.title
