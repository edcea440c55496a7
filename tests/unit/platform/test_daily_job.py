"""The shared daily job (shared/eventstore/daily_job.py): at most once per UTC day per service,
across restarts and replicas, on both stores, driven by a clock the test sets; its lock is a
named service lock of its own, not the relay's."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from shared.eventstore.application import ServiceApplication, store_env
from shared.eventstore.daily_job import DailyJob, DailyRun
from shared.messaging.leader import FileLock, relay_lock, service_lock
from shared.settings import PlatformSettings
from tests.unit.daily_replicas import run_as_replicas


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Counting:
    """A step that counts its calls (and reports them as its count)."""

    def __init__(self) -> None:
        self.calls: list[datetime] = []

    def __call__(self, now: datetime) -> dict[str, int]:
        self.calls.append(now)
        return {"thing": 1}


def settings_for(tmp_path: Path, store_url: str | None) -> PlatformSettings:
    return PlatformSettings(SSP_DATA_DIR=tmp_path, SSP_DATABASE_URL=store_url)


def open_app(settings: PlatformSettings) -> ServiceApplication:
    return ServiceApplication(env=store_env(settings, "notes"))


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 3, 1, 23, 59, tzinfo=UTC))


@pytest.fixture
def settings(tmp_path: Path, store_url: str | None) -> PlatformSettings:
    return settings_for(tmp_path, store_url)


@pytest.fixture
def apps(settings: PlatformSettings) -> Iterator[list[ServiceApplication]]:
    opened: list[ServiceApplication] = []
    try:
        yield opened
    finally:
        for app in opened:
            app.close()


def test_the_job_runs_once_a_utc_day_across_a_restart(
    settings: PlatformSettings, apps: list[ServiceApplication], clock: Clock
) -> None:
    apps.append(open_app(settings))
    step = Counting()
    job = DailyJob(apps[0], "notes", [step, step], clock)
    first = job.run_once()
    assert (first.day, first.ran, dict(first.counts)) == ("2026-03-01", True, {"thing": 2})
    assert not job.run_once().ran
    clock.now = datetime(
        2026, 3, 2, 0, 30, tzinfo=timezone(timedelta(hours=1))
    )  # 23:30 UTC the 1st
    assert not job.run_once().ran
    assert step.calls == [datetime(2026, 3, 1, 23, 59, tzinfo=UTC)] * 2

    apps.append(open_app(settings))  # a restart: a new process on the same store
    again = DailyJob(apps[1], "notes", [step], clock)
    assert not again.run_once().ran
    clock.now = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
    assert again.run_once().ran
    assert len(step.calls) == 3
    marker: DailyRun = apps[1].repository.get(
        DailyRun.create_id("notes", "retention", "2026-03-02")
    )
    assert (marker.day, marker.counts) == ("2026-03-02", {"thing": 1})
    # Another job of the service, or the same job of another service, has a day of its own.
    assert DailyJob(apps[1], "notes", [step], clock, job="other").run_once().ran
    assert DailyJob(apps[1], "courses", [step], clock).run_once().ran


def test_a_second_replica_overlapping_stores_no_second_marker(
    settings: PlatformSettings,
    apps: list[ServiceApplication],
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Two replicas that both found the day not yet run (a lost lock): both steps run (they
    must be idempotent), one marker is stored, the other's IntegrityError is only logged."""
    apps.extend([open_app(settings), open_app(settings)])
    other = DailyJob(apps[1], "notes", [Counting()], clock)
    outcomes = []

    def overlapping(now: datetime) -> dict[str, int]:
        outcomes.append(other.run_once())  # the other replica finishes first
        return {"thing": 5}

    with caplog.at_level(logging.INFO):
        first = DailyJob(apps[0], "notes", [overlapping], clock).run_once()
    assert first.ran and outcomes[0].ran
    assert "recorded by another replica" in caplog.text
    marker: DailyRun = apps[0].repository.get(
        DailyRun.create_id("notes", "retention", "2026-03-01")
    )
    assert marker.counts == {"thing": 1}  # the other replica's
    assert not DailyJob(apps[0], "notes", [overlapping], clock).run_once().ran


def test_two_replicas_running_the_task_run_the_job_once(
    tmp_path: Path, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    """On one SQLite store (the file lock "notes.retention.lock", not the relay's)."""
    settings = settings_for(tmp_path, None)
    first, second = open_app(settings), open_app(settings)
    steps = [Counting(), Counting()]

    try:
        with caplog.at_level(logging.INFO):
            run_as_replicas(
                settings,
                [
                    DailyJob(a, "notes", [s], clock)
                    for a, s in zip((first, second), steps, strict=True)
                ],
            )
        assert len(steps[0].calls) + len(steps[1].calls) == 1
        assert "notes: retention job for 2026-03-01 done: thing=1" in caplog.text
        assert (tmp_path / "notes.retention.lock").exists()
        assert not (tmp_path / "notes.relay.lock").exists()
    finally:
        first.close()
        second.close()


def test_a_service_lock_per_purpose_and_the_relay_lock_unchanged(tmp_path: Path) -> None:
    sqlite = settings_for(tmp_path, None)
    relay, daily = relay_lock(sqlite, "notes"), service_lock(sqlite, "notes", "retention")
    assert isinstance(relay, FileLock) and isinstance(daily, FileLock)
    assert relay.path == tmp_path / "notes.relay.lock"
    assert daily.path == tmp_path / "notes.retention.lock"

    async def both_held() -> None:
        await relay.acquire()
        await asyncio.wait_for(daily.acquire(), 5)  # not blocked by the relay's
        await daily.release()
        await relay.release()

    asyncio.run(both_held())
    postgres = PlatformSettings(SSP_DATABASE_URL="postgresql://u@h/db")
    names = [getattr(service_lock(postgres, "notes", p), "name", None) for p in ("relay", "x")]
    assert names == ["ssp-relay:notes", "ssp-x:notes"]
    assert service_lock(PlatformSettings(SSP_DATABASE_URL="memory"), "notes", "x") is None
