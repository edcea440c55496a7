"""`ssp rewrap-keys <service>` and `ssp intake-rewrap-keys` (issue 18): after a wrapping key is
rotated, every data key of the service's keyring is wrapped under the new one, and the keys
still open. Intake and triage have wrapping keys of their own; notifications and reporting
(their dead letters' keys) use SSP_KEY_WRAPPING_KEY; courses' COURSES_NOTE_CIPHER_KEY, whose
retired form still opens the follow-up notes sealed with it before issue 18."""

from __future__ import annotations

import base64
from pathlib import Path
from uuid import uuid4

import pytest
from typer.testing import CliRunner

from services.courses.adapters.note_cipher import NoteCipher, NoteUnreadable
from services.courses.bootstrap import build_keyring as build_courses_keyring
from services.courses.bootstrap import legacy_notes
from services.courses.settings import CoursesSettings
from services.intake.settings import IntakeSettings
from services.triage.bootstrap import build_keyring as build_triage_keyring
from services.triage.settings import TriageSettings
from shared.keys.keyring import PersonKeyring, WrappingKey
from shared.keys.service_keyring import open_service_keyring
from ssp_platform.cli import app
from ssp_platform.registry import settings_class

OLD, NEW = b"o" * 32, b"n" * 32


def test_rotation_rewraps_every_data_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("INTAKE_PSEUDONYM_SECRET", "p" * 40)
    monkeypatch.setenv("INTAKE_STORE_CIPHER_KEY", base64.b64encode(OLD).decode())
    before = PersonKeyring.open(IntakeSettings(), WrappingKey.of(OLD))
    keys = before.keys_of(["pk_a", "pk_b", "pk_c"])
    before.close()

    monkeypatch.setenv("INTAKE_KEY_WRAPPING_KEY", base64.b64encode(NEW).decode())
    monkeypatch.setenv("INTAKE_RETIRED_WRAPPING_KEYS", base64.b64encode(OLD).decode())
    result = CliRunner().invoke(app, ["intake-rewrap-keys"])
    assert result.exit_code == 0, result.output
    assert f"3 data key(s) wrapped under {WrappingKey.of(NEW).key_id}" in result.output

    after = PersonKeyring.open(IntakeSettings(), WrappingKey.of(NEW))  # the old key is gone
    assert after.keys_of(["pk_a", "pk_b", "pk_c"], create=False) == keys
    after.close()


def _b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def test_triage_rotation_rewraps_its_data_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TRIAGE_KEY_WRAPPING_KEY", _b64(OLD))
    before = build_triage_keyring(TriageSettings())
    keys = before.keys_of(["pk_a", "pk_b"])
    before.close()

    monkeypatch.setenv("TRIAGE_KEY_WRAPPING_KEY", _b64(NEW))
    monkeypatch.setenv("TRIAGE_RETIRED_WRAPPING_KEYS", _b64(OLD))
    result = CliRunner().invoke(app, ["rewrap-keys", "triage"])
    assert result.exit_code == 0, result.output
    assert f"2 data key(s) wrapped under {WrappingKey.of(NEW).key_id}" in result.output

    monkeypatch.delenv("TRIAGE_RETIRED_WRAPPING_KEYS")
    after = build_triage_keyring(TriageSettings())
    assert after.keys_of(["pk_a", "pk_b"], create=False) == keys
    after.close()


@pytest.mark.parametrize("service", ["notifications", "reporting"])
def test_the_platform_key_rotation_rewraps_a_services_dead_letter_keys(
    service: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SSP_KEY_WRAPPING_KEY", _b64(OLD))
    settings = settings_class(service)
    before = open_service_keyring(settings(), service)
    keys = before.keys_of(["dead-letter:1", "dead-letter:2", "dead-letter:3"])
    before.close()

    monkeypatch.setenv("SSP_KEY_WRAPPING_KEY", _b64(NEW))
    # Before the rewrap the old key must stay listed: the keys it wraps still open.
    monkeypatch.setenv("SSP_RETIRED_WRAPPING_KEYS", _b64(OLD))
    listed = open_service_keyring(settings(), service)
    assert listed.keys_of(["dead-letter:1"], create=False)["dead-letter:1"] == keys["dead-letter:1"]
    listed.close()
    result = CliRunner().invoke(app, ["rewrap-keys", service])
    assert result.exit_code == 0, result.output
    assert f"3 data key(s) wrapped under {WrappingKey.of(NEW).key_id}" in result.output

    monkeypatch.delenv("SSP_RETIRED_WRAPPING_KEYS")
    after = open_service_keyring(settings(), service)
    assert after.keys_of(list(keys), create=False) == keys
    after.close()


def test_a_data_key_under_a_key_the_settings_do_not_name_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SSP_KEY_WRAPPING_KEY", _b64(OLD))
    before = open_service_keyring(settings_class("reporting")(), "reporting")
    before.keys_of(["dead-letter:1"])
    before.close()
    monkeypatch.setenv("SSP_KEY_WRAPPING_KEY", _b64(NEW))  # the old one not listed as retired
    result = CliRunner().invoke(app, ["rewrap-keys", "reporting"])
    assert result.exit_code == 1
    said = " ".join(result.output.split())
    assert f"wrapped by {WrappingKey.of(OLD).key_id}, which is not configured" in said
    assert "list it among the retired keys" in said


def test_courses_rotation_rewraps_its_data_keys_and_the_old_key_opens_old_notes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COURSES_NOTE_CIPHER_KEY", _b64(OLD))
    before = build_courses_keyring(CoursesSettings(), OLD)
    keys = before.keys_of(["pk_a", "course:1", "follow-up:2"])
    before.close()
    action_id = uuid4()
    note_before_issue_18 = NoteCipher(OLD).seal(action_id, "en note fra før")

    monkeypatch.setenv("COURSES_NOTE_CIPHER_KEY", _b64(NEW))
    monkeypatch.setenv("COURSES_RETIRED_NOTE_CIPHER_KEYS", _b64(OLD))
    result = CliRunner().invoke(app, ["rewrap-keys", "courses"])
    assert result.exit_code == 0, result.output
    assert f"3 data key(s) wrapped under {WrappingKey.of(NEW).key_id}" in result.output
    # A note sealed with the old key sits in a stored event: the retired key still opens it.
    notes = legacy_notes(CoursesSettings(), NEW)
    assert notes.open(action_id, note_before_issue_18) == "en note fra før"

    monkeypatch.delenv("COURSES_RETIRED_NOTE_CIPHER_KEYS")
    after = build_courses_keyring(CoursesSettings(), NEW)
    assert after.keys_of(list(keys), create=False) == keys
    after.close()
    with pytest.raises(NoteUnreadable):
        legacy_notes(CoursesSettings(), NEW).open(action_id, note_before_issue_18)


def test_the_console_has_no_keyring_and_an_unknown_service_is_named(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["rewrap-keys", "console"])
    assert result.exit_code == 2
    assert "the console keeps no personal data" in " ".join(result.output.split())
    unknown = CliRunner().invoke(app, ["rewrap-keys", "brevservice"])
    assert unknown.exit_code == 2
    assert "unknown service 'brevservice'" in unknown.output
