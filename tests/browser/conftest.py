"""The browser tests' platform and browser: `ssp up` as a user runs it (embedded broker, every
service and the console on free ports), police incidents of this week posted to intake, and
Debian's Chromium driven headless by selenium through chromedriver
(`scripts/ensure-chromium.sh` installs both; `./ssp test` runs it)."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from shared.auth import DEFAULT_SCOPES, AuthSettings, Role, mint_development_token
from tests.e2e.processes import SspProcess, service_ports, start_ssp

CHROMIUM = os.environ.get("SSP_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("SSP_CHROMEDRIVER", "/usr/bin/chromedriver")
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SIGNING_KEY = "browser-test-signing-key-" + "b" * 32
MUNICIPALITY = "607"
SCHOOL = "Kirstinebjergskolen"
OTHER_SCHOOL = "Fredericia Realskole"
JOURNAL_SCHOOL = "3700-80123-09001-26"
JOURNAL_OTHER = "3700-80123-09002-26"
NAMES = {"120310-4123": "Mads Jensen", "0205094871": "Ida Holm", "0506114567": "Noah Berg"}


def incidents(now: datetime) -> list[dict[str, Any]]:
    """Two police reports of this week in Fredericia: Mads and Ida (Kirstinebjergskolen)
    together, and Noah of another school."""
    reported = (now - timedelta(minutes=1)).isoformat()
    occurred = (now - timedelta(hours=2)).isoformat()

    def person(cpr: str, role: str, school: str) -> dict[str, Any]:
        return {
            "cpr": cpr,
            "name": NAMES[cpr],
            "role": role,
            "municipality_code": MUNICIPALITY,
            "school": school,
        }

    common = {
        "revision": 1,
        "source": "doegnrapport",
        "police_district": "Sydøstjyllands Politi",
        "reported_at": reported,
        "occurred_at": occurred,
        "location": {"municipality_code": MUNICIPALITY, "text": "Fredericia bymidte"},
        "flags": [],
        "narrative": "Indberetning til afprøvning af konsollen.",
    }
    return [
        {
            **common,
            "journal_number": JOURNAL_SCHOOL,
            "offence": {"code": "butikstyveri", "text": "Tyveri fra butik"},
            "persons": [
                person("120310-4123", "sigtet", SCHOOL),
                person("0205094871", "antruffet", SCHOOL),
            ],
        },
        {
            **common,
            "journal_number": JOURNAL_OTHER,
            "offence": {"code": "haervaerk", "text": "Hærværk på busstoppested"},
            "persons": [person("0506114567", "sigtet", OTHER_SCHOOL)],
        },
    ]


def token(role: str, **claims: Any) -> str:
    settings = AuthSettings(SSP_AUTH_SIGNING_KEY=SIGNING_KEY)
    return mint_development_token(
        settings,
        role=role,
        municipalities=claims.pop("municipalities", [MUNICIPALITY]),
        scopes=DEFAULT_SCOPES.get(Role(role), frozenset()),
        **claims,
    )


def post_to_intake(
    intake: str, path: str, document: dict[str, Any], role: str = "police_integration"
) -> httpx.Response:
    """`document` posted to intake's `path` (/v1/incidents, /v1/concerns) as `role` would."""
    return httpx.post(
        f"{intake}{path}",
        content=json.dumps(document).encode(),
        headers={"Authorization": f"Bearer {token(role)}"},
        timeout=30,
    )


@dataclass
class RunningPlatform:
    ssp: SspProcess
    bootstrap: str
    console: str
    urls: dict[str, str] = field(default_factory=dict)
    data_dir: Path = Path()
    """`ssp up`'s SSP_DATA_DIR: the letters sent go to its `letter-outbox` folder."""


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail(f"{CHROMIUM} or {CHROMEDRIVER} is missing: run scripts/ensure-chromium.sh")
    home = tmp_path_factory.mktemp("browser-platform")
    ports = service_ports()
    env = {
        "SSP_DATA_DIR": str(home / "data"),
        "SSP_AUTH_SIGNING_KEY": SIGNING_KEY,
        "NOTIFICATIONS_OVERDUE_CHECK_SECONDS": "3600",
        **ports,
    }
    ssp = start_ssp(["up"], env, home / "up.log")
    try:
        bootstrap = ssp.wait_for(r"Kafka bootstrap servers: (\S+)").group(1)
        ssp.wait_for("Platform is up", timeout=180)
        console = ssp.wait_for(r"console\s+(http://\S+)").group(1)
        urls = {
            name: f"http://127.0.0.1:{ports[f'{name.upper()}_HTTP_PORT']}"
            for name in ("intake", "triage", "notifications", "reporting", "courses")
        }
        _away_from_a_week_boundary()
        for incident in incidents(datetime.now(UTC)):
            posted = post_to_intake(urls["intake"], "/v1/incidents", incident)
            assert posted.status_code == 202, posted.text
        _wait_for_the_agenda(urls["reporting"])
        yield RunningPlatform(ssp, bootstrap, console, urls, data_dir=home / "data")
    finally:
        ssp.stop()


def _away_from_a_week_boundary() -> None:
    """The tests open "this week's" meeting: the reports posted now must be in the week the
    tests will see (near Monday 00:00 in Copenhagen, wait until the new week has begun)."""
    from services.console.domain.weeks import current_iso_week

    def straddles() -> bool:
        now = datetime.now(UTC)
        return current_iso_week(now - timedelta(minutes=2)) != current_iso_week(
            now + timedelta(minutes=10)
        )

    while straddles():
        time.sleep(10)


def _wait_for_the_agenda(reporting: str) -> None:
    """Until the three young people are routed and their letter tasks open."""
    from services.console.domain.weeks import current_iso_week

    week = current_iso_week(datetime.now(UTC))
    headers = {"Authorization": f"Bearer {token('tovholder')}", "X-Purpose": "browser test"}
    deadline = time.monotonic() + 90
    rows: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        answer = httpx.get(f"{reporting}/v1/handover/{MUNICIPALITY}/{week}", headers=headers)
        rows = answer.json().get("persons", []) if answer.status_code == 200 else []
        if len(rows) == 3 and all(r["letter_task_status"] == "open" for r in rows):
            return
        time.sleep(0.3)
    raise AssertionError(f"the agenda did not fill: {rows}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Remember each phase's outcome on the test, so the browser can say what it showed."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def browser(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        f"--user-data-dir={tmp_path / 'chromium'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    try:
        yield driver
        failed = getattr(request.node, "report_call", None)
        if failed is not None and failed.failed:
            # What the browser showed when the test failed: for the CI log and its artefacts.
            driver.save_screenshot(str(tmp_path / "failure.png"))
            (tmp_path / "failure.html").write_text(driver.page_source)
            print(f"browser at failure: {driver.current_url}; saved in {tmp_path}")
    finally:
        driver.quit()
        shutil.rmtree(tmp_path / "chromium", ignore_errors=True)


# --- what the tests do in the browser -------------------------------------------------------
def log_in(
    driver: webdriver.Chrome,
    console: str,
    role: str,
    *,
    school: str = "",
    user: str = "",
) -> None:
    driver.get(f"{console}/login")
    Select(driver.find_element(By.ID, "rolle")).select_by_value(role)
    Select(driver.find_element(By.ID, "kommune")).select_by_value(MUNICIPALITY)
    if school:
        driver.find_element(By.ID, "skole").send_keys(school)
    if user:
        driver.find_element(By.ID, "brugernavn").send_keys(user)
    follow(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/login/udvikling'] button"))
    assert "/login" not in driver.current_url, driver.page_source[-2000:]


def follow(driver: webdriver.Chrome, element: Any, *, keys: tuple[str, ...] = ()) -> None:
    """Click a link or a form's button (or type `keys` into it, e.g. Enter) and wait until
    the page it leads to has loaded."""
    old = driver.find_element(By.TAG_NAME, "html")
    if keys:
        element.send_keys(*keys)
    else:
        element.click()
    WebDriverWait(driver, 30).until(lambda _: _detached(old))
    WebDriverWait(driver, 30).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


def _detached(element: Any) -> bool:
    """The page `element` belonged to has gone. Chromium's driver reports a node of an old
    document either as stale or as "Node with given id does not belong to the document" (an
    unknown error, which selenium's `staleness_of` does not catch): both mean it has gone."""
    try:
        element.is_enabled()
    except WebDriverException:
        return True
    return False


def serious_violations(driver: webdriver.Chrome) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page shown."""
    driver.execute_script(AXE.read_text())
    violations: list[dict[str, Any]] = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => done(r.violations)).catch(e => done([{id: 'axe-error', impact: 'critical',"
        " help: String(e), nodes: []}]));"
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n.get("target") for n in v["nodes"]][:5]}
        for v in violations
        if v.get("impact") in ("serious", "critical")
    ]


def check_page(driver: webdriver.Chrome, screenshot: str | None = None) -> None:
    """No serious or critical accessibility violation; Danish; optionally a screenshot (in
    $SSP_SCREENSHOT_DIR, e.g. docs/console, when set)."""
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "da"
    assert (
        driver.find_element(By.CSS_SELECTOR, "a.skip-link")
        .get_attribute("href")
        .endswith("#indhold")
    )
    assert serious_violations(driver) == [], driver.current_url
    target = os.environ.get("SSP_SCREENSHOT_DIR")
    if screenshot and target:
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1280, max(700, min(int(height) + 40, 4000)))
        Path(target).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(target) / f"{screenshot}.png"))
        driver.set_window_size(1280, 900)


def agenda_rows(driver: webdriver.Chrome) -> list[list[str]]:
    return [
        [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
        for row in driver.find_elements(By.CSS_SELECTOR, "table.agenda tbody tr")
    ]


def text_of(driver: webdriver.Chrome) -> str:
    return str(driver.find_element(By.TAG_NAME, "main").text)


def wait_until(check: Any, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.3)


def journal_link(driver: webdriver.Chrome, name_or_journal: str) -> Any:
    for row in driver.find_elements(By.CSS_SELECTOR, "table.agenda tbody tr"):
        if name_or_journal in row.text:
            return row.find_element(By.TAG_NAME, "a")
    raise AssertionError(f"no agenda row with {name_or_journal!r}")


JOURNAL = re.compile(r"[0-9]{4}-[0-9]{5}-[0-9]{5}-[0-9]{2}")
