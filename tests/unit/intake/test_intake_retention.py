"""Issue 18, part 2: the daily retention job erases exactly the persons whose deadline (years
after their last report) has passed, once a day, on both stores, driven by a clock the test
sets; a restart the same day does not run it again."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.intake.application.retention import RetentionJob
from services.intake.domain.retention import MunicipalityRetention, RetentionRules
from services.intake.settings import IntakeSettings
from shared.eventstore.daily_job import DailyJob
from tests.unit.daily_replicas import run_as_replicas
from tests.unit.intake.test_intake_erasure import (
    Intake,
    incident,
    open_intake,
    people,
    raw_store,
    rejected,
)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def opened(tmp_path: Path, store_url: str | None, clock: Clock) -> tuple[Intake, RetentionJob]:
    intake = open_intake(tmp_path, store_url)
    intake.service.clock = clock
    intake.eraser.clock = clock
    return intake, RetentionJob(intake.eraser, intake.settings.retention_rules, clock)


def close(intake: Intake) -> None:
    intake.app.keyring.close()
    intake.app.close()


def erased_after_its_30_days(job: RetentionJob, clock: Clock) -> None:
    """A rejection closed now: kept on its 29th day, erased by the 31st."""
    clock.now = datetime.now(UTC) + timedelta(days=29)
    assert job.run_once().rejections_erased == 0
    clock.now += timedelta(days=2)
    assert job.run_once().rejections_erased == 1


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2020, 3, 1, 10, 0, tzinfo=UTC))


@pytest.fixture
def intake(
    tmp_path: Path, store_url: str | None, clock: Clock
) -> Iterator[tuple[Intake, RetentionJob]]:
    pair = opened(tmp_path, store_url, clock)
    try:
        yield pair
    finally:
        close(pair[0])


def test_the_job_erases_exactly_who_passed_the_deadline_once_a_day(
    intake: tuple[Intake, RetentionJob], clock: Clock, tmp_path: Path, store_url: str | None
) -> None:
    service, job = intake
    old, recent = people(2)
    assert service.service.submit_incident(incident(1, [old, recent])).outcome == "accepted"
    clock.now = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
    assert service.service.submit_incident(incident(2, [recent])).outcome == "accepted"
    old_key, recent_key = service.key_of(old), service.key_of(recent)

    clock.now = datetime(2025, 3, 1, 9, 59, tzinfo=UTC)  # a minute before the five years
    first = job.run_once()
    assert (first.ran, first.persons_erased) == (True, 0)
    clock.now = datetime(2025, 3, 1, 23, 0, tzinfo=UTC)  # past it, but the same day
    assert not job.run_once().ran
    assert service.identities.resolve(old_key) is not None

    clock.now = datetime(2025, 3, 2, 0, 5, tzinfo=UTC)  # the next day
    second = job.run_once()
    assert (second.ran, second.persons_erased) == (True, 1)
    assert service.identities.resolve(old_key) is None
    assert service.identities.resolve(recent_key) is not None  # a report four years later
    erasure = service.app.keyring.erasure_of(old_key)
    assert erasure is not None and erasure.reason == "retention_deadline"
    assert erasure.erased_at == clock.now
    assert not job.run_once().ran

    # A restart the same day (a new process on the same store): the day's run is recorded.
    restarted, again = opened(tmp_path, store_url, clock)
    try:
        assert not again.run_once().ran
        clock.now = datetime(2029, 3, 1, 10, 0, tzinfo=UTC)  # five years after the last report
        late = again.run_once()
        assert (late.ran, late.persons_erased) == (True, 1)
        assert restarted.identities.resolve(recent_key) is None
        clock.now = datetime(2029, 3, 2, 10, 0, tzinfo=UTC)
        assert again.run_once() == type(late)("2029-03-02", ran=True, persons_erased=0)
        reasons = [e.reason for e in restarted.app.keyring.erasures()]
        assert reasons == ["retention_deadline", "retention_deadline"]
    finally:
        close(restarted)


def test_a_municipality_keeps_its_own_deadline_and_the_longest_wins() -> None:
    rules = RetentionRules(
        police_report_years=5,
        by_municipality={
            "607": MunicipalityRetention(police_report_years=10),
            "101": MunicipalityRetention(police_report_years=3),
        },
    )
    last = datetime(2020, 2, 29, 12, 0, tzinfo=UTC)
    assert rules.is_due(last, ["101"], datetime(2023, 2, 28, 12, 0, tzinfo=UTC))
    assert not rules.is_due(last, ["101"], datetime(2023, 2, 28, 11, 59, tzinfo=UTC))
    assert not rules.is_due(last, ["101", "607"], datetime(2029, 1, 1, tzinfo=UTC))
    assert rules.is_due(last, ["101", "607"], datetime(2030, 2, 28, 12, 0, tzinfo=UTC))
    assert not rules.is_due(last, ["999"], datetime(2025, 2, 28, 11, 0, tzinfo=UTC))
    assert rules.is_due(last, [], datetime(2025, 2, 28, 12, 0, tzinfo=UTC))
    assert rules.shortest_years() == 3


def test_the_rules_are_settings_with_the_kle_default() -> None:
    assert IntakeSettings().retention_rules == RetentionRules(police_report_years=5)
    configured = IntakeSettings(
        INTAKE_RETENTION_BY_MUNICIPALITY={"607": {"police_report_years": 10}}
    ).retention_rules
    assert configured.years_for(["607"]) == 10


def test_the_scheduled_task_runs_in_one_replica_and_logs_counts_only(
    tmp_path: Path, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """Two replicas on one SQLite store (the file lock): the job runs once for the day, and
    its log names how many, never whom."""
    first, job = opened(tmp_path, None, clock)
    second, other_job = opened(tmp_path, None, clock)
    person = people(1)[0]
    assert first.service.submit_incident(incident(1, [person])).outcome == "accepted"
    key = first.key_of(person)
    clock.now = datetime(2025, 3, 2, 10, 0, tzinfo=UTC)
    try:
        with caplog.at_level(logging.INFO):
            jobs = [
                DailyJob(i.app, "intake", [j], clock)
                for i, j in ((first, job), (second, other_job))
            ]
            run_as_replicas(first.settings, jobs)
        assert first.identities.resolve(key) is None
        assert [e.reason for e in first.app.keyring.erasures()] == ["retention_deadline"]
        assert "person=1" in caplog.text
        assert key not in caplog.text
        assert not other_job.run_once().ran  # the day's run is recorded in the store
        assert (tmp_path / "intake.retention.lock").exists()  # the leader lock
    finally:
        close(first)
        close(second)


def test_a_closed_rejection_naming_no_one_is_made_unreadable_after_its_days(
    intake: tuple[Intake, RetentionJob], clock: Clock
) -> None:
    """Its closing time is when the store recorded it (the wall clock), so the job's clock
    is set from now."""
    service, job = intake
    clock.now = datetime.now(UTC)
    closed = service.service.submit_incident(rejected([]))
    still_open = service.service.submit_incident(
        json.dumps({**json.loads(rejected([])), "journal_number": "3700-80123-00777-26"}).encode()
    )
    assert closed.reference is not None and still_open.reference is not None
    assert b"i g" in service.service.original_of(service.service.rejected_input(closed.reference))
    person = people(1)[0]
    corrected = json.loads(incident(99, [person]))
    result = service.service.resubmit(closed.reference, json.dumps(corrected).encode())
    assert result.outcome == "accepted"

    erased_after_its_30_days(job, clock)
    gone = service.service.original_of(service.service.rejected_input(closed.reference))
    assert json.loads(gone) == {"withheld": "erased", "persons": []}
    kept = service.service.original_of(service.service.rejected_input(still_open.reference))
    assert b"i g" in kept  # open: kept until it is corrected
    assert service.identities.resolve(service.key_of(person)) is not None
    erasures = [(e.kind, e.reason) for e in service.app.keyring.erasures()]
    assert erasures == [("rejected_input", "case_closed")]
    clock.now += timedelta(days=1)
    assert job.run_once().rejections_erased == 0  # once


def test_a_closed_rejection_naming_persons_is_made_unreadable_while_they_stay(
    intake: tuple[Intake, RetentionJob], clock: Clock, tmp_path: Path
) -> None:
    """Sealed also under the rejection's own key: destroying it after the deadline leaves
    neither the original nor any person's part readable, and the persons themselves intact."""
    service, job = intake
    clock.now = datetime.now(UTC)  # the closing time is the store's (the wall clock)
    named = people(2)
    closed = service.service.submit_incident(rejected(named))
    assert closed.reference is not None
    original = service.service.original_of(service.service.rejected_input(closed.reference))
    assert named[0].name.encode() in original and named[1].name.encode() in original
    result = service.service.resubmit(closed.reference, incident(99, named))
    assert result.outcome == "accepted"

    erased_after_its_30_days(job, clock)
    gone = service.service.original_of(service.service.rejected_input(closed.reference))
    assert json.loads(gone) == {"withheld": "erased", "persons": [{"withheld": "erased"}] * 2}
    for person in named:
        assert service.identities.resolve(service.key_of(person)) is not None  # they stay
        assert not any(trace in raw_store(service, tmp_path) for trace in person.traces())
    erasures = [(e.owner, e.kind, e.reason) for e in service.app.keyring.erasures()]
    assert erasures == [(f"rejection:{closed.reference}", "rejected_input", "case_closed")]


def test_a_municipality_keeps_closed_rejected_input_its_own_days(
    intake: tuple[Intake, RetentionJob], clock: Clock
) -> None:
    service, _ = intake
    rules = RetentionRules(by_municipality={"607": MunicipalityRetention(rejected_input_days=60)})
    job = RetentionJob(service.eraser, rules, clock)
    clock.now = datetime.now(UTC)
    references = {}
    for journal, code in ((201, "607"), (202, "376")):
        document = json.loads(rejected([]))
        document["journal_number"] = f"3700-80123-{journal:05d}-26"
        document["location"]["municipality_code"] = code
        rejection = service.service.submit_incident(json.dumps(document).encode())
        assert rejection.reference is not None
        references[code] = rejection.reference
        corrected = json.loads(incident(journal, people(1)))
        corrected["location"]["municipality_code"] = code
        resubmitted = service.service.resubmit(rejection.reference, json.dumps(corrected).encode())
        assert resubmitted.outcome == "accepted"

    clock.now = datetime.now(UTC) + timedelta(days=31)
    assert job.run_once().rejections_erased == 1  # 376: the default 30 days
    assert [e.owner for e in service.app.keyring.erasures()] == [f"rejection:{references['376']}"]
    clock.now += timedelta(days=28)
    assert job.run_once().rejections_erased == 0  # 607: 60 days
    clock.now += timedelta(days=2)
    assert job.run_once().rejections_erased == 1


def test_rejected_input_days_per_municipality_the_longest_wins() -> None:
    rules = RetentionRules(
        rejected_input_days=30,
        by_municipality={
            "607": MunicipalityRetention(rejected_input_days=60),
            "101": MunicipalityRetention(rejected_input_days=7, police_report_years=3),
            "376": MunicipalityRetention(police_report_years=10),
        },
    )
    assert rules.days_for([]) == 30
    assert rules.days_for(["101"]) == 7
    assert rules.days_for(["101", "607"]) == 60
    assert rules.days_for(["376"]) == 30  # its own years only: the default days
    assert rules.years_for(["607"]) == 5  # its own days only: the default years
    assert rules.shortest_years() == 3
    closed = datetime(2026, 1, 1, tzinfo=UTC)
    assert rules.rejection_is_due(closed, datetime(2026, 1, 8, tzinfo=UTC), ["101"])
    assert not rules.rejection_is_due(closed, datetime(2026, 1, 8, tzinfo=UTC), ["101", "607"])
    configured = IntakeSettings(
        INTAKE_RETENTION_BY_MUNICIPALITY={"607": {"rejected_input_days": 60}}
    ).retention_rules
    assert configured.days_for(["607"]) == 60 and configured.years_for(["607"]) == 5


def test_a_person_known_only_from_a_concern_is_erased_after_the_deadline(
    intake: tuple[Intake, RetentionJob], clock: Clock
) -> None:
    """A concern about a young person no police report names starts their deadline as a
    report does; without it they would be kept for ever."""
    from tests.unit.concerns.documents import concern

    service, job = intake
    document = concern("c-retention")
    assert service.service.submit_concern(json.dumps(document).encode()).outcome == "accepted"
    key = service.service.pseudonymiser.person_key(document["cpr"])

    clock.now = datetime(2025, 3, 1, 9, 59, tzinfo=UTC)  # a minute before the five years
    assert job.run_once().persons_erased == 0
    clock.now = datetime(2025, 3, 2, 10, 0, tzinfo=UTC)
    assert job.run_once().persons_erased == 1
    erasure = service.app.keyring.erasure_of(key)
    assert erasure is not None and erasure.reason == "retention_deadline"
