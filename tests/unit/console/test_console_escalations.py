"""Issue 16, part 6, in the console: a letter task past its deadline, escalated to the team
leader, is on the team leader's worklist marked "Eskaleret" (in words, not by colour alone),
with the most urgent first, and sent with the week's letters; management sees on the
statistics page how many tasks are past their deadline and escalated, without names."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient

from tests.unit.console.fake_platform import FakePlatform, json_of, letter_task
from tests.unit.console.test_console_pages import WEEK, csrf_of, log_in

ESCALATED = letter_task("t-escalated", "2026-11-16T10:00:00+01:00", "overdue")
"""The tovholder's task, a day past its deadline: escalated to the team leader."""
OWN = letter_task("t-own", "2026-11-18T12:00:00+01:00", "open", "team_leader")
OTHERS = letter_task("t-others", "2026-11-17T12:00:00+01:00", "open")
"""Another role's task, not escalated: not on the team leader's own worklist."""


def tasks_by_query(request: httpx.Request) -> httpx.Response:
    """notifications' list: the escalated ones only with `escalated_to=team_leader`."""
    params = request.url.params
    if params.get("escalated_to") == "team_leader":
        listed = [ESCALATED] if params["status"] == "to_do" else []
    else:
        listed = {"open": [OWN, OTHERS], "overdue": [ESCALATED]}.get(params["status"], [])
    return httpx.Response(200, json={"municipality_code": "607", "tasks": listed})


def rows_of(html: str) -> list[str]:
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return body.split("<tr")[1:]


def worklist_of(
    browser: TestClient, platform: FakePlatform, role: str
) -> tuple[str, list[httpx.Request]]:
    """The role's worklist page, and the console's requests for escalated tasks."""
    platform.answer("GET", r"/v1/letter-tasks", tasks_by_query)
    log_in(browser, role)
    page = browser.get("/arbejdsliste")
    assert page.status_code == 200
    asked = platform.sent("GET", r"/v1/letter-tasks")
    return page.text, [r for r in asked if "escalated_to" in r.url.params]


def test_the_team_leaders_worklist_shows_the_tasks_escalated_to_them(
    browser: TestClient, platform: FakePlatform
) -> None:
    page, escalated_asks = worklist_of(browser, platform, "team_leader")
    assert [(r.url.params["escalated_to"], r.url.params["status"]) for r in escalated_asks] == [
        ("team_leader", "to_do")
    ]
    assert escalated_asks[0].headers["x-purpose"] == "min arbejdsliste"
    rows = rows_of(page)
    assert [("t-escalated" in row, "t-own" in row) for row in rows] == [
        (True, False),
        (False, True),
    ]  # the most urgent first; another role's task that is not escalated is not there
    assert "Eskaleret</strong> til dig som teamleder" in rows[0]
    assert "Eskaleret" not in rows[1]
    assert "Vis også de 1 andre" in page


def test_the_tovholder_neither_asks_for_nor_sees_escalations(
    browser: TestClient, platform: FakePlatform
) -> None:
    page, escalated_asks = worklist_of(browser, platform, "tovholder")
    assert escalated_asks == []
    assert "t-escalated" in page  # the tovholder's own task, overdue
    assert "Eskaleret" not in page


def test_the_team_leaders_batch_includes_the_escalated_tasks(
    browser: TestClient, platform: FakePlatform
) -> None:
    platform.answer("GET", r"/v1/letter-tasks", tasks_by_query)
    platform.answer(
        "POST",
        r"/v1/letter-tasks/send",
        lambda request: httpx.Response(
            200,
            json={
                "results": [
                    {"task_id": task_id, "result": "sent"}
                    for task_id in json_of(request)["task_ids"]
                ]
            },
        ),
    )
    log_in(browser, "team_leader")
    page = browser.get("/arbejdsliste")
    sent = browser.post("/arbejdsliste/send-ugens-breve", data={"csrf_token": csrf_of(page.text)})
    assert sent.status_code == 303
    [batch] = platform.sent("POST", r"/v1/letter-tasks/send")
    assert json_of(batch)["task_ids"] == ["t-escalated", "t-own"]


def test_management_sees_the_counts_of_escalated_tasks_on_the_statistics_page(
    browser: TestClient, platform: FakePlatform
) -> None:
    platform.answer(
        "GET",
        r"/v1/letter-tasks/escalations",
        {
            "municipality_code": "607",
            "past_deadline": 4,
            "escalated_to_team_leader": 3,
            "open_at_twice_deadline": 2,
        },
    )
    log_in(browser, "management")
    page = browser.get(f"/statistik?kommune=607&uge={WEEK}").text
    [asked] = platform.sent("GET", r"/v1/letter-tasks/escalations")
    assert asked.url.params["municipality_code"] == "607"
    section = page[page.index('id="eskaleringer"') :]
    assert "kun antal, ingen navne" in section
    assert "<td>Overskredet frist</td><td>4</td>" in section
    assert "<td>Eskaleret til teamlederen</td><td>3</td>" in section
    assert "stadig åbne ved dobbelt frist</td><td>2</td>" in section


def test_the_police_coordinator_is_not_shown_the_escalation_counts(
    browser: TestClient, platform: FakePlatform
) -> None:
    log_in(browser, "police_coordinator")
    page = browser.get(f"/statistik?kommune=607&uge={WEEK}").text
    assert platform.sent("GET", r"/v1/letter-tasks/escalations") == []
    assert 'id="eskaleringer"' not in page
