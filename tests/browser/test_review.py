"""The page Kvalitetsgennemgang in a real browser against the real platform (`ssp up`; issue 17,
part 4): the municipality's quality reviewer (team leader) draws a seeded sample of this
year's children, reads each check's finding, the same seed draws the same sample, and each
child's export downloads as a PDF and as JSON, with the child's name when the page shows
names; a caseworker is not offered the page."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import httpx
import pypdf
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.browser.conftest import MUNICIPALITY, RunningPlatform, check_page, follow, log_in

CHECK_HEADINGS = [
    "Tidligere anmeldelser synlige",
    "Forældre orienteret",
    "Frister overholdt",
    "Samtykke registreret",
]
pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.kafka, pytest.mark.slow]
FINDINGS = {"Opfyldt", "Ikke opfyldt", "Kan ikke vurderes"}


def _sample(driver: webdriver.Chrome) -> list[list[str]]:
    return [
        [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
        for row in driver.find_elements(By.CSS_SELECTOR, "table.review tbody tr")
    ]


def _draw(driver: webdriver.Chrome, seed: str) -> list[list[str]]:
    Select(driver.find_element(By.ID, "kommune")).select_by_value(MUNICIPALITY)
    driver.find_element(By.ID, "aar").clear()
    driver.find_element(By.ID, "aar").send_keys(str(datetime.now(UTC).year))
    driver.find_element(By.ID, "antal").clear()
    driver.find_element(By.ID, "antal").send_keys("2")
    driver.find_element(By.ID, "seed").clear()
    follow(driver, driver.find_element(By.ID, "seed"), keys=(seed, "\n"))
    return _sample(driver)


def test_the_quality_reviewer_draws_a_sample_and_downloads_each_childs_export(
    platform: RunningPlatform, browser: webdriver.Chrome
) -> None:
    log_in(browser, platform.console, "team_leader")
    follow(browser, browser.find_element(By.LINK_TEXT, "Kvalitetsgennemgang"))
    first = _draw(browser, "2026")
    assert len(first) == 2, browser.page_source[-3000:]
    headings = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "table.review th")]
    assert headings[1:5] == CHECK_HEADINGS
    assert not browser.find_element(By.ID, "navne").is_selected()  # names only when asked
    for row in first:
        assert row[0].startswith("pk_")
        assert set(row[1:5]) <= FINDINGS, row
    # The population: the platform's children reported this year (other browser tests,
    # sharing the platform, may have reported more before this one runs).
    heading = browser.find_element(By.ID, "stikproeve-overskrift").text
    found = re.fullmatch(r"Stikprøve: 2 af (\d+) børn og unge", heading)
    assert found is not None and int(found.group(1)) >= 3, heading
    check_page(browser, "kvalitetsgennemgang")
    # The same seed draws the same children.
    assert [r[0] for r in _draw(browser, "2026")] == [r[0] for r in first]
    # Each child's export downloads, with the reviewer's own session.
    cookies = {c["name"]: c["value"] for c in browser.get_cookies()}
    pdf_link = browser.find_element(By.LINK_TEXT, "PDF").get_attribute("href")
    json_link = browser.find_element(By.LINK_TEXT, "JSON").get_attribute("href")
    pdf = httpx.get(pdf_link, cookies=cookies, timeout=60)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    export = httpx.get(json_link, cookies=cookies, timeout=60).json()
    assert export["person_key"] == first[0][0]
    assert [c["check"] for c in export["checks"]] == [
        "tidligere_anmeldelser", "forældre_orienteret", "frister", "samtykke",
    ]  # fmt: skip
    assert export["timeline"]["rows"][0]["code"] == "incident_accepted"
    # Names, for a role allowed to: intake resolves the sample with the review as purpose.
    browser.find_element(By.ID, "navne").click()
    named = _draw(browser, "2026")
    assert [r[0] for r in named] == [r[0] for r in first]
    headings = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "table.review th")]
    assert headings[1] == "Navn"
    # Each sampled child is named (the sample may also draw a child another browser test
    # reported, e.g. the corrected rejection's; pseudonyms are keyed anew in each run).
    assert all(r[1] and not r[1].startswith("pk_") for r in named), named
    check_page(browser)
    # Each child's export from that page carries the name (intake resolves it again for the
    # download, with the review as occasion; reporting typesets it in the PDF).
    pdf_link = browser.find_element(By.LINK_TEXT, "PDF").get_attribute("href")
    json_link = browser.find_element(By.LINK_TEXT, "JSON").get_attribute("href")
    assert pdf_link is not None and "navne=1" in pdf_link
    export = httpx.get(json_link, cookies=cookies, timeout=60).json()
    assert (export["person_key"], export["name"]) == (named[0][0], named[0][1])
    pdf = httpx.get(pdf_link, cookies=cookies, timeout=60)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert named[0][1] in " ".join(text.split()), text[:500]


def test_the_auditor_reviews_without_names_a_caseworker_not_at_all(
    platform: RunningPlatform, browser: webdriver.Chrome
) -> None:
    log_in(browser, platform.console, "auditor")
    follow(browser, browser.find_element(By.LINK_TEXT, "Kvalitetsgennemgang"))
    assert not browser.find_elements(By.ID, "navne")  # the auditor reads pseudonyms only
    log_in(browser, platform.console, "caseworker")
    assert not browser.find_elements(By.LINK_TEXT, "Kvalitetsgennemgang")
    browser.get(f"{platform.console}/kvalitet")
    assert "Kvalitetsgennemgang" not in browser.title
