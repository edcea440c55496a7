"""Issue 18, part 2: courses' retention step, driven by a clock the test sets, on SQLite and
PostgreSQL, erases exactly the courses and follow-up actions whose deadline (years after
closing, per municipality) has passed, once: their own key destroyed (their text unreadable,
the person's other records readable), the record marked erased and published as `erased`,
counted for `ssp erasure-report`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from services.courses.adapters.publications import courses_publications
from services.courses.application.commands.exit_programme import DeclineReferral
from services.courses.application.service import CourseNotFound
from services.courses.bootstrap import definition
from services.courses.domain.course import Course
from services.courses.settings import CoursesSettings
from shared.contracts import COURSES_EVENTS, COURSES_FOLLOW_UPS
from shared.eventstore.daily_job import DailyJob
from shared.keys.report import count_erasures
from tests.unit.courses import erasure_support as support
from tests.unit.courses.factories import FakeClock

FIVE_YEARS = datetime(2031, 11, 16, 9, 0, tzinfo=UTC)  # the factories' T0 + 5 years


@pytest.fixture
def courses(tmp_path: Path, store_url: str | None, clock: FakeClock) -> Iterator[support.Courses]:
    opened = support.open_courses(
        tmp_path,
        store_url,
        clock,
        COURSES_RETENTION_BY_MUNICIPALITY={"376": {"years_after_closing": 10}},
    )
    try:
        yield opened
    finally:
        opened.close()


def wrapped_key(courses: support.Courses, owner: str) -> bytes:
    with courses.service.keyring.engine.connect() as conn:
        return bytes(
            conn.execute(
                text("SELECT wrapped FROM courses_person_keys WHERE owner = :o"), {"o": owner}
            ).scalar_one()
        )


def test_retention_erases_exactly_what_passed_its_deadline_once(
    courses: support.Courses, clock: FakeClock, tmp_path: Path
) -> None:
    service = courses.service
    closed_first = support.start_trivsel(service, "pk_a")  # closed at T0: due after 5 years
    its_follow_up = support.record_follow_up(service, "pk_a", course_id=closed_first.id)
    support.close_trivsel(service, closed_first)
    support.record_follow_up(service, "pk_c")  # no next step: over at T0
    declined = support.start_exit(service, "pk_d", date(2026, 11, 2))  # Guldborgsund: 10 years
    service.execute(declined.id, DeclineReferral(expected_version=2, reason="not_motivated"))
    open_one = support.start_exit(service, "pk_e", date(2026, 11, 3))  # never closed: never due
    closed_later = support.start_trivsel(service, "pk_b")
    clock.advance(days=365)
    support.close_trivsel(service, closed_later)  # due a year later than the first
    other_record = support.record_follow_up(service, "pk_a")  # the same person's: its own deadline
    course_key = wrapped_key(courses, f"course:{closed_first.id}")

    retention = service.retention
    assert retention(datetime(2031, 11, 16, 8, 59, tzinfo=UTC)) == {"course": 0, "follow_up": 0}
    assert retention(FIVE_YEARS) == {"course": 1, "follow_up": 2}
    assert retention(FIVE_YEARS) == {"course": 0, "follow_up": 0}  # once

    with pytest.raises(CourseNotFound):
        service.course(closed_first.id)
    for kept in (declined.id, open_one.id, closed_later.id):
        assert service.index.summary(kept) is not None
    assert {a.action_id for a in service.index.follow_ups.closed()} == {other_record.id}
    texts = support.readable(service.texts, courses.app)
    assert (
        support.text_of("pk_a", "rationale") not in texts
        and support.text_of("pk_c", "follow-up") not in texts
    )
    assert support.text_of("pk_a", "follow-up") in texts  # the person's other record: own deadline
    assert support.text_of("pk_b", "goal") in texts
    assert course_key not in courses.raw(tmp_path)

    # Published: the course's and the actions' `erased`, so reporting learns of it.
    erased_events = [
        e for e in courses.app.events.get(closed_first.id) if isinstance(e, Course.Erased)
    ]
    [published] = courses_publications(erased_events[0])
    assert published.topic == COURSES_EVENTS
    assert json.loads(published.body())["event"] == "erased"
    last = list(courses.app.events.get(its_follow_up.id))[-1]
    [published] = courses_publications(last)
    assert (published.topic, json.loads(published.body())["event"]) == (
        COURSES_FOLLOW_UPS,
        "erased",
    )

    assert retention(datetime(2032, 11, 17, tzinfo=UTC)) == {"course": 1, "follow_up": 1}
    assert retention(datetime(2036, 11, 17, tzinfo=UTC)) == {"course": 1, "follow_up": 0}
    report = count_erasures(service.keyring.erasures(), {"course", "follow_up"})
    assert [(r.kind, r.month, r.reason, r.count) for r in report.rows] == [
        ("course", "2031-11", "retention_deadline", 1),
        ("course", "2032-11", "retention_deadline", 1),
        ("course", "2036-11", "retention_deadline", 1),
        ("follow_up", "2031-11", "retention_deadline", 2),
        ("follow_up", "2032-11", "retention_deadline", 1),
    ]


def test_the_daily_job_runs_retention_once_a_day_also_after_a_restart(
    courses: support.Courses, clock: FakeClock, tmp_path: Path, store_url: str | None
) -> None:
    service = courses.service
    support.close_trivsel(service, support.start_trivsel(service, "pk_a"))
    clock.now = FIVE_YEARS
    job = DailyJob(courses.app, "courses", [service.retention], clock)
    first = job.run_once()
    assert (first.ran, dict(first.counts)) == (True, {"course": 1, "follow_up": 0})
    assert not job.run_once().ran
    restarted = support.open_courses(tmp_path, store_url, clock)
    try:
        again = DailyJob(restarted.app, "courses", [restarted.service.retention], clock)
        assert not again.run_once().ran  # the same day, after a restart: not again
        clock.advance(days=1)
        later = again.run_once()
        assert (later.ran, dict(later.counts)) == (True, {"course": 0, "follow_up": 0})
    finally:
        restarted.close()


def test_courses_declare_their_retention_as_a_daily_step() -> None:
    assert len(definition(CoursesSettings(SSP_DATABASE_URL="memory")).daily_steps) == 1
