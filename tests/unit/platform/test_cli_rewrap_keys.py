"""`ssp intake-rewrap-keys` (issue 18): after the wrapping key is rotated, every data key is
wrapped under the new one, and the keys still open."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.intake.settings import IntakeSettings
from shared.keys.keyring import PersonKeyring, WrappingKey
from ssp_platform.cli import app

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
