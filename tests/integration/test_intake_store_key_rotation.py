"""Rotating intake's store key (`INTAKE_STORE_CIPHER_KEY`), on SQLite and PostgreSQL: with the
old key listed in `INTAKE_RETIRED_STORE_CIPHER_KEYS` the store still reads;
`ssp reencrypt-store intake` encrypts every stored event with the new key (and `ssp
rewrap-keys intake` moves the data keys the store key wrapped), after which the old key can go
and every event and identity still opens."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.intake.application.app import IntakeApplication
from services.intake.application.identities import IdentityDirectory
from services.intake.bootstrap import build_application, build_service, pseudonymiser
from services.intake.settings import IntakeSettings
from ssp_platform.cli import app as cli
from ssp_platform.samples import sample_incident

OLD, NEW, UNKNOWN = b"o" * 32, b"n" * 32, b"u" * 32
PSEUDONYM_SECRET = "p" * 40


def _b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


@pytest.fixture
def store(
    store_url: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> pytest.MonkeyPatch:
    """Intake's settings in the environment (as `ssp` reads them), on the store of the run."""
    monkeypatch.setenv("SSP_DATA_DIR", str(tmp_path))
    if store_url is not None:
        monkeypatch.setenv("SSP_DATABASE_URL", store_url)
    monkeypatch.setenv("INTAKE_PSEUDONYM_SECRET", PSEUDONYM_SECRET)
    monkeypatch.setenv("INTAKE_STORE_CIPHER_KEY", _b64(OLD))
    return monkeypatch


def _open() -> IntakeApplication:
    settings = IntakeSettings()
    return build_application(settings, settings.store_cipher_key.get_secret_value())  # type: ignore[union-attr]


def _close(app: IntakeApplication) -> None:
    app.close()
    app.keyring.close()


def _stored(app: IntakeApplication) -> list[tuple[bytes, bytes]]:
    """Every stored event: its bytes as stored, and as the store's cipher opens them."""
    notifications = app.recorder.select_notifications(start=None, limit=10_000)
    cipher = app.mapper.cipher
    assert cipher is not None
    return [(bytes(n.state), cipher.decrypt(bytes(n.state))) for n in notifications]


def _write_incidents() -> tuple[list[tuple[bytes, bytes]], list[str]]:
    app = _open()
    service = build_service(IntakeSettings(), app, PSEUDONYM_SECRET)
    keys_of = pseudonymiser(app, PSEUDONYM_SECRET)
    person_keys: list[str] = []
    for i in range(3):
        incident = sample_incident(i, persons=2, age=14)
        assert service.submit_incident(json.dumps(incident).encode()).outcome == "accepted"
        person_keys += [keys_of.person_key(person["cpr"]) for person in incident["persons"]]
    stored = _stored(app)
    _close(app)
    return stored, person_keys


def _run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def test_a_rotated_store_key_reads_on_and_reencrypts_everything(store: pytest.MonkeyPatch) -> None:
    before, person_keys = _write_incidents()
    assert before and person_keys

    store.setenv("INTAKE_STORE_CIPHER_KEY", _b64(NEW))
    store.setenv("INTAKE_RETIRED_STORE_CIPHER_KEYS", _b64(OLD))
    listed = _open()  # the old key retired: every event still opens
    assert [plain for _, plain in _stored(listed)] == [plain for _, plain in before]
    _close(listed)

    said = _run("reencrypt-store", "intake")
    assert f"{len(before)} of {len(before)} stored events encrypted anew" in said
    assert f"0 of {len(before)} stored events encrypted anew" in _run("reencrypt-store", "intake")
    # The store key wrapped the data keys too (INTAKE_KEY_WRAPPING_KEY unset): moved along.
    assert "data key(s) wrapped under" in _run("rewrap-keys", "intake")

    store.delenv("INTAKE_RETIRED_STORE_CIPHER_KEYS")
    after = _open()  # the old key gone
    stored = _stored(after)
    assert [plain for _, plain in stored] == [plain for _, plain in before]
    assert all(new != old for (new, _), (old, _) in zip(stored, before, strict=True))
    directory = IdentityDirectory(after, pseudonymiser(after, PSEUDONYM_SECRET))
    assert all(directory.resolve(key) is not None for key in person_keys)
    _close(after)


def test_an_event_no_listed_key_opens_is_named_not_shown(store: pytest.MonkeyPatch) -> None:
    before, _ = _write_incidents()
    store.setenv("INTAKE_STORE_CIPHER_KEY", _b64(NEW))
    store.setenv("INTAKE_RETIRED_STORE_CIPHER_KEYS", _b64(UNKNOWN))  # not the old key
    result = CliRunner().invoke(cli, ["reencrypt-store", "intake"])
    said = " ".join(result.output.split())
    assert result.exit_code == 1, said
    assert "stored event 1: no key opens it" in said
    assert "list its key in INTAKE_RETIRED_STORE_CIPHER_KEYS" in said
    assert len(before) > 1


def test_only_intake_has_a_store_key() -> None:
    result = CliRunner().invoke(cli, ["reencrypt-store", "triage"])
    assert result.exit_code == 2
    assert "only intake's store is encrypted" in " ".join(result.output.replace("│", "").split())
