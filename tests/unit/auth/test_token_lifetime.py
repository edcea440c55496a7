"""Tokens valid for longer than SSP_AUTH_MAX_TOKEN_LIFETIME_HOURS (default 12) are refused in
every environment: exp - iat, or exp - now when the token has no iat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from typer.testing import CliRunner

from shared.auth import AuthSettings, InvalidToken, TokenVerifier
from shared.auth.settings import DEVELOPMENT_ISSUER, PLATFORM_AUDIENCE
from ssp_platform.cli import app
from tests.unit.auth.support import SIGNING_KEY


def _token(**claims: Any) -> str:
    return jwt.encode(
        {"iss": DEVELOPMENT_ISSUER, "aud": PLATFORM_AUDIENCE, "sub": "abj@607",
         "role": "tovholder", "municipalities": ["607"], **claims},
        SIGNING_KEY,
        algorithm="HS256",
    )  # fmt: skip


def _verifier(**env: Any) -> TokenVerifier:
    return TokenVerifier.from_settings(AuthSettings(SSP_AUTH_SIGNING_KEY=SIGNING_KEY, **env))


NOW = datetime.now(UTC)


@pytest.mark.parametrize(
    "claims",
    [
        {"iat": NOW, "exp": NOW + timedelta(hours=13)},
        {"iat": NOW - timedelta(hours=12), "exp": NOW + timedelta(hours=1)},
        {"exp": NOW + timedelta(days=365)},  # no iat: counted from now
    ],
    ids=["13h", "issued-12h-ago-valid-1h-more", "no-iat-a-year"],
)
def test_too_long_a_lifetime_is_refused(claims: dict[str, Any]) -> None:
    with pytest.raises(InvalidToken) as refused:
        _verifier().verify(_token(**claims))
    assert refused.value.reason == "lifetime_too_long"


@pytest.mark.parametrize(
    "claims",
    [
        {"iat": NOW, "exp": NOW + timedelta(hours=12)},
        {"iat": NOW - timedelta(hours=6), "exp": NOW + timedelta(hours=5)},
        {"exp": NOW + timedelta(hours=8)},
    ],
)
def test_lifetimes_within_the_maximum_are_accepted(claims: dict[str, Any]) -> None:
    assert _verifier().verify(_token(**claims)).subject == "abj@607"


def test_the_maximum_is_configurable() -> None:
    token = _token(iat=NOW, exp=NOW + timedelta(hours=2))
    assert _verifier().verify(token).subject == "abj@607"
    with pytest.raises(InvalidToken, match="lifetime_too_long"):
        _verifier(SSP_AUTH_MAX_TOKEN_LIFETIME_HOURS=1).verify(token)


def test_ssp_token_default_fits_and_longer_is_refused(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"SSP_DATA_DIR": str(tmp_path)}
    default = runner.invoke(app, ["token", "tovholder", "-m", "607"], env=env)
    assert default.exit_code == 0
    token = default.stdout.strip().splitlines()[-1]
    assert TokenVerifier.from_settings(AuthSettings(SSP_DATA_DIR=str(tmp_path))).verify(token)
    longer = runner.invoke(app, ["token", "tovholder", "--hours", "13"], env=env)
    assert longer.exit_code == 1
    assert "exceeds SSP_AUTH_MAX_TOKEN_LIFETIME_HOURS (12)" in longer.stderr
