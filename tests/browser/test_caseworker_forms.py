"""The caseworker's forms on a meeting item in a real browser against the real platform (`ssp
up`; issue 17, part 3): a girl with an open social case was reported by the police last week,
so triage routed her to the caseworker. The caseworker opens her item from last week's meeting,
records "Indkald" (summon) and then the meeting held with the family; the console confirms each
in Danish, the summons letter and both records show on the item and the child's timeline, and
notifications publishes both (codes only). Wrong input gets a Danish message and records
nothing. Every page is checked with axe-core."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from shared.contracts import NOTIFICATIONS_ASSESSMENTS
from shared.contracts.topics import INTAKE_CASE_EVENTS, SOCIAL_CASES, TRIAGE_CASEWORKER
from shared.danish import danish_date
from tests.browser.conftest import (
    MUNICIPALITY,
    SCHOOL,
    RunningPlatform,
    check_page,
    follow,
    incidents,
    journal_link,
    log_in,
    post_to_intake,
    text_of,
    wait_until,
)
from tests.browser.test_follow_ups import set_date
from tests.e2e.kafka_client import TopicReader, produce

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.kafka, pytest.mark.slow]

CPR = "170211-4562"
NAME = "Sofie Dahl"
JOURNAL = "3700-80123-09017-26"
CASE_ID = "DUBU-2026-009017"
HEADING = "Sagsbehandlerens vurdering og mødet med familien"


@pytest.fixture(scope="module")
def decision(platform: RunningPlatform) -> dict[str, Any]:
    """Triage's decision routing Sofie to the caseworker. Her police report is of last week,
    so this week's meeting, which the other browser tests count, stays as it is."""
    reported = datetime.now(UTC) - timedelta(days=7)
    reader = TopicReader(platform.bootstrap, [INTAKE_CASE_EVENTS, TRIAGE_CASEWORKER])
    try:
        case_opened = {
            "event": "case_opened",
            "case_id": CASE_ID,
            "cpr": CPR,
            "municipality_code": MUNICIPALITY,
            "team": "Børn og Familie Team Syd",
            "caseworker": "ABJ",
            "at": (reported - timedelta(days=30)).isoformat(),
        }
        produce(platform.bootstrap, SOCIAL_CASES, [(CASE_ID, case_opened)])
        assert reader.poll_until(
            lambda r: any(e.get("case_id") == CASE_ID for e in r.values(INTAKE_CASE_EVENTS)), 60
        ), "intake did not pass the case on"
        time.sleep(2.0)  # triage records the case (its own consumer) before the report
        sofie = {
            "cpr": CPR,
            "name": NAME,
            "role": "sigtet",
            "municipality_code": MUNICIPALITY,
            "school": SCHOOL,
        }
        report = {**incidents(reported)[1], "journal_number": JOURNAL, "persons": [sofie]}
        posted = post_to_intake(platform.urls["intake"], "/v1/incidents", report)
        assert posted.status_code == 202, posted.text

        def routed(found: TopicReader) -> list[dict[str, Any]]:
            return [d for d in found.values(TRIAGE_CASEWORKER) if d["journal_number"] == JOURNAL]

        assert reader.poll_until(routed, 60), "Sofie was not routed to the caseworker"
        return routed(reader)[-1]
    finally:
        reader.close()


@pytest.fixture
def published(platform: RunningPlatform) -> Iterator[TopicReader]:
    """What notifications publishes of the caseworker's side, from the beginning."""
    reader = TopicReader(platform.bootstrap, [NOTIFICATIONS_ASSESSMENTS])
    try:
        yield reader
    finally:
        reader.close()


def sofies_records(reader: TopicReader, decision: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        r
        for r in reader.values(NOTIFICATIONS_ASSESSMENTS)
        if r["person_key"] == decision["person_key"]
    ]


def reloaded_until(browser: webdriver.Chrome, check: Callable[[], bool]) -> bool:
    """Reload the page until `check()` holds: the service behind it may still be catching up."""

    def once() -> bool:
        if check():
            return True
        browser.refresh()
        return False

    return bool(wait_until(once, 60))


def open_sofies_item(browser: webdriver.Chrome, platform: RunningPlatform) -> None:
    """As a caseworker: Ugens møde, the week before, Sofie's item (reporting may still be
    catching up with the report)."""
    log_in(browser, platform.console, "caseworker", user="ABJ")
    follow(browser, browser.find_element(By.LINK_TEXT, "Ugens møde"))
    follow(browser, browser.find_element(By.LINK_TEXT, "Forrige uge"))
    assert reloaded_until(browser, lambda: JOURNAL in text_of(browser)), text_of(browser)
    follow(browser, journal_link(browser, JOURNAL))
    assert HEADING in text_of(browser), text_of(browser)


def messages(browser: webdriver.Chrome, kind: str) -> list[str]:
    """The page's messages of `kind` (the console's flash: "info" or "error")."""
    return [p.text for p in browser.find_elements(By.CSS_SELECTOR, f".messages p.{kind}")]


def form(browser: webdriver.Chrome, action: str) -> Any:
    return browser.find_element(By.CSS_SELECTOR, f"form[action='{action}']")


def submit(browser: webdriver.Chrome, action: str) -> None:
    follow(browser, form(browser, action).find_element(By.CSS_SELECTOR, "button[type=submit]"))


def today_in_denmark() -> date:
    return datetime.now(ZoneInfo("Europe/Copenhagen")).date()


def test_a_caseworker_records_the_assessment_and_the_meeting_with_the_family(
    platform: RunningPlatform,
    browser: webdriver.Chrome,
    decision: dict[str, Any],
    published: TopicReader,
) -> None:
    open_sofies_item(browser, platform)
    check_page(browser, "punkt-sagsbehandler")
    today = today_in_denmark()

    # A meeting with the family before the summons: notifications refuses, the page says why.
    set_date(browser, "familiemoede-dato", today)
    browser.find_element(By.ID, "familiemoede-sagsbehandler").send_keys("ABJ")
    submit(browser, "/moede/punkt/familiemoede")
    assert messages(browser, "error") == [
        "Familien er ikke indkaldt: registrér vurderingen »Indkald« først."
    ], text_of(browser)

    assessment = form(browser, "/moede/punkt/vurdering")
    assessment.find_element(By.CSS_SELECTOR, "input[name=vurdering][value=summon]").click()
    browser.find_element(By.ID, "vurdering-sagsbehandler").send_keys("ABJ")
    submit(browser, "/moede/punkt/vurdering")
    assert messages(browser, "info") == ["Vurderingen »Indkald« er registreret; brevet følger."], (
        text_of(browser)
    )
    assert HEADING in text_of(browser)  # back on Sofie's item
    check_page(browser)

    # The summons letter the assessment asks for shows on the item, still to be sent.
    def letter() -> str:
        found = browser.find_elements(By.XPATH, "//section[h2[@id='brev-overskrift']]")
        return str(found[0].text) if found else ""

    assert reloaded_until(browser, lambda: "Indkaldelse til samtale" in letter()), text_of(browser)
    assert "Åben" in letter(), letter()

    # A meeting after today is refused; held today, with the young person, it is recorded.
    set_date(browser, "familiemoede-dato", today + timedelta(days=1))
    browser.find_element(By.ID, "familiemoede-sagsbehandler").send_keys("ABJ")
    submit(browser, "/moede/punkt/familiemoede")
    assert messages(browser, "error") == [
        "Mødets dato kan ikke ligge efter i dag eller før indkaldelsen."
    ], text_of(browser)
    # The refused form comes back as it was filled in: only the date needs changing.
    caseworker = browser.find_element(By.ID, "familiemoede-sagsbehandler")
    assert caseworker.get_attribute("value") == "ABJ"
    set_date(browser, "familiemoede-dato", today)
    browser.find_element(By.ID, "ung-deltog").click()
    submit(browser, "/moede/punkt/familiemoede")
    assert messages(browser, "info") == [
        f"Mødet med familien {danish_date(today)} er registreret."
    ], text_of(browser)
    check_page(browser)

    # Where the caseworker looks next: the child's timeline tells both, in words.
    follow(browser, browser.find_element(By.LINK_TEXT, "Se barnets tidslinje"))
    wanted = [
        "Sagsbehandlerens vurdering (ABJ): indkald forældre og den unge til samtale",
        f"Sagsbehandleren (ABJ) holdt møde med familien {danish_date(today)}",
    ]
    assert reloaded_until(browser, lambda: all(w in text_of(browser) for w in wanted)), text_of(
        browser
    )
    check_page(browser, "tidslinje-sagsbehandler")

    # Notifications published exactly what was recorded: codes, dates and initials.
    assert published.poll_until(lambda r: len(sofies_records(r, decision)) >= 2, 60), (
        sofies_records(published, decision)
    )
    assessed, met = sofies_records(published, decision)
    assert (assessed["event"], assessed["outcome"], assessed["caseworker"], assessed["via"]) == (
        "assessed",
        "summon",
        "ABJ",
        "http",
    )
    assert (met["event"], met["held_on"], met["youth_attended"], met["via"]) == (
        "family_meeting_held",
        today.isoformat(),
        True,
        "http",
    )
    assert assessed["journal_number"] == met["journal_number"] == JOURNAL
    assert NAME not in json.dumps(sofies_records(published, decision))


def test_wrong_input_in_the_caseworker_forms_is_refused_in_danish(
    platform: RunningPlatform,
    browser: webdriver.Chrome,
    decision: dict[str, Any],
    published: TopicReader,
) -> None:
    """The initials are required (the browser asks before sending) and are letters and digits
    (the console says so in Danish); the meeting's date is required. Nothing is recorded."""
    open_sofies_item(browser, platform)
    item = browser.current_url

    form(browser, "/moede/punkt/vurdering").find_element(
        By.CSS_SELECTOR, "button[type=submit]"
    ).click()
    initials = browser.find_element(By.ID, "vurdering-sagsbehandler")
    assert browser.execute_script("return arguments[0].validity.valueMissing", initials)
    assert browser.current_url == item and not messages(browser, "info")

    initials.send_keys("A B")
    submit(browser, "/moede/punkt/vurdering")
    assert messages(browser, "error") == ["Skriv sagsbehandlerens initialer (bogstaver og tal)."], (
        text_of(browser)
    )
    # Back on Sofie's item, to correct it; the page shows the forms afresh, without what was
    # typed (the console redirects to the item; it does not keep the form filled).
    assert HEADING in text_of(browser)
    check_page(browser, "punkt-sagsbehandler-fejl")

    # Without a date the browser does not send the meeting; initials the console refuses.
    browser.find_element(By.ID, "familiemoede-sagsbehandler").send_keys("ABJ")
    form(browser, "/moede/punkt/familiemoede").find_element(
        By.CSS_SELECTOR, "button[type=submit]"
    ).click()
    held_on = browser.find_element(By.ID, "familiemoede-dato")
    assert browser.execute_script("return arguments[0].validity.valueMissing", held_on)
    set_date(browser, "familiemoede-dato", today_in_denmark())
    caseworker = browser.find_element(By.ID, "familiemoede-sagsbehandler")
    caseworker.clear()
    caseworker.send_keys("A/B")
    submit(browser, "/moede/punkt/familiemoede")
    assert messages(browser, "error") == [
        "Vælg mødets dato og skriv sagsbehandlerens initialer."
    ], text_of(browser)

    # None of it reached notifications: what it published for Sofie is what the other test
    # recorded, if it ran (its two records), or nothing.
    published.poll_until(lambda _: False, 5)
    events = [r["event"] for r in sofies_records(published, decision)]
    assert events in ([], ["assessed", "family_meeting_held"]), events
