"""The console's pages with the other services answered in this process (httpx mocked at the
transport): login and its refusals, CSRF on every form, the worklist, the meeting with names in
one step, a meeting decision, the statistics chart, and errors in Danish."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from services.console.adapters.platform_api import PlatformApi
from services.console.bootstrap import configured_urls
from services.console.entrypoints.http import create_http_app
from services.console.settings import ConsoleSettings
from tests.unit.console.fake_platform import (
    JOURNAL,
    PK_IDA,
    PK_MADS,
    WEEK,
    FakePlatform,
    handover_entry,
    json_of,
    letter_task,
)

NOW = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)  # Tuesday of 2026-W47
SIGNING_KEY = "console-test-signing-key-" + "k" * 32


def console_settings(tmp_path: Path, **extra: Any) -> ConsoleSettings:
    return ConsoleSettings(SSP_DATA_DIR=str(tmp_path), SSP_AUTH_SIGNING_KEY=SIGNING_KEY, **extra)


def console(settings: ConsoleSettings, platform: FakePlatform) -> TestClient:
    client = httpx.AsyncClient(transport=platform.transport())
    app = create_http_app(
        settings, PlatformApi(configured_urls(settings), client), clock=lambda: NOW
    )
    return TestClient(app, follow_redirects=False)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "every form carries the CSRF token"
    return match.group(1)


def log_in(
    browser: TestClient, role: str = "tovholder", municipality: str = "607", school: str = ""
) -> httpx.Response:
    page = browser.get("/login")
    return browser.post(
        "/login/udvikling",
        data={
            "csrf_token": csrf_of(page.text),
            "rolle": role,
            "kommune": municipality,
            "skole": school,
            "brugernavn": "ABJ",
        },
    )


def test_pages_ask_for_a_login_first(browser: TestClient) -> None:
    response = browser.get("/moede")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?naeste=%2Fmoede")


def test_the_development_login_sets_a_safe_session_cookie(browser: TestClient) -> None:
    page = browser.get("/login")
    assert page.status_code == 200
    assert '<html lang="da">' in page.text and "Udviklingslogin" in page.text
    answer = log_in(browser)
    assert answer.status_code == 303
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert browser.get("/").headers["location"] == "/arbejdsliste"


def test_a_form_without_its_csrf_token_is_refused(browser: TestClient) -> None:
    browser.get("/login")
    refused = browser.post("/login/udvikling", data={"rolle": "tovholder", "kommune": "607"})
    assert refused.status_code == 403
    assert "Formularen blev afvist" in refused.text
    log_in(browser)
    forged = browser.post("/logout", data={"csrf_token": "forged"})
    assert forged.status_code == 403
    assert browser.get("/arbejdsliste").status_code == 200  # still logged in


def test_logout_ends_the_session(browser: TestClient) -> None:
    log_in(browser)
    page = browser.get("/arbejdsliste")
    assert browser.post("/logout", data={"csrf_token": csrf_of(page.text)}).status_code == 303
    assert browser.get("/arbejdsliste").status_code == 303


@pytest.mark.parametrize(
    "extra",
    [
        {"SSP_ENVIRONMENT": "production", "CONSOLE_SESSION_SECRET": "s" * 40},
        {
            "SSP_AUTH_PUBLIC_KEY": "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA"
            + "A" * 43
            + "=\n-----END PUBLIC KEY-----",
            "SSP_AUTH_SIGNING_KEY": None,
        },
    ],
    ids=["production", "identity-provider-key"],
)
def test_the_development_login_is_refused_in_production(
    tmp_path: Path, platform: FakePlatform, extra: dict[str, Any]
) -> None:
    settings = ConsoleSettings(
        SSP_DATA_DIR=str(tmp_path), **{"SSP_AUTH_SIGNING_KEY": SIGNING_KEY, **extra}
    )
    assert not settings.development_login_allowed
    with console(settings, platform) as browser:
        page = browser.get("/login")
        assert "Udviklingslogin" not in page.text
        refused = browser.post(
            "/login/udvikling",
            data={"csrf_token": "any", "rolle": "tovholder", "kommune": "607"},
        )
        assert refused.status_code == 404


def test_production_needs_a_session_secret(tmp_path: Path, platform: FakePlatform) -> None:
    with pytest.raises(ValueError, match="CONSOLE_SESSION_SECRET"):
        console(console_settings(tmp_path, SSP_ENVIRONMENT="production"), platform)


def test_the_worklist_asks_for_open_and_overdue_tasks_and_sorts_by_deadline(
    browser: TestClient, platform: FakePlatform
) -> None:
    def tasks(request: httpx.Request) -> httpx.Response:
        status = request.url.params["status"]
        listed = {
            "open": [
                letter_task("t-late", "2026-12-05T12:00:00+01:00", "open"),
                letter_task(
                    "t-police", "2026-11-17T12:00:00+01:00", "open", "police_ssp_coordinator"
                ),
            ],
            "overdue": [letter_task("t-overdue", "2026-11-16T10:00:00+01:00", "overdue")],
        }[status]
        return httpx.Response(
            200, json={"municipality_code": "607", "status": status, "tasks": listed}
        )

    platform.answer("GET", r"/v1/letter-tasks", tasks)
    log_in(browser)
    page = browser.get("/arbejdsliste")
    assert page.status_code == 200
    statuses = sorted(r.url.params["status"] for r in platform.sent("GET", r"/v1/letter-tasks"))
    assert statuses == ["open", "overdue"]
    assert all(r.headers["authorization"].startswith("Bearer ") for r in platform.requests)
    html = page.text
    assert html.index("t-overdue") < html.index("t-late")
    assert "t-police" not in html  # another role's task, shown only under "vis alle"
    assert "5. december 2026 kl. 12.00" in html
    assert "18 dage og 2 timer tilbage" in html
    assert "Overskredet for 1 dag siden" in html
    assert "t-police" in browser.get("/arbejdsliste?alle=1").text


def test_completing_a_letter_task(browser: TestClient, platform: FakePlatform) -> None:
    platform.answer(
        "GET",
        r"/v1/letter-tasks",
        {"tasks": [letter_task("t1", "2026-11-18T12:00:00+01:00", "open")]},
    )
    platform.answer(
        "POST", r"/v1/letter-tasks/t1/complete", {"task_id": "t1", "status": "completed"}
    )
    log_in(browser)
    page = browser.get("/arbejdsliste")
    done = browser.post("/arbejdsliste/opgaver/t1/afslut", data={"csrf_token": csrf_of(page.text)})
    assert done.status_code == 303
    assert len(platform.sent("POST", r"/v1/letter-tasks/t1/complete")) == 1
    assert "Brevopgaven er markeret som afsluttet" in browser.get("/arbejdsliste").text


def test_the_acute_letter_without_a_police_case_is_named_as_such(
    browser: TestClient, platform: FakePlatform
) -> None:
    """Issue 14, part 3: the acute procedure's letter may have no journal number."""
    acute = {
        **letter_task("t-acute", "2026-11-17T09:00:00+01:00", "open", "management"),
        "journal_number": None,
        "person_key": "acute:c1",
        "kind": "akut_standardbrev",
        "recipients": ["parents", "local_staff"],
    }
    platform.answer("GET", r"/v1/letter-tasks", {"tasks": [acute]})
    log_in(browser)
    html = browser.get("/arbejdsliste?alle=1").text
    assert "<td>akut hændelse uden politisag</td>" in html
    assert 'aria-label="Send brev for akut hændelse uden politisag"' in html
    assert "None" not in html


def test_the_meeting_shows_the_agenda_and_resolves_every_name_in_one_call(
    browser: TestClient, platform: FakePlatform
) -> None:
    log_in(browser)
    page = browser.get(f"/moede?kommune=607&uge={WEEK}")
    assert page.status_code == 200
    assert "2 punkter på dagsordenen" in page.text and "Fredericia" in page.text
    assert "Mads Jensen" not in page.text
    assert platform.sent("POST", r"/v1/identities/resolve-batch") == []
    named = browser.get(f"/moede?kommune=607&uge={WEEK}&navne=1")
    assert "Mads Jensen" in named.text and "Ida Hansen" in named.text
    [resolution] = platform.sent("POST", r"/v1/identities/resolve-batch")
    body = json_of(resolution)
    assert body["meeting"] == f"607/{WEEK}" and sorted(body["person_keys"]) == [PK_MADS, PK_IDA]
    [handover] = platform.sent("GET", rf"/v1/handover/607/{WEEK}")[-1:]
    assert handover.headers["x-purpose"] == f"ugens moede 607/{WEEK}"


def test_a_meeting_decision_becomes_a_triage_command(
    browser: TestClient, platform: FakePlatform
) -> None:
    platform.answer("GET", rf"/v1/decisions/{JOURNAL}", {"decisions": []})
    platform.answer("GET", r"/v1/persons/.*/co-registered", {"person_key": PK_MADS, "persons": []})
    platform.answer(
        "POST",
        rf"/v1/decisions/{JOURNAL}/persons/{PK_MADS}/meeting-revision",
        {"revised": True, "decision": {}},
    )
    log_in(browser)
    item = browser.get(f"/moede/punkt?kommune=607&uge={WEEK}&journal={JOURNAL}&person={PK_MADS}")
    assert item.status_code == 200 and "Mødets beslutning" in item.text
    decided = browser.post(
        "/moede/punkt/beslutning",
        data={
            "csrf_token": csrf_of(item.text),
            "kommune": "607",
            "uge": WEEK,
            "journal": JOURNAL,
            "person": PK_MADS,
            "spor": "tovholder",
            "ejer": "team_leader",
            "team": "Team Syd",
        },
    )
    assert decided.status_code == 303
    [command] = platform.sent("POST", r".*/meeting-revision")
    assert json_of(command) == {
        "meeting": f"607/{WEEK}",
        "route": "tovholder",
        "owner_role": "team_leader",
        "owner_team": "Team Syd",
    }
    after = browser.get(decided.headers["location"])
    assert "Beslutningen er registreret" in after.text and "Teamleder (Team Syd)" in after.text


def test_school_representatives_get_no_decision_form_nor_names(
    browser: TestClient, platform: FakePlatform
) -> None:
    log_in(browser, "school_representative", school="Kirstinebjergskolen")
    page = browser.get(f"/moede?kommune=607&uge={WEEK}&navne=1")
    assert page.status_code == 200
    assert platform.sent("POST", r"/v1/identities/resolve-batch") == []
    assert "Vis navne" not in page.text


def test_refusals_are_explained_in_danish(browser: TestClient, platform: FakePlatform) -> None:
    platform.answer("GET", rf"/v1/handover/607/{WEEK}", (403, {"error": "forbidden"}))
    log_in(browser)
    page = browser.get(f"/moede?kommune=607&uge={WEEK}")
    assert "Din rolle eller din kommune giver ikke adgang til dette." in page.text


@pytest.mark.parametrize(
    ("code", "danish"),
    [
        ("role_not_allowed", "Din rolle giver ikke adgang til dette."),
        ("municipality_not_allowed", "Det vedrører en kommune, du ikke har adgang til."),
        ("school_not_allowed", "Det vedrører en elev på en skole, du ikke har adgang til."),
    ],
)
def test_a_refusal_says_in_danish_whether_role_or_municipality_is_the_reason(
    browser: TestClient, platform: FakePlatform, code: str, danish: str
) -> None:
    body = {"error": code, "message": "refused", "field": None}
    platform.answer("GET", rf"/v1/handover/607/{WEEK}", (403, body))
    log_in(browser)
    page = browser.get(f"/moede?kommune=607&uge={WEEK}")
    assert danish in page.text
    assert "refused" not in page.text  # the API's English message stays out


def test_the_consoles_own_404_and_405_pages_are_danish(browser: TestClient) -> None:
    missing = browser.get("/findes-ikke")
    assert missing.status_code == 404 and "Siden findes ikke" in missing.text
    wrong = browser.request("DELETE", "/login")
    assert wrong.status_code == 405 and "Det kan man ikke her" in wrong.text
    assert "detail" not in wrong.text


def test_an_unreachable_service_is_named_in_danish(
    browser: TestClient, platform: FakePlatform
) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("down", request=request)

    platform.answer("GET", r"/v1/trace/.*", down)
    log_in(browser, "operations")
    page = browser.get(f"/sporing?journal={JOURNAL}")
    assert "Rapportering svarer ikke lige nu" in page.text
    assert "fire, fem, fem og to cifre" in browser.get("/sporing?journal=12").text


def test_statistics_as_a_table_and_an_inline_chart(
    browser: TestClient, platform: FakePlatform
) -> None:
    platform.answer(
        "GET",
        rf"/v1/statistics/607/{WEEK}",
        {
            "municipality_code": "607",
            "iso_week": WEEK,
            "persons": 7,
            "by_route": [
                {"value": "tovholder", "count": 5},
                {"value": "caseworker", "count": None},
            ],
            "by_severity": [{"value": "low", "count": 7}],
            "by_offence": [{"value": "butikstyveri", "count": 4}],
            "suppressed_below": 3,
        },
    )
    log_in(browser, "management")
    page = browser.get(f"/statistik?kommune=607&uge={WEEK}")
    assert page.status_code == 200
    assert page.text.count("<svg") == 3 and "<script" not in page.text
    assert "SSP-koordinator" in page.text and "vises ikke" in page.text
    assert "Butikstyveri" in page.text and "7 personer i alt" in page.text


def test_a_suppressed_total_is_said_so(browser: TestClient, platform: FakePlatform) -> None:
    platform.answer(
        "GET",
        rf"/v1/statistics/607/{WEEK}",
        {
            "municipality_code": "607",
            "iso_week": WEEK,
            "persons": None,
            "by_route": [{"value": "tovholder", "count": None}],
            "by_severity": [],
            "by_offence": [],
            "suppressed_below": 5,
        },
    )
    log_in(browser, "management")
    page = browser.get(f"/statistik?kommune=607&uge={WEEK}")
    assert "færre end 5 personer i alt" in page.text and "<svg" in page.text


def test_hidden_clock_groups_leave_the_page_as_it_was(
    browser: TestClient, platform: FakePlatform
) -> None:
    """The audit's week (routes tovholder 9, caseworker 1, not routed 1): every route and the
    clock groups hidden, as reporting now answers; the page shows the hidden marker."""
    hidden = {"count": None, "p50_hours": None, "p90_hours": None, "max_hours": None}
    names = ("registration_to_intake", "intake_to_routed", "routed_to_letter", "total")
    platform.answer(
        "GET",
        rf"/v1/statistics/607/{WEEK}",
        {
            "municipality_code": "607",
            "iso_week": WEEK,
            "persons": 11,
            "by_route": [
                {"value": value, "count": None}
                for value in ("caseworker", "not_routed", "tovholder")
            ],
            "by_severity": [
                {"value": "low", "count": None},
                {"value": "not_assessed", "count": None},
            ],
            "by_offence": [{"value": "vold", "count": 11}],
            "suppressed_below": 5,
            "clocks": [
                {
                    "route": route,
                    "severity": severity,
                    "persons": None,
                    "clocks": dict.fromkeys(names, hidden),
                    "share_within_deadline": None,
                }
                for route, severity in (
                    ("all", "all"),
                    ("all", "low"),
                    ("caseworker", "all"),
                    ("tovholder", "all"),
                )
            ],
        },
    )
    log_in(browser, "management")
    page = browser.get(f"/statistik?kommune=607&uge={WEEK}")
    assert page.status_code == 200 and page.text.count("<svg") == 3
    assert page.text.count("vises ikke") >= 5 and "11 personer i alt" in page.text


CLOCK_NAMES = ("registration_to_intake", "intake_to_routed", "routed_to_letter", "total")
HIDDEN_CLOCK = {"count": None, "p50_hours": None, "p90_hours": None, "max_hours": None}


def clock_statistics(groups: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "municipality_code": "607",
        "iso_week": WEEK,
        "persons": 12,
        "by_route": [{"value": "tovholder", "count": 7}, {"value": "caseworker", "count": 5}],
        "by_severity": [{"value": "low", "count": 12}],
        "by_offence": [{"value": "vold", "count": 12}],
        "suppressed_below": 5,
        "clocks": groups,
    }


def clock_table_rows(html: str) -> list[list[str]]:
    """The rows of the clocks' table, each cell's text (tags removed)."""
    table = html.split("<caption>Hvor hurtigt kommer hjælpen", 1)[1].split("</table>", 1)[0]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ]


def test_the_clocks_read_in_days_hours_and_minutes_per_group(
    browser: TestClient, platform: FakePlatform
) -> None:
    """Issue 16, part 4: the week's clocks per group, all routed persons first; medians, 90 %
    and longest times in Danish units, and the share of letters within the deadline."""
    figures = {
        "registration_to_intake": {
            "count": 12,
            "p50_hours": 26.5,
            "p90_hours": 50.0,
            "max_hours": 72.0,
        },
        "intake_to_routed": {"count": 12, "p50_hours": 0.001, "p90_hours": 0.5, "max_hours": 2.25},
        "routed_to_letter": {
            "count": 10,
            "p50_hours": 48.0,
            "p90_hours": 120.0,
            "max_hours": 200.0,
        },
        "total": {"count": 10, "p50_hours": 80.0, "p90_hours": 170.0, "max_hours": 270.0},
    }
    platform.answer(
        "GET",
        rf"/v1/statistics/607/{WEEK}",
        clock_statistics(
            [
                {
                    "route": r,
                    "severity": s,
                    "persons": n,
                    "clocks": figures,
                    "share_within_deadline": share,
                }
                for r, s, n, share in (
                    ("all", "all", 12, 0.8),
                    ("all", "low", 12, 0.8),
                    ("caseworker", "all", 5, 0.75),
                    ("tovholder", "all", 7, 0.833),
                )
            ]
        ),
    )
    log_in(browser, "management")
    page = browser.get(f"/statistik?kommune=607&uge={WEEK}").text
    assert '<h2 id="ure">Hvor hurtigt kommer hjælpen</h2>' in page
    rows = clock_table_rows(page)
    assert rows[0] == [
        "Gruppe", "Personer", "Forløb", "Målinger", "Median", "90 %", "Længst", "Inden for fristen",
    ]  # fmt: skip
    assert rows[1] == [
        "Alle visiterede", "12", "Anmeldelse til modtagelse", "12",
        "1 dag og 2 timer", "2 dage og 2 timer", "3 dage", "80 %",
    ]  # fmt: skip
    assert rows[2] == ["Modtagelse til visitering", "12", "under 1 minut", "30 minutter", "2 timer"]
    assert rows[4] == [
        "I alt",
        "10",
        "3 dage og 8 timer",
        "7 dage og 2 timer",
        "11 dage og 6 timer",
    ]
    assert [row[0] for row in rows[1::4]] == [
        "Alle visiterede", "Spor: Sagsbehandler (aktiv sag)", "Spor: SSP-koordinator", "Alvor: Lav",
    ]  # fmt: skip
    assert rows[9][-1] == "83 %"
    assert 'scope="rowgroup"' in page and not any("vises ikke" in row for row in rows)


def test_hidden_clock_values_read_as_hidden(browser: TestClient, platform: FakePlatform) -> None:
    """A hidden route group and a hidden clock in the shown ones: the page shows the hidden
    marker for each null, never a zero or an empty cell."""
    shown = {
        "registration_to_intake": {
            "count": 7,
            "p50_hours": 2.0,
            "p90_hours": 3.0,
            "max_hours": 4.0,
        },
        "intake_to_routed": {"count": 7, "p50_hours": 0.0, "p90_hours": 0.0, "max_hours": 0.0},
        "routed_to_letter": HIDDEN_CLOCK,
        "total": HIDDEN_CLOCK,
    }
    platform.answer(
        "GET",
        rf"/v1/statistics/607/{WEEK}",
        clock_statistics(
            [
                {
                    "route": "all",
                    "severity": "all",
                    "persons": None,
                    "clocks": dict.fromkeys(CLOCK_NAMES, HIDDEN_CLOCK),
                    "share_within_deadline": None,
                },
                {
                    "route": "caseworker",
                    "severity": "all",
                    "persons": None,
                    "clocks": dict.fromkeys(CLOCK_NAMES, HIDDEN_CLOCK),
                    "share_within_deadline": None,
                },
                {
                    "route": "tovholder",
                    "severity": "all",
                    "persons": 7,
                    "clocks": shown,
                    "share_within_deadline": None,
                },
            ]
        ),
    )
    log_in(browser, "management")
    rows = clock_table_rows(browser.get(f"/statistik?kommune=607&uge={WEEK}").text)
    hidden = ["vises ikke"] * 4
    assert rows[1] == [
        "Alle visiterede",
        "vises ikke",
        "Anmeldelse til modtagelse",
        *hidden,
        "vises ikke",
    ]
    assert rows[5][:2] == ["Spor: Sagsbehandler (aktiv sag)", "vises ikke"]
    assert rows[9] == [
        "Spor: SSP-koordinator", "7", "Anmeldelse til modtagelse", "7",
        "2 timer", "3 timer", "4 timer", "vises ikke",
    ]  # fmt: skip
    assert rows[10] == ["Modtagelse til visitering", "7", *["under 1 minut"] * 3]
    assert rows[11] == ["Visitering til brev", *hidden]


def test_an_agreed_action_and_a_note_go_to_the_meetings_minutes(
    browser: TestClient, platform: FakePlatform
) -> None:
    platform.answer("GET", rf"/v1/decisions/{JOURNAL}", {"decisions": []})
    platform.answer("GET", r"/v1/persons/.*/co-registered", {"person_key": PK_MADS, "persons": []})
    platform.answer("POST", rf"/v1/meetings/607/{WEEK}/actions", (201, {"action_id": "a1"}))
    platform.answer("POST", rf"/v1/meetings/607/{WEEK}/notes", (201, {"note_id": "n1"}))
    log_in(browser)
    item = browser.get(f"/moede/punkt?kommune=607&uge={WEEK}&journal={JOURNAL}&person={PK_MADS}")
    assert "Aftalte handlinger" in item.text
    form = {
        "csrf_token": csrf_of(item.text),
        "kommune": "607",
        "uge": WEEK,
        "journal": JOURNAL,
        "person": PK_MADS,
    }
    agreed = browser.post(
        "/moede/punkt/handling",
        data={**form, "hvad": "Hjemmebesøg", "ansvarlig": "tovholder", "frist": "2026-11-27"},
    )
    assert agreed.status_code == 303
    [sent] = platform.sent("POST", r".*/actions")
    assert json_of(sent) == {
        "journal_number": JOURNAL,
        "person_key": PK_MADS,
        "what": "Hjemmebesøg",
        "owner_role": "tovholder",
        "owner_team": None,
        "due_on": "2026-11-27",
    }
    assert "inden 27. november 2026" in browser.get(agreed.headers["location"]).text
    browser.post("/moede/punkt/note", data={**form, "tekst": "Skolen er orienteret"})
    [note] = platform.sent("POST", r".*/notes")
    assert json_of(note)["text"] == "Skolen er orienteret"
    empty = browser.post("/moede/punkt/handling", data={**form, "hvad": "", "frist": ""})
    page = browser.get(empty.headers["location"]).text
    assert "Skriv hvad der er aftalt" in page
    assert len(platform.sent("POST", r".*/actions")) == 1


def test_the_worklist_lists_young_people_to_hand_over(
    browser: TestClient, platform: FakePlatform
) -> None:
    platform.answer("GET", r"/v1/letter-tasks", {"tasks": []})
    platform.answer(
        "GET",
        r"/v1/handover/607/.*",
        lambda request: httpx.Response(
            200,
            json={
                "municipality_code": "607",
                "iso_week": request.url.path.rsplit("/", 1)[1],
                "persons": [
                    handover_entry(PK_MADS, psp_ksp_handover=True, age_at_incident=18),
                    handover_entry(PK_IDA),
                ],
            },
        ),
    )
    log_in(browser)
    page = browser.get("/arbejdsliste").text
    weeks = sorted(r.url.path for r in platform.sent("GET", r"/v1/handover/.*"))
    assert weeks == ["/v1/handover/607/2026-W46", "/v1/handover/607/2026-W47"]
    assert page.count("Overdrag til PSP/KSP") == 2 and PK_IDA not in page


def test_a_letter_is_waived_with_a_reason_from_the_meeting_item(
    browser: TestClient, platform: FakePlatform
) -> None:
    task = {**letter_task("t9", "2026-11-18T12:00:00+01:00", "open"), "person_key": PK_MADS}
    platform.answer("GET", r"/v1/letter-tasks", {"tasks": [task]})
    platform.answer("GET", rf"/v1/decisions/{JOURNAL}", {"decisions": []})
    platform.answer("GET", r"/v1/persons/.*/co-registered", {"person_key": PK_MADS, "persons": []})
    platform.answer("POST", r"/v1/letter-tasks/t9/waive", {"task_id": "t9", "status": "waived"})
    log_in(browser)
    url = f"/moede/punkt?kommune=607&uge={WEEK}&journal={JOURNAL}&person={PK_MADS}"
    item = browser.get(url)
    assert "Brevet til familien" in item.text and "Frafald" in item.text
    back = url.replace("&", "&amp;")
    assert f'name="tilbage" value="{back}"' in item.text
    waived = browser.post(
        "/arbejdsliste/opgaver/t9/frafald",
        data={"csrf_token": csrf_of(item.text), "begrundelse": "already_informed", "tilbage": url},
    )
    assert waived.headers["location"] == url
    [sent] = platform.sent("POST", r".*/waive")
    assert json_of(sent) == {"reason": "already_informed"}
    assert "Brevet er frafaldet: familien er allerede orienteret" in browser.get(url).text
    wrong = browser.post(
        "/arbejdsliste/opgaver/t9/frafald",
        data={"csrf_token": csrf_of(item.text), "begrundelse": "because"},
    )
    assert wrong.status_code == 403 and len(platform.sent("POST", r".*/waive")) == 1


def test_waiving_says_so_when_notifications_cannot_yet(
    browser: TestClient, platform: FakePlatform
) -> None:
    platform.answer("GET", r"/v1/letter-tasks", {"tasks": []})
    platform.answer("POST", r"/v1/letter-tasks/t9/waive", (404, {"detail": "Not Found"}))
    log_in(browser)
    page = browser.get("/arbejdsliste")
    browser.post(
        "/arbejdsliste/opgaver/t9/frafald",
        data={"csrf_token": csrf_of(page.text), "begrundelse": "police_informs"},
    )
    assert "Brevtjenesten kan endnu ikke frafalde breve" in browser.get("/arbejdsliste").text


@pytest.mark.parametrize(
    ("target", "landing"),
    [
        ("/moede?uge=2026-W47", "/moede?uge=2026-W47"),
        ("//evil.example/", "/"),
        ("/\\evil.example/", "/"),
        ("https://evil.example/", "/"),
    ],
)
def test_after_login_only_pages_of_the_console(
    browser: TestClient, target: str, landing: str
) -> None:
    page = browser.get("/login", params={"naeste": target})
    answer = browser.post(
        "/login/udvikling",
        data={
            "csrf_token": csrf_of(page.text),
            "rolle": "tovholder",
            "kommune": "607",
            "naeste": target,
        },
    )
    assert answer.headers["location"] == landing


# --- sending letters (issue 16) ------------------------------------------------------------
PDF = b"%PDF-1.7\n% a letter\n%%EOF\n"


def open_task(task_id: str = "t9") -> dict[str, Any]:
    return letter_task(task_id, "2026-11-18T12:00:00+01:00", "open")


def test_the_letter_pdf_is_streamed_from_notifications_with_the_letters_purpose(
    browser: TestClient, platform: FakePlatform
) -> None:
    platform.answer("GET", r"/v1/letter-tasks", {"tasks": [open_task()]})
    platform.answer(
        "GET",
        r"/v1/letter-tasks/t9/letter\.pdf",
        lambda _: httpx.Response(200, content=PDF, headers={"content-type": "application/pdf"}),
    )
    log_in(browser)
    assert 'href="/arbejdsliste/opgaver/t9/brev.pdf"' in browser.get("/arbejdsliste").text
    pdf = browser.get("/arbejdsliste/opgaver/t9/brev.pdf")
    assert pdf.status_code == 200 and pdf.content == PDF
    assert pdf.headers["content-type"] == "application/pdf"
    [asked] = platform.sent("GET", r".*/letter\.pdf")
    assert asked.headers["X-Purpose"] == "brev til foraeldre"
    assert asked.headers["Authorization"].startswith("Bearer ")


def test_a_letter_notifications_cannot_render_is_refused_in_danish(
    browser: TestClient, platform: FakePlatform
) -> None:
    platform.answer(
        "GET", r"/v1/letter-tasks/t9/letter\.pdf", (502, {"error": "intake_unavailable"})
    )
    log_in(browser)
    refused = browser.get("/arbejdsliste/opgaver/t9/brev.pdf")
    assert refused.status_code == 502 and "text/html" in refused.headers["content-type"]
    assert "Brevet kan ikke vises" in refused.text


def test_a_letter_is_sent_from_the_worklist_and_the_channel_and_time_shown(
    browser: TestClient, platform: FakePlatform
) -> None:
    platform.answer("GET", r"/v1/letter-tasks", {"tasks": [open_task()]})
    sent = {
        **open_task(),
        "event": "sent",
        "status": "sent",
        "channel": "outbox",
        "at": "2026-11-17T10:05:00+01:00",
    }
    platform.answer("POST", r"/v1/letter-tasks/t9/send", sent)
    log_in(browser)
    page = browser.get("/arbejdsliste")
    answer = browser.post("/arbejdsliste/opgaver/t9/send", data={"csrf_token": csrf_of(page.text)})
    assert answer.status_code == 303 and answer.headers["location"] == "/arbejdsliste"
    assert len(platform.sent("POST", r"/v1/letter-tasks/t9/send")) == 1
    shown = browser.get("/arbejdsliste").text
    assert f"Brevet for {JOURNAL} er sendt (lagt i brevbakken til print og post)" in shown
    assert "17. november 2026 kl. 10.05" in shown


def test_a_letter_already_sent_is_refused_in_danish(
    browser: TestClient, platform: FakePlatform
) -> None:
    platform.answer("GET", r"/v1/letter-tasks", {"tasks": [open_task()]})
    platform.answer(
        "POST", r"/v1/letter-tasks/t9/send", (409, {"error": "task_ended", "message": "ended"})
    )
    log_in(browser)
    page = browser.get("/arbejdsliste")
    browser.post("/arbejdsliste/opgaver/t9/send", data={"csrf_token": csrf_of(page.text)})
    assert (
        "Brevet er ikke sendt: opgaven er allerede afsluttet" in browser.get("/arbejdsliste").text
    )


@pytest.mark.parametrize(
    "path", ["/arbejdsliste/opgaver/t9/send", "/arbejdsliste/send-ugens-breve"]
)
def test_sending_needs_the_csrf_token(
    browser: TestClient, platform: FakePlatform, path: str
) -> None:
    platform.answer("GET", r"/v1/letter-tasks", {"tasks": [open_task()]})
    log_in(browser)
    browser.get("/arbejdsliste")
    for data in ({}, {"csrf_token": "forged"}):
        assert browser.post(path, data=data).status_code == 403
    assert platform.sent("POST", r"/v1/letter-tasks/.*send") == []


def test_the_weeks_letters_are_sent_in_one_batch_with_a_summary(
    browser: TestClient, platform: FakePlatform
) -> None:
    second = {**open_task("t10"), "journal_number": "3700-80123-00457-26"}
    platform.answer("GET", r"/v1/letter-tasks", {"tasks": [open_task(), second]})
    platform.answer(
        "POST",
        r"/v1/letter-tasks/send",
        {
            "results": [
                {"task_id": "t9", "result": "sent", "task": {**open_task(), "status": "sent"}},
                {"task_id": "t10", "result": "already_ended"},
            ]
        },
    )
    log_in(browser)
    page = browser.get("/arbejdsliste")
    assert "Send ugens breve" in page.text
    answer = browser.post("/arbejdsliste/send-ugens-breve", data={"csrf_token": csrf_of(page.text)})
    assert answer.status_code == 303
    [batch] = platform.sent("POST", r"/v1/letter-tasks/send")
    assert sorted(json_of(batch)["task_ids"]) == ["t10", "t9"]
    shown = browser.get("/arbejdsliste").text
    assert "Ugens breve: sendt 1, fejl 1." in shown
    assert "Ikke sendt: 3700-80123-00457-26: allerede afsluttet" in shown
