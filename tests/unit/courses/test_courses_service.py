"""Courses' use cases on SQLite and on PostgreSQL: eligibility from routing decisions,
starting and changing courses with version checks, deadlines raised exactly once (also after a
restart), snapshots of long programmes, and an old event version that still loads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from eventsourcing.persistence import StoredEvent

from services.courses.application.app import SNAPSHOT_INTERVAL, CoursesApplication
from services.courses.application.commands import acute, exit_programme, trivsel
from services.courses.application.service import CourseNotFound, CoursesService
from services.courses.bootstrap import build_application, build_service
from services.courses.domain.course import CourseExists, VersionConflict
from services.courses.domain.eligibility import NotEligible
from services.courses.domain.exit_programme import ExitProgramme
from services.courses.domain.trivsel import TrivselCourse
from services.courses.entrypoints.views import course_body
from services.courses.settings import CoursesSettings
from tests.unit.courses.factories import JOURNAL, FakeClock, decision


class Stores:
    """The service on one store, restartable (a new application on the same database)."""

    def __init__(self, settings: CoursesSettings, clock: FakeClock) -> None:
        self.settings = settings
        self.clock = clock
        self.apps: list[CoursesApplication] = []
        self.service = self.restart()

    def restart(self) -> CoursesService:
        app = build_application(self.settings)
        self.apps.append(app)
        self.service = build_service(self.settings, app, self.clock)
        return self.service

    def close(self) -> None:
        for app in self.apps:
            app.close()


@pytest.fixture
def stores(store_url: str | None, tmp_path: Path, clock: FakeClock) -> Iterator[Stores]:
    settings = CoursesSettings(SSP_DATABASE_URL=store_url, SSP_DATA_DIR=str(tmp_path))
    s = Stores(settings, clock)
    yield s
    s.close()


def start_trivsel(service: CoursesService, key: str = "pk_a") -> TrivselCourse:
    course = service.start(
        trivsel.StartTrivsel(
            person_key=key,
            journal_number=JOURNAL,
            step=2,
            rationale="",
            coordinator="ABJ",
            local_leader="KLM",
        )
    )
    assert isinstance(course, TrivselCourse)
    return course


def active_exit(service: CoursesService, clock: FakeClock) -> ExitProgramme:
    programme = service.start(
        exit_programme.ReferToExitProgramme(
            person_key="pk_x",
            municipality_code="376",
            age_at_referral=17,
            referred_by="police",
            referred_on=clock().date(),
            coordinator="EXK",
        )
    )
    programme = service.execute(
        programme.id,
        exit_programme.RecordClarifyingTalk(
            expected_version=1, with_police=True, in_target_group="yes", motivated="yes"
        ),
    )
    programme = service.execute(
        programme.id, exit_programme.AcceptIntoProgramme(expected_version=2)
    )
    assert isinstance(programme, ExitProgramme)
    return programme


def test_a_tovholder_decision_makes_the_person_eligible_for_one_course(stores: Stores) -> None:
    service = stores.service
    assert service.receive_decision(decision(key="pk_a", age=14)) is True
    assert service.receive_decision(decision(key="pk_a", age=14)) is False  # the same decision
    assert service.receive_decision(decision(key="pk_c", route="caseworker")) is False
    (eligible,) = service.eligible("607")
    assert (eligible.person_key, eligible.course_started) == ("pk_a", False)

    course = start_trivsel(service)
    assert (course.version, course.workflow, course.municipality_code) == (1, "minor", "607")
    assert [e.course_started for e in service.eligible("607")] == [True]
    with pytest.raises(CourseExists):
        start_trivsel(service)
    with pytest.raises(NotEligible):
        start_trivsel(service, key="pk_c")


def test_a_command_names_the_version_it_was_issued_against(stores: Stores) -> None:
    service = stores.service
    service.receive_decision(decision())
    course = start_trivsel(service)
    changed = service.execute(course.id, trivsel.RequestConsent(expected_version=1))
    assert changed.version == 2
    with pytest.raises(VersionConflict) as conflict:
        service.execute(course.id, trivsel.RecordConsent(expected_version=1, answer="given"))
    assert conflict.value.details == {"expected_version": 1, "current_version": 2}
    reloaded = service.course(course.id)
    assert isinstance(reloaded, TrivselCourse)
    assert reloaded.consent_status == "requested"


def test_a_command_for_another_kind_of_course_finds_no_course(stores: Stores) -> None:
    service = stores.service
    service.receive_decision(decision())
    course = start_trivsel(service)
    with pytest.raises(CourseNotFound):
        service.execute(course.id, exit_programme.AcceptIntoProgramme(expected_version=1))


def test_deadlines_are_raised_once_even_after_a_restart(stores: Stores, clock: FakeClock) -> None:
    service = stores.service
    service.receive_decision(decision())
    course = start_trivsel(service)
    service.execute(course.id, trivsel.RequestConsent(expected_version=1))
    active_exit(service, clock)
    service.start(
        acute.StartAcuteProcedure(
            municipality_code="607",
            reference="brand-skole",
            journal_number=JOURNAL,
            director="DIR",
            head_of_department="FCH",
        )
    )
    assert service.emit_overdue(clock()) == 0
    # 16 Nov + 46 days: consent pending, the letter past due, December without a meeting.
    clock.advance(days=46)
    assert service.emit_overdue(clock()) == 3
    assert service.emit_overdue(clock()) == 0
    assert stores.restart().emit_overdue(clock()) == 0
    overdue = [
        type(e).__name__
        for summary in stores.service.summaries("607", None, None)
        + stores.service.summaries("376", None, None)
        for e in stores.service.course_events(summary.course_id)
        if "Overdue" in type(e).__name__ or "Missed" in type(e).__name__
    ]
    assert sorted(overdue) == ["ConsentOverdue", "MeetingMissed", "StandardLetterOverdue"]
    assert {s.course_type for s in stores.service.summaries("607", None, "open")} == {
        "trivsel_plus",
        "acute_procedure",
    }
    assert [s.course_type for s in stores.service.summaries("376", None, None)] == [
        "exit_programme"
    ]


def test_a_long_programme_is_snapshotted_and_loads_as_its_events_say(
    stores: Stores, clock: FakeClock
) -> None:
    service = stores.service
    programme = active_exit(service, clock)
    for _ in range(SNAPSHOT_INTERVAL):
        clock.advance(days=1)
        programme = service.execute(
            programme.id,
            exit_programme.RecordMeeting(expected_version=programme.version, departments=["SSP"]),
        )
    app = stores.apps[-1]
    assert app.snapshots is not None
    snapshots = list(app.snapshots.get(programme.id))
    assert [s.originator_version for s in snapshots] == [SNAPSHOT_INTERVAL]
    from_snapshot = stores.restart().course(programme.id)
    replayed = None
    for e in app.events.get(programme.id):
        replayed = e.mutate(replayed)
    assert isinstance(replayed, ExitProgramme)
    assert course_body(from_snapshot) == course_body(replayed)
    assert len(replayed.meetings) == SNAPSHOT_INTERVAL


def test_a_version_1_meeting_event_still_loads(stores: Stores, clock: FakeClock) -> None:
    service = stores.service
    programme = active_exit(service, clock)
    app = stores.apps[-1]
    # A meeting as version 1 of the event stored it: no class_version, no departments.
    current = ExitProgramme.MeetingHeld(
        originator_id=programme.id,
        originator_version=programme.version + 1,
        timestamp=datetime(2026, 11, 20, tzinfo=UTC),
        trace_context={},
        at=datetime(2026, 11, 20, tzinfo=UTC),
        course=programme.facts_now(),
        held_on=date(2026, 11, 20),
        departments=["ignored"],
        note="",
    )
    stored = app.mapper.to_stored_event(current)
    state = json.loads(stored.state)
    assert state.pop("class_version") == 2
    del state["departments"]
    app.recorder.insert_events(
        [
            StoredEvent(
                originator_id=stored.originator_id,
                originator_version=stored.originator_version,
                topic=stored.topic,
                state=json.dumps(state).encode(),
            )
        ]
    )
    loaded = stores.restart().course(programme.id)
    assert isinstance(loaded, ExitProgramme)
    assert loaded.meetings == [{"held_on": date(2026, 11, 20), "departments": [], "note": ""}]


def test_a_concurrent_save_by_another_process_is_a_version_conflict(stores: Stores) -> None:
    first = stores.service
    first.receive_decision(decision())
    course = start_trivsel(first)
    second = Stores(stores.settings, stores.clock)  # another process on the same database

    class RequestConsentWhileSomeoneElseWrites(trivsel.RequestConsent):
        def run(self, course: TrivselCourse, at: datetime) -> None:
            # Between our load and our save, the other process records a follow-up.
            second.service.execute(
                course.id, trivsel.RecordFollowUp(expected_version=1, kind="skolebesoeg")
            )
            super().run(course, at)

    try:
        with pytest.raises(VersionConflict):
            first.execute(course.id, RequestConsentWhileSomeoneElseWrites(expected_version=1))
        reloaded = first.course(course.id)
        assert isinstance(reloaded, TrivselCourse)
        assert (reloaded.version, reloaded.consent_status) == (2, "not_requested")
    finally:
        second.close()
