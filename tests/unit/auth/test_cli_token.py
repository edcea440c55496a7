"""`ssp token`: development tokens for every role, signed with the development key the
services verify with, and refused where an identity provider's key is configured."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from shared.auth import AuthSettings, Role, TokenVerifier
from ssp_platform.cli import app

runner = CliRunner()


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"SSP_DATA_DIR": str(tmp_path), **extra}


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_a_token_for_every_role(tmp_path: Path, role: str) -> None:
    result = runner.invoke(app, ["token", role, "--municipality", "607"], env=_env(tmp_path))
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    principal = TokenVerifier.from_settings(AuthSettings(SSP_DATA_DIR=str(tmp_path))).verify(token)
    assert (principal.role, principal.municipalities) == (role, frozenset({"607"}))
    if role in ("police_integration", "police_coordinator"):
        assert "incidents:write" in principal.scopes


def test_schools_subject_lifetime_and_scopes(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "token", "school_representative", "-m", "657", "--school", "Bøgeskovskolen",
            "--sub", "kl@herning", "--hours", "1", "--scope", "x:y",
        ],
        env=_env(tmp_path),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    p = TokenVerifier.from_settings(AuthSettings(SSP_DATA_DIR=str(tmp_path))).verify(token)
    assert (p.subject, p.schools, p.scopes) == (
        "kl@herning",
        frozenset({"Bøgeskovskolen"}),
        frozenset({"x:y"}),
    )


def test_an_unknown_role_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["token", "superuser"], env=_env(tmp_path))
    assert result.exit_code != 0


@pytest.mark.parametrize(
    "variable", [("SSP_AUTH_JWKS_URL", "https://idp.607.dk/jwks"), ("SSP_AUTH_PUBLIC_KEY", "x")]
)
def test_refused_where_an_identity_provider_is_configured(
    tmp_path: Path, variable: tuple[str, str]
) -> None:
    result = runner.invoke(
        app, ["token", "tovholder", "-m", "607"], env=_env(tmp_path, **dict([variable]))
    )
    assert result.exit_code == 1
    assert result.stdout.strip() == ""  # no token printed
    assert variable[0] in result.stderr


def test_a_configured_shared_secret_signs_instead_of_the_development_key(tmp_path: Path) -> None:
    secret = "s" * 40
    result = runner.invoke(
        app, ["token", "auditor"], env=_env(tmp_path, SSP_AUTH_SIGNING_KEY=secret)
    )
    token = result.stdout.strip().splitlines()[-1]
    verifier = TokenVerifier.from_settings(AuthSettings(SSP_AUTH_SIGNING_KEY=secret))
    assert verifier.verify(token).role == "auditor"
    assert not (tmp_path / "secrets" / "auth.json").exists()
