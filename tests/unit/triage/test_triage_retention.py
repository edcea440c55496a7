"""Issue 18, part 2, triage's part: the weekly meeting's minutes and the concerns on its agenda
are erased the profile's years after the meeting closed (default 5; a municipality's own),
exactly once, on both stores, driven by a clock the test sets; the texts are unreadable in
every stored event, the erasures are counted for `ssp erasure-report`, and a triage rebuilt
from the store erases nothing twice."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.triage.application.meetings import place_concern
from services.triage.application.retention import MeetingRetention
from services.triage.bootstrap import build_keyring
from services.triage.domain.meetings import WeeklyMeeting
from services.triage.domain.profiles import ProfileBook, Retention
from services.triage.settings import TriageSettings
from shared.contracts import ConcernRegistered
from shared.eventstore import UnitOfWork, store_env
from shared.eventstore.daily_job import DailyJob, DailyOutcome
from shared.keys.report import count_erasures
from tests.support import raw_store_bytes
from tests.unit.triage.factories import PROFILES
from tests.unit.triage.lifecycle import CHAIR, Triage

TEXT_607 = "Aftalt: SSP-konsulenten tager kontakt til familien i Fredericia"
TEXT_376 = "Aftalt: politiet orienterer skolen i Nykøbing"
# 2026-W47 ends Monday 23 November 2026, 00:00 UTC.
RECORDED = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
FREDERICIA_DEADLINE = datetime(2031, 11, 23, 0, 0, tzinfo=UTC)  # 5 years (the default)
GULDBORGSUND_DEADLINE = datetime(2028, 11, 23, 0, 0, tzinfo=UTC)  # its own: 2 years


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


PROFILES_WITH_OWN = ProfileBook(
    profiles={
        **PROFILES.profiles,
        "376": PROFILES.profiles["376"].model_copy(
            update={"retention": Retention(meeting_minutes_years=2, concern_years=1)}
        ),
    },
    default=PROFILES.default,
)


@dataclass
class Opened:
    settings: TriageSettings
    triage: Triage
    retention: MeetingRetention
    daily: DailyJob

    def run(self) -> dict[str, int]:
        """The daily job's counts (empty: it ran that day already)."""
        outcome: DailyOutcome = self.daily.run_once()
        return dict(outcome.counts)

    def close(self) -> None:
        self.triage.app.keyring.close()
        self.triage.close()


def opened(tmp_path: Path, store_url: str | None, clock: Clock) -> Opened:
    settings = TriageSettings(SSP_DATABASE_URL=store_url, SSP_DATA_DIR=str(tmp_path))
    triage = Triage.on(store_env(settings, "triage"), keyring=build_keyring(settings))
    retention = MeetingRetention(triage.app, PROFILES_WITH_OWN)
    return Opened(settings, triage, retention, DailyJob(triage.app, "triage", [retention], clock))


@pytest.fixture
def clock() -> Clock:
    return Clock(RECORDED)


@pytest.fixture
def under_test(tmp_path: Path, store_url: str | None, clock: Clock) -> Iterator[Opened]:
    first = opened(tmp_path, store_url, clock)
    try:
        yield first
    finally:
        first.close()


def concern(concern_id: str, code: str) -> ConcernRegistered:
    return ConcernRegistered.model_validate(
        {
            "concern_id": concern_id,
            "person_key": "pk_c",
            "municipality_code": code,
            "school": None,
            "category": "mistrivsel",
            "reporter_kind": "parent",
            "registered_at": "2026-11-17T14:05:00+01:00",
            "iso_week": "2026-W47",
            "accepted_at": "2026-11-17T13:05:01Z",
        }
    )


def record_both(triage: Triage) -> None:
    """A concern on the agenda of each meeting (before it is held), then a note at each."""
    uow = UnitOfWork(triage.app)
    place_concern(uow, concern("c-376", "376"), RECORDED)
    place_concern(uow, concern("c-607", "607"), RECORDED)
    uow.commit()
    triage.minutes.record_note("607", "2026-W47", None, None, TEXT_607, CHAIR, RECORDED)
    triage.minutes.record_note("376", "2026-W47", None, None, TEXT_376, CHAIR, RECORDED)


def counts(triage: Triage) -> dict[str, int]:
    """Per kind, all months together."""
    found: dict[str, int] = {}
    for row in count_erasures(triage.app.keyring.erasures()).rows:
        assert row.reason == "retention_deadline"
        found[row.kind] = found.get(row.kind, 0) + row.count
    return found


def test_each_deadline_is_applied_once_when_it_passes(under_test: Opened, clock: Clock) -> None:
    triage = under_test.triage
    record_both(triage)
    nothing = {"meeting_minutes": 0, "concern": 0}

    clock.now = datetime(2027, 11, 22, 23, 59, tzinfo=UTC)
    assert under_test.run() == nothing
    clock.now = datetime(2027, 11, 23, tzinfo=UTC)  # Guldborgsund's concerns: 1 year
    assert under_test.run() == {"meeting_minutes": 0, "concern": 1}
    clock.now = GULDBORGSUND_DEADLINE
    assert under_test.run() == {"meeting_minutes": 1, "concern": 0}
    assert under_test.run() == {}  # the same day again: the job does not run
    assert under_test.retention(clock.now) == nothing  # and would erase nothing twice
    assert triage.texts("2026-W47") == {None: [TEXT_607]}
    clock.now = datetime(2031, 11, 22, 23, 59, tzinfo=UTC)
    assert under_test.run() == nothing
    clock.now = FREDERICIA_DEADLINE
    assert under_test.run() == {"meeting_minutes": 1, "concern": 1}
    assert triage.texts("2026-W47") == {}
    assert counts(triage) == {"meeting_minutes": 2, "concern": 2}


def test_erased_minutes_show_nothing_and_their_text_opens_from_no_event(
    under_test: Opened, clock: Clock, tmp_path: Path, store_url: str | None
) -> None:
    triage = under_test.triage
    record_both(triage)
    uow = UnitOfWork(triage.app)
    meeting = uow.get(WeeklyMeeting, WeeklyMeeting.create_id("607", "2026-W47"))
    sealed = meeting.notes[0]["text"]
    raw = raw_store_bytes(store_url, tmp_path)
    assert b"pk_c" in raw  # the scan reads the store
    assert TEXT_607.encode() not in raw and TEXT_376.encode() not in raw

    clock.now = FREDERICIA_DEADLINE
    under_test.run()

    assert triage.app.sealer.open(sealed) is None
    read = triage.minutes.minutes("607", "2026-W47").meeting
    assert read is not None
    assert (read.participants, read.notes, read.concerns) == ({}, [], [])
    assert read.held  # a concern arriving for that week now goes to a later meeting


def test_a_rebuilt_triage_erases_nothing_twice_and_places_no_erased_concern_again(
    under_test: Opened, clock: Clock, tmp_path: Path, store_url: str | None
) -> None:
    record_both(under_test.triage)
    clock.now = FREDERICIA_DEADLINE
    assert under_test.run() == {"meeting_minutes": 2, "concern": 2}
    under_test.close()

    again = opened(tmp_path, store_url, clock)
    try:
        assert again.run() == {}  # restarted the same day: the job does not run again
        assert again.retention(clock.now) == {"meeting_minutes": 0, "concern": 0}
        assert again.triage.texts("2026-W47") == {}
        uow = UnitOfWork(again.triage.app)
        replayed = place_concern(uow, concern("c-607", "607"), FREDERICIA_DEADLINE)
        uow.commit()
        assert replayed.iso_week == "2026-W47" and replayed.concerns == []
        assert counts(again.triage) == {"meeting_minutes": 2, "concern": 2}
    finally:
        again.close()
