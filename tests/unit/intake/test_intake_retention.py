"""Issue 18, part 2: the daily retention job erases exactly the persons whose deadline (years
after their last report) has passed, once a day, on both stores, driven by a clock the test
sets; a restart the same day does not run it again."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.intake.application.retention import RetentionJob
from services.intake.domain.retention import MunicipalityRetention, RetentionRules
from services.intake.settings import IntakeSettings
from shared.eventstore.daily_job import DailyJob
from shared.runtime import ServiceContext, run_daily
from tests.unit.intake.test_intake_erasure import (
    Intake,
    incident,
    open_intake,
    people,
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
    settings = first.settings

    async def both_replicas() -> None:
        with ThreadPoolExecutor(1) as one, ThreadPoolExecutor(1) as two:
            tasks = [
                asyncio.create_task(
                    run_daily(
                        ServiceContext("intake", settings, i.app, pool),
                        DailyJob(i.app, "intake", [j], clock),
                        0.02,
                    )
                )
                for i, j, pool in ((first, job, one), (second, other_job, two))
            ]
            await asyncio.sleep(0.5)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    try:
        with caplog.at_level(logging.INFO):
            asyncio.run(both_replicas())
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

    clock.now = datetime.now(UTC) + timedelta(days=29)
    assert job.run_once().rejections_erased == 0
    clock.now += timedelta(days=2)
    assert job.run_once().rejections_erased == 1
    gone = service.service.original_of(service.service.rejected_input(closed.reference))
    assert json.loads(gone) == {"withheld": "erased", "persons": []}
    kept = service.service.original_of(service.service.rejected_input(still_open.reference))
    assert b"i g" in kept  # open: kept until it is corrected
    assert service.identities.resolve(service.key_of(person)) is not None
    erasures = [(e.kind, e.reason) for e in service.app.keyring.erasures()]
    assert erasures == [("rejected_input", "case_closed")]
    clock.now += timedelta(days=1)
    assert job.run_once().rejections_erased == 0  # once
