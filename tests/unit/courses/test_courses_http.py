"""Courses' HTTP API: the three kinds of course run through their commands, with version
checks (409), rule violations (409/422, machine-readable) and access by municipality."""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest

from services.courses.application.commands.acute import StartAcuteProcedure
from services.courses.application.commands.exit_programme import ReferToExitProgramme
from services.courses.application.service import CoursesService
from services.courses.bootstrap import build_application, build_service
from services.courses.domain.course import InvalidCommand
from services.courses.entrypoints.http import create_http_app
from services.courses.settings import CoursesSettings
from shared.auth import ServiceAuth
from shared.http import add_platform_routes
from shared.runtime import ServiceContext
from tests.support import bearer
from tests.unit.courses.factories import JOURNAL, PRIVATE_TEXT, FakeClock, decision, referral


@dataclass
class Api:
    http: httpx.AsyncClient
    service: CoursesService
    clock: FakeClock

    headers: dict[str, dict[str, str]]
    """The caller by kind of course: each kind is run by its own role."""

    def caller(self, path: str) -> dict[str, str]:
        kind = [*path.split("/"), "", "", ""][2]
        return self.headers.get(kind, self.headers["trivsel-courses"])

    async def post(self, path: str, body: dict[str, Any], expect: int = 200) -> dict[str, Any]:
        response = await self.http.post(path, json=body, headers=self.caller(path))
        assert response.status_code == expect, response.text
        answer: dict[str, Any] = response.json()
        return answer

    async def get(self, path: str, expect: int = 200, **params: str) -> dict[str, Any]:
        response = await self.http.get(path, params=params, headers=self.caller(path))
        assert response.status_code == expect, response.text
        answer: dict[str, Any] = response.json()
        return answer


@pytest.fixture
async def api(settings: CoursesSettings, clock: FakeClock) -> AsyncIterator[Api]:
    app = build_application(settings)
    service = build_service(settings, app, clock)
    executor = ThreadPoolExecutor(max_workers=1)
    ctx = ServiceContext("courses", settings, app, executor)
    auth = ServiceAuth(settings, "courses")
    http_app = create_http_app(ctx, service, auth.access_control(ctx))
    everywhere = ["607", "376", "575"]
    headers = {
        kind: bearer(settings, role, everywhere)
        for kind, role in (
            ("trivsel-courses", "tovholder"),
            ("exit-programmes", "exit_coordinator"),
            ("acute-procedures", "management"),
        )
    }

    async def ready() -> dict[str, bool]:
        return {"store": True}

    add_platform_routes(http_app, ready, "courses")
    transport = httpx.ASGITransport(app=http_app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://courses", headers=headers["trivsel-courses"]
    ) as http:
        yield Api(http, service, clock, headers)
    executor.shutdown()
    app.close()
    auth.close()


START = {
    "person_key": "pk_a",
    "journal_number": JOURNAL,
    "step": 2,
    "rationale": PRIVATE_TEXT,
    "coordinator": "ABJ",
    "local_leader": "KLM",
}


async def test_a_coordinator_runs_a_trivsel_course(api: Api) -> None:
    api.service.receive_decision(decision(key="pk_a", age=14))
    eligible = await api.get("/v1/eligibility", municipality_code="607")
    assert [(e["person_key"], e["course_started"]) for e in eligible["eligible"]] == [
        ("pk_a", False)
    ]
    response = await api.http.post("/v1/trivsel-courses", json=START)
    assert response.status_code == 201
    course = response.json()
    base = f"/v1/trivsel-courses/{course['course_id']}"
    assert response.headers["location"] == f"/v1/courses/{course['course_id']}"
    assert (course["version"], course["step"], course["consent"]["status"]) == (
        1,
        2,
        "not_requested",
    )
    steps: list[tuple[str, dict[str, Any]]] = [
        ("request-consent", {}),
        ("record-consent", {"answer": "given", "on": "2026-11-16"}),
        (
            "add-goal",
            {"goal_id": "g1", "description": "", "owner": "ABJ", "review_on": "2026-12-16"},
        ),
        (
            "add-measure",
            {
                "measure_id": "m1",
                "goal_id": "g1",
                "kind": "fritidsaktivitet",
                "description": PRIVATE_TEXT,
                "owner": "KLM",
                "review_on": "2026-12-01",
            },
        ),
        ("start-measure", {"measure_id": "m1"}),
        ("record-follow-up", {"kind": "skolebesoeg"}),
        ("complete-measure", {"measure_id": "m1"}),
        ("review", {"item_id": "g1", "next_review_on": None}),
        ("close", {"outcome": "completed"}),
    ]
    for command, body in steps:
        course = await api.post(
            f"{base}/{command}", {"expected_version": course["version"], **body}
        )
    assert (course["status"], course["outcome"], course["version"]) == ("closed", "completed", 10)
    assert course["measures"][0]["status"] == "completed"
    again = await api.get(f"/v1/courses/{course['course_id']}")
    assert again == course
    listed = await api.get("/v1/courses", municipality_code="607", status="closed")
    assert [c["course_id"] for c in listed["courses"]] == [course["course_id"]]
    events = await api.get(f"/v1/courses/{course['course_id']}/events")
    assert [e["event"] for e in events["events"]][:3] == [
        "started",
        "consent_requested",
        "consent_given",
    ]
    assert PRIVATE_TEXT not in str(events)


async def test_commands_that_break_a_rule_get_a_clear_reason(api: Api) -> None:
    api.service.receive_decision(decision(key="pk_a"))
    not_eligible = await api.post(
        "/v1/trivsel-courses", {**START, "person_key": "pk_z"}, expect=422
    )
    assert not_eligible["error"] == "not_eligible"
    course = await api.post("/v1/trivsel-courses", START, expect=201)
    exists = await api.post("/v1/trivsel-courses", START, expect=409)
    assert exists["error"] == "course_exists"
    base = f"/v1/trivsel-courses/{course['course_id']}"
    await api.post(
        f"{base}/add-goal",
        {
            "expected_version": 1,
            "goal_id": "g1",
            "description": "",
            "owner": "A",
            "review_on": "2026-12-01",
        },
    )
    await api.post(
        f"{base}/add-measure",
        {
            "expected_version": 2,
            "measure_id": "m1",
            "goal_id": "g1",
            "kind": "mentor",
            "description": "",
            "owner": "A",
            "review_on": "2026-12-01",
        },
    )
    no_consent = await api.post(
        f"{base}/start-measure", {"expected_version": 3, "measure_id": "m1"}, expect=409
    )
    assert no_consent == {
        "error": "consent_missing",
        "message": "no measure starts before consent is given (or recorded as not required "
        "for an adult)",
        "field": None,
        "consent_status": "not_requested",
    }
    minor = await api.post(
        f"{base}/record-consent", {"expected_version": 3, "answer": "not_required"}, expect=422
    )
    assert minor["error"] == "consent_required_for_minor"
    past = await api.post(
        f"{base}/add-goal",
        {
            "expected_version": 3,
            "goal_id": "g2",
            "description": "",
            "owner": "A",
            "review_on": "2026-01-01",
        },
        expect=422,
    )
    assert (past["error"], past["field"]) == ("date_in_past", "review_on")


async def test_a_concurrent_edit_is_a_409_and_changes_nothing(api: Api) -> None:
    api.service.receive_decision(decision(key="pk_a"))
    course = await api.post("/v1/trivsel-courses", START, expect=201)
    base = f"/v1/trivsel-courses/{course['course_id']}"
    await api.post(f"{base}/request-consent", {"expected_version": 1})
    stale = await api.post(
        f"{base}/record-consent", {"expected_version": 1, "answer": "given"}, expect=409
    )
    assert stale["error"] == "version_conflict"
    assert (stale["expected_version"], stale["current_version"]) == (1, 2)
    now = await api.get(f"/v1/courses/{course['course_id']}")
    assert (now["version"], now["consent"]["status"]) == (2, "requested")


async def test_invalid_bodies_name_the_fields_without_echoing_them(api: Api) -> None:
    api.service.receive_decision(decision(key="pk_a"))
    bad = await api.post(
        "/v1/trivsel-courses",
        {**START, "step": 9, "coordinator": "Mads Jensen", "surprise": 1},
        expect=422,
    )
    assert bad["error"] == "invalid_request"
    assert {p["field"] for p in bad["problems"]} == {"step", "coordinator", "surprise"}
    assert "Mads Jensen" not in str(bad)
    missing_version = await api.post(
        f"/v1/trivsel-courses/{'0' * 32}/request-consent", {}, expect=422
    )
    assert missing_version["problems"][0]["field"] == "expected_version"


async def test_unknown_courses_and_courses_of_another_kind_are_404(api: Api) -> None:
    unknown = await api.post(
        "/v1/trivsel-courses/00000000-0000-0000-0000-000000000000/close",
        {"expected_version": 1, "outcome": "dropped"},
        expect=404,
    )
    assert unknown["error"] == "not_found"  # as for a course out of the caller's reach
    api.service.receive_decision(decision(key="pk_a"))
    course = await api.post("/v1/trivsel-courses", START, expect=201)
    await api.post(
        f"/v1/exit-programmes/{course['course_id']}/accept", {"expected_version": 1}, expect=404
    )


async def test_an_exit_programme_transfers_and_raises_a_missed_month(api: Api) -> None:
    referred = await api.post(
        "/v1/exit-programmes",
        {
            "person_key": "pk_x",
            "municipality_code": "376",
            "age_at_referral": 19,
            "referred_by": "kriminalforsorgen",
            "referred_on": "2026-11-16",
            "coordinator": "EXK",
        },
        expect=201,
    )
    base = f"/v1/exit-programmes/{referred['course_id']}"
    course = referred
    for command, body in [
        (
            "record-clarifying-talk",
            {"with_police": True, "in_target_group": "yes", "motivated": "yes", "note": "x"},
        ),
        ("accept", {"on": "2026-11-16"}),
        (
            "agree-contract",
            {
                "measures": [
                    {
                        "measure_id": "mentor",
                        "department": "Ungeenheden",
                        "kind": "mentor",
                        "due_on": "2026-12-15",
                    }
                ]
            },
        ),
        ("record-meeting", {"departments": ["politi", "Ungeenheden"]}),
        ("escalate-to-infohus", {"reason": "safety"}),
    ]:
        course = await api.post(
            f"{base}/{command}", {"expected_version": course["version"], **body}
        )
    api.clock.advance(days=20)  # 6 December: the person moves to Vejen
    moved = await api.post(
        f"{base}/transfer", {"expected_version": course["version"], "to_municipality_code": "575"}
    )
    assert (moved["municipality_code"], moved["stage"]) == ("575", "active")
    assert moved["access"] == {"376": 1, "575": moved["version"]}

    api.clock.advance(days=30)  # 5 January: December had no meeting, the mentor is late
    assert api.service.emit_overdue(api.clock()) == 2
    assert api.service.emit_overdue(api.clock()) == 0
    seen_by_vejen = await api.get(
        f"{base.replace('exit-programmes', 'courses')}/events", municipality_code="575"
    )
    assert [e["event"] for e in seen_by_vejen["events"]] == [
        "transferred",
        "meeting_missed",
        "contract_measure_overdue",
    ]
    assert {e["municipality_code"] for e in seen_by_vejen["events"]} == {"575"}
    seen_by_guldborgsund = await api.get(
        f"/v1/courses/{referred['course_id']}/events", municipality_code="376"
    )
    assert len(seen_by_guldborgsund["events"]) == moved["version"] + 2
    await api.get(f"/v1/courses/{referred['course_id']}", expect=404, municipality_code="607")
    vejen = await api.get("/v1/courses", municipality_code="575")
    assert [c["course_type"] for c in vejen["courses"]] == ["exit_programme"]
    ended = await api.post(
        f"{base}/end",
        {"expected_version": moved["version"] + 2, "outcome": "completed", "reason": "goals_met"},
    )
    assert (ended["status"], ended["outcome"]) == ("closed", "completed")


async def test_management_runs_the_acute_procedure_to_the_final_report(api: Api) -> None:
    started = await api.post(
        "/v1/acute-procedures",
        {
            "municipality_code": "607",
            "reference": "2026-11-brand-skole",
            "journal_number": JOURNAL,
            "director": "DIR",
            "head_of_department": "FCH",
        },
        expect=201,
    )
    assert started["standard_letter"]["event"] == "created"
    base = f"/v1/acute-procedures/{started['course_id']}"
    course = await api.post(
        f"{base}/assign-step",
        {"expected_version": started["version"], "step": 4, "owner": "skoleleder"},
    )
    early = await api.post(
        f"{base}/complete-step", {"expected_version": course["version"], "step": 9}, expect=409
    )
    assert (early["error"], early["outstanding"]) == ("steps_outstanding", [2, 3, 4, 5, 6, 7, 8])
    for step in range(2, 10):
        course = await api.post(
            f"{base}/complete-step", {"expected_version": course["version"], "step": step}
        )
    assert course["status"] == "closed"
    assert course["standard_letter"]["event"] == "completed"
    assert course["outstanding_steps"] == []


async def test_the_openapi_document_lists_every_command(api: Api) -> None:
    paths = (await api.get("/openapi.json"))["paths"]
    commands = [p.rsplit("/", 1)[-1] for p in paths if "{course_id}/" in p]
    assert len(commands) == 10 + 9 + 2 + 1  # TRIVSEL+, exit, acute commands; the events read
    assert {"start-measure", "transfer", "complete-step", "events"} <= set(commands)


# Issue 14, part 1: every municipality code a course is given is official and served. Seed
# 001 l.244: "Flyttes borgen til en anden kommune, fortsætter Guldborgsund Kommunes
# forpligtelser ... Exit-koordinator er her ansvarlig for at opbygge et samarbejde med den nye
# kommune": the programme moves only to a municipality whose coordinator can log in here.
MUNICIPALITY_RULES = [
    pytest.param("575", 200, None, id="served: transferred"),
    pytest.param("999", 422, "unknown_municipality", id="no such municipality"),
    pytest.param("751", 422, "municipality_not_served", id="real (Aarhus) but not served"),
]


@pytest.mark.parametrize(("to", "status", "error"), MUNICIPALITY_RULES)
async def test_an_exit_programme_moves_only_to_a_served_municipality(
    api: Api, to: str, status: int, error: str | None
) -> None:
    referred = await api.post(
        "/v1/exit-programmes",
        {
            "person_key": "pk_x",
            "municipality_code": "376",
            "age_at_referral": 19,
            "referred_by": "kriminalforsorgen",
            "referred_on": "2026-11-16",
            "coordinator": "EXK",
        },
        expect=201,
    )
    base = f"/v1/exit-programmes/{referred['course_id']}"
    answer = await api.post(
        f"{base}/transfer",
        {"expected_version": referred["version"], "to_municipality_code": to},
        expect=status,
    )
    if error is not None:
        assert answer["error"] == error
        assert to not in answer["message"]  # the message names the field, not the code
        assert answer["field"] == "to_municipality_code"


@pytest.mark.parametrize(("code", "status", "error"), MUNICIPALITY_RULES)
def test_a_course_starts_only_in_a_served_municipality(
    api: Api, code: str, status: int, error: str | None
) -> None:
    """Below the access check (a token names only served municipalities), the service refuses
    too: an exit programme and an acute procedure alike."""
    commands = [
        ReferToExitProgramme(
            person_key="pk_x",
            municipality_code=code,
            age_at_referral=19,
            referred_by="kriminalforsorgen",
            referred_on=date(2026, 11, 16),
            coordinator="EXK",
        ),
        StartAcuteProcedure(
            municipality_code=code,
            reference="2026-11-brand",
            journal_number=JOURNAL,
            director="DIR",
            head_of_department="FCH",
        ),
    ]
    for command in commands:
        if error is None:
            assert api.service.start(command).municipality_code == code
        else:
            with pytest.raises(InvalidCommand) as refused:
                api.service.start(command)
            assert refused.value.code == error


# --- issue 14, part 6: courses end consistently ---------------------------------------------------
EXIT_PROGRAMME = {
    "person_key": "pk_x",
    "municipality_code": "376",
    "age_at_referral": 19,
    "referred_by": "kriminalforsorgen",
    "referred_on": "2026-11-16",
    "coordinator": "EXK",
}


async def active_exit_programme(api: Api) -> dict[str, Any]:
    course = await api.post("/v1/exit-programmes", EXIT_PROGRAMME, expect=201)
    base = f"/v1/exit-programmes/{course['course_id']}"
    for command, body in [
        (
            "record-clarifying-talk",
            {"with_police": True, "in_target_group": "yes", "motivated": "yes", "note": "x"},
        ),
        ("accept", {"on": "2026-11-16"}),
    ]:
        course = await api.post(
            f"{base}/{command}", {"expected_version": course["version"], **body}
        )
    return course


# 001 l.244: the programme's contract sets goals ("træde ud af det destruktive miljø"); it is
# completed when they are met or the person left the milieu, dropped when contact is lost,
# new crime is committed or the person withdraws.
END_RULES = [
    pytest.param("completed", "goals_met", 200, id="completed: goals met"),
    pytest.param("completed", "left_milieu", 200, id="completed: left the milieu"),
    pytest.param("dropped_out", "goals_met", 422, id="dropped out with goals met: refused"),
    pytest.param("completed", "new_crime", 422, id="completed after new crime: refused"),
    pytest.param("dropped_out", "lost_contact", 200, id="dropped out: lost contact"),
    pytest.param("dropped_out", "other", 200, id="other fits both"),
]


@pytest.mark.parametrize(("outcome", "reason", "status"), END_RULES)
async def test_an_exit_programme_ends_for_a_reason_that_fits(
    api: Api, outcome: str, reason: str, status: int
) -> None:
    course = await active_exit_programme(api)
    answer = await api.post(
        f"/v1/exit-programmes/{course['course_id']}/end",
        {"expected_version": course["version"], "outcome": outcome, "reason": reason},
        expect=status,
    )
    if status == 422:
        assert answer["error"] == "reason_does_not_fit_outcome"


async def test_a_trivsel_course_with_a_measure_started_cannot_be_completed(api: Api) -> None:
    """000 l.108: TRIVSEL+ is the individual effort; a measure under way is not done."""
    api.service.receive_decision(decision(key="pk_a", age=14))
    course = await api.post("/v1/trivsel-courses", START, expect=201)
    base = f"/v1/trivsel-courses/{course['course_id']}"
    steps: list[tuple[str, dict[str, Any]]] = [
        ("request-consent", {}),
        ("record-consent", {"answer": "given", "on": "2026-11-16"}),
        (
            "add-goal",
            {"goal_id": "g1", "description": "", "owner": "ABJ", "review_on": "2026-12-16"},
        ),
        (
            "add-measure",
            {
                "measure_id": "mentor",
                "goal_id": "g1",
                "kind": "fritidsaktivitet",
                "description": "",
                "owner": "KLM",
                "review_on": "2026-12-01",
            },
        ),
        ("start-measure", {"measure_id": "mentor"}),
    ]
    for command, body in steps:
        course = await api.post(
            f"{base}/{command}", {"expected_version": course["version"], **body}
        )
    refused = await api.post(
        f"{base}/close",
        {"expected_version": course["version"], "outcome": "completed"},
        expect=409,
    )
    assert (refused["error"], refused["measures"]) == ("measures_still_open", ["mentor"])
    # Dropping the course closes the measure with it.
    closed = await api.post(
        f"{base}/close", {"expected_version": course["version"], "outcome": "dropped"}
    )
    assert (closed["status"], closed["outcome"]) == ("closed", "dropped")


async def test_an_exit_programme_starts_from_a_referral_without_retyping(api: Api) -> None:
    api.service.receive(referral(age=17))
    found = await api.get("/v1/exit-referrals", municipality_code="376")
    (listed,) = found["referrals"]
    started = await api.post(
        f"/v1/exit-programmes/from-referral/{listed['referral_id']}",
        {"coordinator": "EXK"},
        expect=201,
    )
    assert (
        started["person_key"],
        started["municipality_code"],
        started["journal_number"],
    ) == ("pk_x", "376", JOURNAL)
    again = await api.get("/v1/exit-referrals", municipality_code="376", status="all")
    assert again["referrals"][0]["status"] == "started"
    await api.post(
        "/v1/exit-programmes/from-referral/no-such-referral", {"coordinator": "EXK"}, expect=404
    )
