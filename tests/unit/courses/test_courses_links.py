"""Courses following triage: withdrawals, handovers and revisions to the caseworker revoke
TRIVSEL+ eligibility (never a started course); exit referrals are recorded once, listed for
the exit coordinator and marked started by the programme (Kafka entry point on
TestKafkaBroker, and the HTTP API with tokens)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

import httpx
import pytest

from services.courses.adapters.publications import courses_publications
from services.courses.application.commands.exit_programme import ReferToExitProgramme
from services.courses.application.commands.trivsel import StartTrivsel
from services.courses.application.service import CoursesService
from services.courses.bootstrap import build_application, build_service, definition
from services.courses.domain.eligibility import NotEligible
from services.courses.entrypoints.http import create_http_app
from services.courses.settings import CoursesSettings
from shared.auth import AuditEntry, AuditLog, ServiceAuth
from shared.contracts import (
    TRIAGE_CASEWORKER,
    TRIAGE_EXIT_REFERRALS,
    TRIAGE_TOVHOLDER,
    TRIAGE_WITHDRAWALS,
)
from shared.eventstore import ServiceApplication
from shared.runtime import ServiceContext
from tests.support import bearer, inbox_harness, outbox
from tests.unit.courses.factories import (
    JOURNAL,
    FakeClock,
    decision,
    decision_doc,
    handover,
    referral,
    referral_doc,
    withdrawal,
    withdrawal_doc,
)


def upstream(notification_id: int) -> dict[str, str]:
    return {"ssp-origin": "triage", "ssp-notification-id": str(notification_id)}


def stored(app: ServiceApplication) -> list[str]:
    """The stored events' names, in order."""
    notifications = app.recorder.select_notifications(start=None, limit=1000)
    return [n.topic.rsplit(".", 1)[-1] for n in notifications]


def start_trivsel(key: str = "pk_a") -> StartTrivsel:
    return StartTrivsel(
        person_key=key,
        journal_number=JOURNAL,
        step=2,
        rationale="",
        coordinator="ABJ",
        local_leader="KLM",
    )


def refer(
    journal_number: str | None = JOURNAL, on: date = date(2026, 11, 16)
) -> ReferToExitProgramme:
    return ReferToExitProgramme(
        person_key="pk_x",
        municipality_code="376",
        age_at_referral=16,
        referred_by="police",
        referred_on=on,
        coordinator="EXK",
        journal_number=journal_number,
    )


# --- Kafka ------------------------------------------------------------------------------------
async def test_a_withdrawal_revokes_eligibility_once_whatever_the_redeliveries(
    settings: CoursesSettings, clock: FakeClock
) -> None:
    async with inbox_harness(definition(settings, clock=clock)) as h:
        await h.publish(decision_doc(key="pk_a"), TRIAGE_TOVHOLDER, "pk_a", upstream(1))
        await h.publish(withdrawal_doc(key="pk_a"), TRIAGE_WITHDRAWALS, "pk_a", upstream(2))
        # The same message again (tracked), and a republished copy (a new notification id).
        await h.publish(withdrawal_doc(key="pk_a"), TRIAGE_WITHDRAWALS, "pk_a", upstream(2))
        await h.publish(withdrawal_doc(key="pk_a"), TRIAGE_WITHDRAWALS, "pk_a", upstream(3))
        assert stored(h.app) == ["Recorded", "Revoked"]
        service = build_service(settings, h.app, clock)
        assert service.eligible("607") == []
        with pytest.raises(NotEligible):
            service.start(start_trivsel())
        assert outbox(h.app, courses_publications) == []


async def test_a_handover_after_the_course_started_leaves_the_course_and_shows_the_move(
    settings: CoursesSettings, clock: FakeClock
) -> None:
    async with inbox_harness(definition(settings, clock=clock)) as h:
        await h.publish(decision_doc(key="pk_a"), TRIAGE_TOVHOLDER, "pk_a", upstream(1))
        service = build_service(settings, h.app, clock)
        course = service.start(start_trivsel())
        await h.publish(handover().model_dump(mode="json"), TRIAGE_CASEWORKER, "pk_a", upstream(2))
        assert stored(h.app) == ["Recorded", "Started", "Revoked"]
        assert service.course(course.id).version == course.version  # untouched
        (moved,) = service.eligible("607")
        assert (moved.status, moved.course_started) == ("revoked", True)
        assert moved.revoked is not None
        assert (moved.revoked["reason"], moved.revoked["course_started"]) == (
            "case_opened_after_routing",
            True,
        )
        # Only the course's own event is published.
        assert [m.topic for m in outbox(h.app, courses_publications)] == ["ssp.courses.events.v1"]


async def test_an_initial_caseworker_decision_is_not_kept(
    settings: CoursesSettings, clock: FakeClock
) -> None:
    async with inbox_harness(definition(settings, clock=clock)) as h:
        caseworker = decision_doc(key="pk_c", route="caseworker", case_id="DUBU-2026-1")
        await h.publish(caseworker, TRIAGE_CASEWORKER, "pk_c", upstream(1))
        assert stored(h.app) == []


async def test_a_withdrawal_delivered_before_its_decision_still_governs(
    settings: CoursesSettings, clock: FakeClock
) -> None:
    """Triage's topics are not ordered among each other (a new consumer reads each from the
    start): the withdrawal of revision 2 may come before the decision of revision 1."""
    async with inbox_harness(definition(settings, clock=clock)) as h:
        await h.publish(withdrawal_doc(key="pk_a"), TRIAGE_WITHDRAWALS, "pk_a", upstream(1))
        await h.publish(decision_doc(key="pk_a"), TRIAGE_TOVHOLDER, "pk_a", upstream(2))
        handed = handover(key="pk_d").model_dump(mode="json")
        await h.publish(handed, TRIAGE_CASEWORKER, "pk_d", upstream(3))
        await h.publish(decision_doc(key="pk_d"), TRIAGE_TOVHOLDER, "pk_d", upstream(4))
        assert stored(h.app) == [
            "Opened",
            "Revoked",
            "DecisionRevised",
            "Opened",
            "Revoked",
            "DecisionRevised",
        ]
        service = build_service(settings, h.app, clock)
        assert service.eligible("607") == []
        with pytest.raises(NotEligible):
            service.start(start_trivsel("pk_a"))
        with pytest.raises(NotEligible):
            service.start(start_trivsel("pk_d"))
        # A later revision that routes the person to the coordinator again makes them eligible.
        again = decision_doc(key="pk_a", revision=3, decision_kind="revised")
        await h.publish(again, TRIAGE_TOVHOLDER, "pk_a", upstream(5))
        assert [e.person_key for e in service.eligible("607")] == ["pk_a"]


async def test_a_revision_keeping_the_coordinator_route_keeps_eligibility(
    settings: CoursesSettings, clock: FakeClock
) -> None:
    async with inbox_harness(definition(settings, clock=clock)) as h:
        await h.publish(decision_doc(key="pk_a", age=14), TRIAGE_TOVHOLDER, "pk_a", upstream(1))
        revised = decision_doc(
            key="pk_a",
            revision=2,
            age=15,
            decision_kind="revised",
            revises_decision_id=f"decision-{JOURNAL}-1-pk_a",
        )
        await h.publish(revised, TRIAGE_TOVHOLDER, "pk_a", upstream(2))
        service = build_service(settings, h.app, clock)
        (still,) = service.eligible("607")
        assert (still.status, still.revision, still.age_at_incident) == ("eligible", 2, 15)
        assert service.start(start_trivsel()).person_key == "pk_a"


async def test_an_exit_referral_delivered_twice_is_recorded_once_and_not_published(
    settings: CoursesSettings, clock: FakeClock
) -> None:
    async with inbox_harness(definition(settings, clock=clock)) as h:
        for notification_id in (1, 1, 2):
            await h.publish(
                referral_doc(), TRIAGE_EXIT_REFERRALS, "pk_x", upstream(notification_id)
            )
        assert stored(h.app) == ["Received"]
        assert outbox(h.app, courses_publications) == []
        service = build_service(settings, h.app, clock)
        (open_referral,) = service.referrals("376", "referred")
        assert (open_referral.person_key, open_referral.flags) == ("pk_x", ["bande"])


def test_the_programme_started_for_the_referral_marks_it_started(
    settings: CoursesSettings, clock: FakeClock
) -> None:
    service = build_service(settings, build_application(settings), clock)
    service.receive(referral())
    # A programme without the journal number is another referral: it takes up nothing.
    service.start(refer(journal_number=None, on=date(2026, 11, 10)))
    assert [r.status for r in service.referrals("376", None)] == ["referred"]
    programme = service.start(refer())
    (taken,) = service.referrals("376", None)
    assert (taken.status, taken.programme_id) == ("started", str(programme.id))
    assert service.referrals("376", "referred") == []
    # Re-delivery after the start changes nothing.
    assert not service.receive(referral())
    assert service.referrals("376", "started")[0].programme_id == str(programme.id)


# --- HTTP -------------------------------------------------------------------------------------
@dataclass
class Served:
    http: httpx.AsyncClient
    service: CoursesService
    settings: CoursesSettings
    audit: AuditLog
    executor: ThreadPoolExecutor

    def last_audit_entry(self) -> AuditEntry:
        return self.executor.submit(self.audit.search, limit=10_000).result()[-1]


@pytest.fixture
async def served(settings: CoursesSettings, clock: FakeClock) -> AsyncIterator[Served]:
    app = build_application(settings)
    service = build_service(settings, app, clock)
    executor = ThreadPoolExecutor(max_workers=1)
    ctx = ServiceContext("courses", settings, app, executor)
    auth = ServiceAuth(settings, "courses")
    control = auth.access_control(ctx)
    http_app = create_http_app(ctx, service, control)
    transport = httpx.ASGITransport(app=http_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://courses") as http:
        yield Served(http, service, settings, http_app.state.access_control.audit, executor)
    executor.shutdown()
    app.close()
    auth.close()


async def test_the_exit_coordinator_lists_referrals_and_starts_a_programme(
    served: Served,
) -> None:
    served.executor.submit(served.service.receive, referral()).result()
    exit_coordinator = bearer(served.settings, "exit_coordinator", ["376"])
    listed = await served.http.get(
        "/v1/exit-referrals", params={"municipality_code": "376"}, headers=exit_coordinator
    )
    assert listed.status_code == 200, listed.text
    (shown,) = listed.json()["referrals"]
    assert (shown["person_key"], shown["status"], shown["flags"]) == (
        "pk_x",
        "referred",
        ["bande"],
    )
    entry = served.last_audit_entry()
    assert (entry.person_keys, entry.count, entry.action) == (
        ("pk_x",),
        1,
        "exit_referrals.read",
    )

    started = await served.http.post(
        "/v1/exit-programmes", json=refer().model_dump(mode="json"), headers=exit_coordinator
    )
    assert started.status_code == 201, started.text
    still_open = await served.http.get(
        "/v1/exit-referrals", params={"municipality_code": "376"}, headers=exit_coordinator
    )
    assert still_open.json()["referrals"] == []
    taken = await served.http.get(
        "/v1/exit-referrals",
        params={"municipality_code": "376", "status": "started"},
        headers=exit_coordinator,
    )
    (shown,) = taken.json()["referrals"]
    assert shown["programme_id"] == started.json()["course_id"]

    tovholder = bearer(served.settings, "tovholder", ["376"])
    followed = await served.http.get(
        "/v1/exit-referrals",
        params={"municipality_code": "376", "status": "all"},
        headers=tovholder,
    )
    assert [r["status"] for r in followed.json()["referrals"]] == ["started"]


async def test_referrals_are_guarded_like_every_courses_read(served: Served) -> None:
    served.executor.submit(served.service.receive, referral()).result()
    params = {"municipality_code": "376"}
    other_municipality = bearer(served.settings, "exit_coordinator", ["607"])
    outside = await served.http.get("/v1/exit-referrals", params=params, headers=other_municipality)
    assert outside.status_code == 403
    for role in ("team_leader", "management", "caseworker", "police_coordinator"):
        refused = await served.http.get(
            "/v1/exit-referrals", params=params, headers=bearer(served.settings, role, ["376"])
        )
        assert refused.status_code == 403, role
    no_purpose = {
        k: v
        for k, v in bearer(served.settings, "exit_coordinator", ["376"]).items()
        if k != "X-Purpose"
    }
    missing = await served.http.get("/v1/exit-referrals", params=params, headers=no_purpose)
    assert missing.status_code == 400
    assert "pk_x" not in outside.text + missing.text


async def test_the_coordinator_sees_that_a_started_courses_incident_moved(served: Served) -> None:
    run = served.executor.submit
    run(served.service.receive, decision(key="pk_a")).result()
    course = run(served.service.start, start_trivsel()).result()
    run(served.service.receive, handover()).result()
    tovholder = bearer(served.settings, "tovholder", ["607"])
    listed = await served.http.get(
        "/v1/eligibility", params={"municipality_code": "607"}, headers=tovholder
    )
    (moved,) = listed.json()["eligible"]
    assert (moved["status"], moved["course_started"], moved["revoked"]["reason"]) == (
        "revoked",
        True,
        "case_opened_after_routing",
    )
    shown = await served.http.get(f"/v1/courses/{course.id}", headers=tovholder)
    assert shown.status_code == 200, shown.text
    body = shown.json()
    assert (body["version"], body["status"]) == (course.version, "open")  # the course goes on
    assert body["eligibility"]["status"] == "revoked"
    assert body["eligibility"]["revoked"]["revoked_at"].startswith("2026-11-18T10:00:00")
    # Another person of the incident, withdrawn before any course: no longer listed, and a
    # start is refused like for any person who is not eligible.
    run(served.service.receive, decision(key="pk_b")).result()
    run(served.service.receive, withdrawal(key="pk_b")).result()
    listed = await served.http.get(
        "/v1/eligibility", params={"municipality_code": "607"}, headers=tovholder
    )
    assert [e["person_key"] for e in listed.json()["eligible"]] == ["pk_a"]
    refused = await served.http.post(
        "/v1/trivsel-courses",
        json=start_trivsel("pk_b").model_dump(mode="json"),
        headers=tovholder,
    )
    assert (refused.status_code, refused.json()["error"]) == (422, "not_eligible")


def test_a_referral_arriving_after_its_programme_started_is_taken_up_already(
    settings: CoursesSettings, clock: FakeClock
) -> None:
    service = build_service(settings, build_application(settings), clock)
    programme = service.start(refer())
    assert service.receive(referral())
    (taken,) = service.referrals("376", None)
    assert (taken.status, taken.programme_id) == ("started", str(programme.id))
