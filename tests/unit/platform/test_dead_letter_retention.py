"""Dead letters have a deadline (issue 18, part 2): a dead letter's original bytes are sealed
under a key of its own in the service's keyring, readable (and replayable from the dead-letter
topic) until the daily job destroys that key `SSP_RETENTION_DEAD_LETTER_DAYS` after it was
kept: once, across a restart and two replicas, on both stores. The raw store holds the
plaintext never; after the deadline nothing opens it, and the relay republishing sends the
record without it, saying after how many days it was erased."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from shared.contracts import dead_letter_topic
from shared.eventstore.application import ServiceApplication, store_env
from shared.eventstore.daily_job import DailyJob
from shared.keys.service_keyring import open_service_keyring
from shared.messaging.dead_letter_retention import DeadLetterRetention
from shared.messaging.dead_letters import (
    DLQ_HEADER_ERASED,
    DeadLetter,
    Original,
    Refused,
    dead_letter_publications,
    for_publication,
    original_of,
)
from shared.messaging.inbound import Inbound
from shared.messaging.inbox import InboxRuntime
from shared.runtime import ServiceDefinition
from shared.service_topics import topic_configs
from shared.settings import PlatformSettings
from tests.unit.daily_replicas import run_as_replicas

SECRET = b"Jens Hansen 010203-1234 narrative"
KEY = b"3700-80123-00001-26"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Notes:
    """A service (triage) as the runtime opens it: its store and a keyring of its own."""

    settings: PlatformSettings
    app: ServiceApplication

    @classmethod
    def open(cls, settings: PlatformSettings) -> Notes:
        app = ServiceApplication(env=store_env(settings, "triage"))
        app.keyring = open_service_keyring(settings, "triage")
        return cls(settings, app)

    def daily(self, clock: Clock) -> DailyJob:
        assert self.app.keyring is not None
        step = DeadLetterRetention(
            self.app, self.app.keyring, self.settings.retention_dead_letter_days
        )
        return DailyJob(self.app, "triage", [step], clock)

    def close(self) -> None:
        assert self.app.keyring is not None
        self.app.keyring.close()
        self.app.close()


def dead_letter(
    app: ServiceApplication, offset: int, kept_at: datetime, monkeypatch: pytest.MonkeyPatch
) -> DeadLetter:
    """Kept as the inbox keeps one (`InboxRuntime._dead_letter`), at `kept_at`."""
    monkeypatch.setattr(DeadLetter.Recorded, "create_timestamp", staticmethod(lambda: kept_at))
    inbox = InboxRuntime(service="triage", app=app, handler=lambda b: None, executor=None)  # type: ignore[arg-type]
    message = Inbound("ssp.police.incidents.v1", 0, offset, KEY, SECRET + str(offset).encode())
    inbox._dead_letter(message, "ValidationError", 5)
    monkeypatch.undo()
    letter: DeadLetter = app.repository.get(DeadLetter.id_for("triage", message))
    return letter


def stored(app: ServiceApplication, letter: DeadLetter) -> DeadLetter.Recorded:
    """The dead letter's stored event, as the relay reads it from the log."""
    [event] = app.repository.event_store.get(letter.id)
    assert isinstance(event, DeadLetter.Recorded)
    return event


def published(app: ServiceApplication, letter: DeadLetter) -> Any:
    """What the relay publishes for it (on its dead-letter topic)."""
    [record] = dead_letter_publications(for_publication(stored(app, letter), app.keyring))
    return record


KEPT = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path: Path, store_url: str | None) -> PlatformSettings:
    return PlatformSettings(SSP_DATA_DIR=tmp_path, SSP_DATABASE_URL=store_url)


@pytest.fixture
def notes(settings: PlatformSettings) -> Iterator[Notes]:
    service = Notes.open(settings)
    try:
        yield service
    finally:
        service.close()


def raw_store_holds(settings: PlatformSettings, tmp_path: Path, needle: bytes) -> bool:
    """Whether any byte of the service's SQLite files, or any row of any table of its
    PostgreSQL database, contains `needle` (plain or base64, as JSON would hold it)."""
    needles = [needle, base64.b64encode(needle)]
    if settings.database_url is None:
        return any(n in f.read_bytes() for f in tmp_path.rglob("*.sqlite*") for n in needles)
    with psycopg.connect(settings.database_url) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
        for (table,) in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"').fetchall():
                text = repr(row).encode()
                raw = b"".join(bytes(v) for v in row if isinstance(v, (bytes, memoryview)))
                if any(n in text or n in raw for n in needles):
                    return True
    return False


def test_a_dead_letter_is_readable_until_its_deadline_then_erased_once(
    notes: Notes, settings: PlatformSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = dead_letter(notes.app, 1, KEPT, monkeypatch)
    later = dead_letter(notes.app, 2, KEPT + timedelta(days=2), monkeypatch)
    assert first.sealed is not None and first.value_b64 == "" and first.key_b64 is None
    assert original_of(first, notes.app.keyring) == Original(KEY, SECRET + b"1")
    record = published(notes.app, first)
    assert (record.value, record.key) == (SECRET + b"1", KEY.decode())  # replayable
    assert DLQ_HEADER_ERASED not in record.headers
    assert not raw_store_holds(settings, tmp_path, SECRET)  # sealed from the start

    clock = Clock(KEPT + timedelta(days=29, hours=23))
    job = notes.daily(clock)
    assert dict(job.run_once().counts) == {"dead_letter": 0}
    clock.now = KEPT + timedelta(days=31)  # past the first's 30 days, not the later one's
    assert dict(job.run_once().counts) == {"dead_letter": 1}
    assert original_of(first, notes.app.keyring) is None
    assert original_of(later, notes.app.keyring) == Original(KEY, SECRET + b"2")
    erased = published(notes.app, first)
    assert (erased.value, erased.headers[DLQ_HEADER_ERASED]) == (b"", "after 31 days")
    assert erased.key == str(first.id)  # the original key went with the bytes
    assert published(notes.app, later).value == SECRET + b"2"
    erasures = [(e.kind, e.reason) for e in notes.app.keyring.erasures()]  # type: ignore[union-attr]
    assert erasures == [("dead_letter", "retention_deadline")]
    assert not job.run_once().ran  # once a day

    restarted = Notes.open(settings)  # a new process on the same store and keyring
    try:
        again = restarted.daily(clock)
        assert not again.run_once().ran
        clock.now = KEPT + timedelta(days=32)
        assert dict(again.run_once().counts) == {"dead_letter": 1}  # the later one, now
        clock.now = KEPT + timedelta(days=40)
        assert dict(again.run_once().counts) == {"dead_letter": 0}  # each once
        assert original_of(later, restarted.app.keyring) is None
        assert len(restarted.app.keyring.erasures()) == 2  # type: ignore[union-attr]
    finally:
        restarted.close()
    assert not raw_store_holds(settings, tmp_path, SECRET)


def test_two_replicas_erase_a_dead_letter_once(
    settings: PlatformSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two replicas on one store run the daily task: one erases, under the service's
    retention lock (a file lock beside SQLite, an advisory lock in PostgreSQL); the other
    waits for the lock or finds the day's run."""
    first, second = Notes.open(settings), Notes.open(settings)
    letter = dead_letter(first.app, 1, KEPT, monkeypatch)
    clock = Clock(KEPT + timedelta(days=30))

    try:
        run_as_replicas(settings, [first.daily(clock), second.daily(clock)])
        assert original_of(letter, second.app.keyring) is None
        assert [e.kind for e in second.app.keyring.erasures()] == ["dead_letter"]  # type: ignore[union-attr]
        assert not first.daily(clock).run_once().ran  # the day's run is recorded
    finally:
        first.close()
        second.close()


def test_a_refused_message_kept_by_the_relay_is_sealed_too(notes: Notes) -> None:
    refused = Refused(7, object(), "ssp.triage.decisions.v1", b"k", SECRET, {}, "too large")
    letter = DeadLetter.refused_by_broker("triage", refused, notes.app.keyring)
    assert letter.value_b64 == "" and original_of(letter, notes.app.keyring) == Original(
        b"k", SECRET
    )
    # The same refusal is the same dead letter, sealed or not (the relay keeps it once).
    assert letter.id == DeadLetter.refused_by_broker("triage", refused).id


def test_without_a_keyring_a_dead_letter_is_kept_as_before() -> None:
    app = ServiceApplication(env=store_env(PlatformSettings(SSP_DATABASE_URL="memory"), "m"))
    message = Inbound("t", 0, 1, None, b"plain")
    letter = DeadLetter.record("m", message, "e", 1, True)
    assert (letter.sealed, letter.original_value) == (None, b"plain")
    assert original_of(letter, None) == Original(None, b"plain")
    app.close()


def test_the_dead_letter_topics_keep_records_as_long_as_the_store() -> None:
    settings = PlatformSettings(SSP_RETENTION_DEAD_LETTER_DAYS=10, SSP_DATABASE_URL="memory")
    definition = ServiceDefinition(
        name="triage",
        settings=settings,
        app_factory=lambda: ServiceApplication(),
        consumes=[],
        produces=[dead_letter_topic("triage")],
        handler_factory=None,
        publications=lambda e: [],
        http_factory=lambda ctx: None,  # type: ignore[arg-type,return-value]
    )
    configs = topic_configs([definition])
    assert configs[dead_letter_topic("triage")] == {"retention.ms": str(10 * 24 * 3600 * 1000)}
