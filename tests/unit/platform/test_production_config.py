"""SSP_ENVIRONMENT=production refuses to start on development defaults, with one message naming
every problem; development (the default) starts as before. Nothing creates development secrets
in production."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

import pytest
from typer.testing import CliRunner

from services.courses.settings import CoursesSettings
from services.intake.bootstrap import definition as intake_definition
from services.intake.settings import IntakeSettings
from shared.auth import AuthSettings, ProductionKeyConfigured, mint_development_token
from shared.auth.audit import audit_term_key
from shared.auth.tokens import signing_secret
from shared.secret_checks import secret_problem
from shared.settings import ConfigurationRefused, refuse_unsafe_production
from ssp_platform.cli import app
from ssp_platform.platform import start_platform
from ssp_platform.registry import SERVICES, settings_class

PUBLIC_KEY = (
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"
    "-----END PUBLIC KEY-----\n"
)


def _safe_env(tmp_path: Path) -> dict[str, str]:
    """A production configuration without a problem."""
    ca = tmp_path / "ca.pem"
    ca.write_text("not read by the checks")
    return {
        "SSP_ENVIRONMENT": "production",
        "SSP_DATA_DIR": str(tmp_path / "data"),
        "KAFKA_BOOTSTRAP_SERVERS": "kafka-0.kafka:9093",
        "SSP_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "SSP_KAFKA_SSL_CA_FILE": str(ca),
        "SSP_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        "SSP_KAFKA_SASL_USERNAME": "ssp-intake",
        "SSP_KAFKA_SASL_PASSWORD": secrets.token_urlsafe(24),
        "SSP_AUTH_PUBLIC_KEY": PUBLIC_KEY,
        "SSP_AUTH_ISSUER": "https://idp.fredericia.dk",
        "SSP_AUDIT_TERM_KEY": secrets.token_hex(32),
        "INTAKE_PSEUDONYM_SECRET": secrets.token_hex(32),
        "INTAKE_STORE_CIPHER_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "COURSES_NOTE_CIPHER_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "SSP_KEY_WRAPPING_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "TRIAGE_KEY_WRAPPING_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
    }


def _settings(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], *drop: str) -> None:
    for name, value in env.items():
        if name not in drop:
            monkeypatch.setenv(name, value)


def test_a_safe_production_configuration_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _settings(monkeypatch, _safe_env(tmp_path))
    refuse_unsafe_production({name: settings_class(name)() for name in SERVICES})


async def test_production_on_development_defaults_is_refused_with_every_problem_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSP_ENVIRONMENT", "production")
    monkeypatch.setenv("SSP_DATA_DIR", str(tmp_path))
    with pytest.raises(ConfigurationRefused) as refused:
        await start_platform(list(SERVICES))
    message = str(refused.value)
    for problem in (
        "INTAKE_PSEUDONYM_SECRET is missing (intake)",
        "INTAKE_STORE_CIPHER_KEY is missing (intake)",
        "COURSES_NOTE_CIPHER_KEY is missing (courses)",
        "no token key source: the development key would be used",
        "the Kafka connection has no TLS (SSP_KAFKA_SECURITY_PROTOCOL=PLAINTEXT",
        "KAFKA_BOOTSTRAP_SERVERS is unset",
        "SSP_AUTH_ISSUER is the development issuer",
        "SSP_AUDIT_TERM_KEY is missing",
        "SSP_KEY_WRAPPING_KEY is missing (notifications, reporting)",
    ):
        assert problem in message
    assert message.count("the Kafka connection has no TLS") == 1  # once, not per service
    assert not (tmp_path / "secrets").exists()  # no development secret was created
    assert not (tmp_path / "tansu.log").exists()  # nor a broker started


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"INTAKE_PSEUDONYM_SECRET": "changeme"}, "INTAKE_PSEUDONYM_SECRET is a placeholder"),
        ({"INTAKE_PSEUDONYM_SECRET": "<pseudonym secret>"}, "is a placeholder"),
        ({"INTAKE_PSEUDONYM_SECRET": "${PSEUDONYM_SECRET}"}, "is a placeholder"),
        ({"INTAKE_PSEUDONYM_SECRET": "x" * 64}, "is a placeholder"),
        ({"INTAKE_PSEUDONYM_SECRET": "REPLACE_ME_WITH_64_HEX_DIGITS"}, "is a placeholder"),
        ({"INTAKE_PSEUDONYM_SECRET": "   "}, "INTAKE_PSEUDONYM_SECRET is empty"),
        ({"INTAKE_PSEUDONYM_SECRET": "a3f9c2"}, "shorter than 32 bytes"),
        ({"INTAKE_STORE_CIPHER_KEY": ""}, "INTAKE_STORE_CIPHER_KEY is empty"),
        ({"INTAKE_STORE_CIPHER_KEY": "bm90IDMyIGJ5dGVz"}, "not the base64 of a 32-byte key"),
        (
            {"INTAKE_RETIRED_STORE_CIPHER_KEYS": "bm90IDMyIGJ5dGVz"},
            "INTAKE_RETIRED_STORE_CIPHER_KEYS is not the base64 of a 32-byte key",
        ),
        (
            {"INTAKE_RETIRED_WRAPPING_KEYS": "bm90IDMyIGJ5dGVz"},
            "INTAKE_RETIRED_WRAPPING_KEYS is not the base64 of a 32-byte key",
        ),
        ({"SSP_KAFKA_SASL_PASSWORD": "changeme"}, "SSP_KAFKA_SASL_PASSWORD is a placeholder"),
        ({"SSP_AUDIT_TERM_KEY": "change-me"}, "SSP_AUDIT_TERM_KEY is a placeholder"),
        ({"SSP_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT"}, "the Kafka connection has no TLS"),
        ({"SSP_AUTH_JWKS_URL": "http://idp/jwks"}, "must be an https:// address"),
    ],
)
def test_each_problem_is_named(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    change: dict[str, str],
    problem: str,
) -> None:
    env = {**_safe_env(tmp_path), **change}
    if "SSP_AUTH_JWKS_URL" in change:
        del env["SSP_AUTH_PUBLIC_KEY"]
    _settings(monkeypatch, env)
    with pytest.raises(ConfigurationRefused, match="refusing to start") as refused:
        refuse_unsafe_production({"intake": IntakeSettings()})
    assert problem in str(refused.value)


def test_a_retired_platform_wrapping_key_that_is_no_key_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    env = {**_safe_env(tmp_path), "SSP_RETIRED_WRAPPING_KEYS": f"{key}, bm90IDMyIGJ5dGVz"}
    _settings(monkeypatch, env)
    with pytest.raises(ConfigurationRefused) as refused:
        refuse_unsafe_production({name: settings_class(name)() for name in SERVICES})
    assert "SSP_RETIRED_WRAPPING_KEYS is not the base64 of a 32-byte key (notifications, " in str(
        refused.value
    )
    monkeypatch.setenv("SSP_RETIRED_WRAPPING_KEYS", key)
    refuse_unsafe_production({name: settings_class(name)() for name in SERVICES})


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", "COURSES_NOTE_CIPHER_KEY is empty"),
        ("changeme", "COURSES_NOTE_CIPHER_KEY is a placeholder"),
        ("bm90IDMyIGJ5dGVz", "COURSES_NOTE_CIPHER_KEY is not the base64 of a 32-byte key"),
    ],
)
def test_the_courses_note_key_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str, problem: str
) -> None:
    _settings(monkeypatch, {**_safe_env(tmp_path), "COURSES_NOTE_CIPHER_KEY": value})
    with pytest.raises(ConfigurationRefused, match="refusing to start") as refused:
        refuse_unsafe_production({"courses": CoursesSettings()})
    assert problem in str(refused.value)


def test_a_retired_courses_note_key_that_is_no_key_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    retired = "bm90IDMyIGJ5dGVz"
    _settings(monkeypatch, {**_safe_env(tmp_path), "COURSES_RETIRED_NOTE_CIPHER_KEYS": retired})
    with pytest.raises(ConfigurationRefused, match="refusing to start") as refused:
        refuse_unsafe_production({"courses": CoursesSettings()})
    assert "COURSES_RETIRED_NOTE_CIPHER_KEYS is not the base64 of a 32-byte key" in str(
        refused.value
    )


def test_an_hs256_secret_is_no_production_key_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _settings(monkeypatch, _safe_env(tmp_path), "SSP_AUTH_PUBLIC_KEY")
    monkeypatch.setenv("SSP_AUTH_SIGNING_KEY", secrets.token_hex(32))
    with pytest.raises(ConfigurationRefused) as refused:
        refuse_unsafe_production({"triage": settings_class("triage")()})
    assert "the token key is an HS256 shared secret" in str(refused.value)


def test_development_is_not_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSP_DATA_DIR", str(tmp_path))
    refuse_unsafe_production({name: settings_class(name)() for name in SERVICES})
    intake_definition()  # creates the development secrets, as before
    assert (tmp_path / "secrets" / "intake.json").exists()


def test_nothing_creates_development_secrets_in_production(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSP_ENVIRONMENT", "production")
    monkeypatch.setenv("SSP_DATA_DIR", str(tmp_path))
    with pytest.raises(ConfigurationRefused, match="INTAKE_PSEUDONYM_SECRET is missing"):
        intake_definition()
    with pytest.raises(ConfigurationRefused, match="no development signing key"):
        signing_secret(AuthSettings())
    with pytest.raises(ProductionKeyConfigured):
        mint_development_token(AuthSettings(), role="tovholder")
    with pytest.raises(ConfigurationRefused, match="no development audit term key"):
        audit_term_key(AuthSettings())
    assert not (tmp_path / "secrets").exists()


@pytest.mark.parametrize("command", [["run", "intake"], ["up"]])
def test_ssp_run_and_up_print_the_problems_and_exit_2(tmp_path: Path, command: list[str]) -> None:
    result = CliRunner().invoke(
        app, command, env={"SSP_ENVIRONMENT": "production", "SSP_DATA_DIR": str(tmp_path)}
    )
    assert result.exit_code == 2
    assert "SSP_ENVIRONMENT=production: refusing to start" in result.stderr
    assert "the Kafka connection has no TLS" in result.stderr
    assert not (tmp_path / "secrets").exists()


def test_a_random_secret_is_no_placeholder() -> None:
    for _ in range(200):
        assert secret_problem("S", secrets.token_hex(32)) is None
        assert secret_problem("S", base64.b64encode(secrets.token_bytes(32)).decode()) is None


def test_a_random_key_that_begins_like_a_placeholder_word_is_no_placeholder() -> None:
    # Random keys that happen to begin with "Todo", "your" or "Secret" (once in ~300,000)
    for key in (
        "TodoW9qkq3ZbX1m7yHf0sLrP2vN8cTgJ4uKaEdBiO5w=",
        "yourQ_3kZ-8mPq1LxV7nB2cT9wRfHs0dJgKaE4uYi6o",
        "SecretPzq8V+1mXk3LwN7bT2cYfRg9HsJ0dQaE4uKi6o=",
    ):
        assert secret_problem("S", key) is None, key
    # ... while a placeholder as long as a key, with few distinct characters, still is one
    assert secret_problem("S", "changemechangemechangemechangemechangeme") is not None


def test_the_console_is_checked_for_its_own_secrets_not_for_kafka(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _settings(monkeypatch, _safe_env(tmp_path))
    for kafka in ("KAFKA_BOOTSTRAP_SERVERS", "SSP_KAFKA_SECURITY_PROTOCOL"):
        monkeypatch.delenv(kafka)
    with pytest.raises(ConfigurationRefused) as refused:
        refuse_unsafe_production({"console": settings_class("console")()})
    message = str(refused.value)
    assert "CONSOLE_SESSION_SECRET is missing" in message
    assert "CONSOLE_OIDC_DISCOVERY_URL" in message
    assert "Kafka" not in message and "KAFKA" not in message
