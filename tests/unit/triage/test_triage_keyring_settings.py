"""Triage's keyring (issue 18): its wrapping key is a setting production cannot start without;
in development a key is created once in the data directory and used again after a restart;
the service's daily job carries the meeting retention."""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.triage.bootstrap import build_keyring, definition, wrapping_key
from services.triage.settings import TriageSettings
from shared.eventstore.daily_job import DailyJob
from shared.runtime import ServiceContext
from shared.settings import ConfigurationRefused

KEY = base64.b64encode(secrets.token_bytes(32)).decode()


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (None, "TRIAGE_KEY_WRAPPING_KEY is missing"),
        ("changeme", "TRIAGE_KEY_WRAPPING_KEY is a placeholder"),
        ("bm90IDMyIGJ5dGVz", "TRIAGE_KEY_WRAPPING_KEY is not the base64 of a 32-byte key"),
    ],
)
def test_production_names_a_missing_or_bad_wrapping_key(value: str | None, problem: str) -> None:
    settings = TriageSettings(TRIAGE_KEY_WRAPPING_KEY=value)
    assert [p for p in settings.production_problems() if p.startswith(problem)]


def test_a_good_wrapping_key_and_retired_keys_pass() -> None:
    settings = TriageSettings(TRIAGE_KEY_WRAPPING_KEY=KEY, TRIAGE_RETIRED_WRAPPING_KEYS=f" {KEY},")
    assert not [p for p in settings.production_problems() if "TRIAGE_" in p]
    assert [k.key_id for k in settings.retired_keys()] == [wrapping_key(settings).key_id]


def test_production_without_the_key_refuses_to_build_the_keyring(tmp_path: Path) -> None:
    settings = TriageSettings(SSP_ENVIRONMENT="production", SSP_DATA_DIR=str(tmp_path))
    with pytest.raises(ConfigurationRefused, match="TRIAGE_KEY_WRAPPING_KEY"):
        wrapping_key(settings)


def test_the_development_key_is_created_once_and_data_keys_survive_a_restart(
    tmp_path: Path,
) -> None:
    settings = TriageSettings(SSP_DATA_DIR=str(tmp_path))
    first = build_keyring(settings)
    data_key = first.key_of("pk_a")
    first.close()
    again = build_keyring(settings)
    try:
        assert again.key_of("pk_a", create=False) == data_key
        assert (tmp_path / "triage-keys.sqlite").exists()
        assert oct((tmp_path / "secrets" / "triage.json").stat().st_mode & 0o777) == "0o600"
    finally:
        again.close()


def test_the_daily_job_of_triage_runs_the_meeting_retention(tmp_path: Path) -> None:
    settings = TriageSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path))
    now = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)
    service = definition(settings, clock=lambda: now)
    app = service.app_factory()
    try:
        context = ServiceContext("triage", settings, app, None)  # type: ignore[arg-type]
        steps = [make(context) for make in service.daily_steps]
        outcome = DailyJob(app, "triage", steps, service.clock).run_once()
        assert dict(outcome.counts) == {"meeting_minutes": 0, "concern": 0}
    finally:
        for stop in service.on_stop:
            stop()
        app.close()
