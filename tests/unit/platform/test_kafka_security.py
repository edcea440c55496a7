"""The Kafka security settings reach every client: the relay producer, faststream's broker
(consumers and its producer), the admin helpers. SASL is tested on the configuration path
(the embedded broker offers no SASL listener; TLS runs against a real listener in
tests/integration/test_kafka_tls.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from faststream.security import SASLOAuthBearer, SASLScram512

from shared.messaging.broker import make_broker, make_relay_producer
from shared.messaging.security import (
    KafkaSecurityError,
    OAuthTokenFile,
    kafka_security,
    problems,
)
from shared.settings import PlatformSettings


def _scram(**extra: str) -> PlatformSettings:
    return PlatformSettings(
        SSP_KAFKA_SECURITY_PROTOCOL="SASL_SSL",
        SSP_KAFKA_SASL_MECHANISM="SCRAM-SHA-512",
        SSP_KAFKA_SASL_USERNAME="ssp-intake",
        SSP_KAFKA_SASL_PASSWORD="a long random password",
        **extra,
    )


async def test_scram_sha_512_reaches_the_relay_producer_and_faststream() -> None:
    settings = _scram()
    security = kafka_security(settings)
    assert security.tls and security.ssl_context is not None
    kwargs = security.client_kwargs()
    assert kwargs["security_protocol"] == "SASL_SSL"
    assert kwargs["sasl_mechanism"] == "SCRAM-SHA-512"
    assert kwargs["sasl_plain_username"] == "ssp-intake"
    assert kwargs["sasl_plain_password"] == "a long random password"

    producer = make_relay_producer(settings, "127.0.0.1:9093", client_id="intake")
    client = producer.client
    assert client._security_protocol == "SASL_SSL"
    assert client._sasl_mechanism == "SCRAM-SHA-512"
    assert client._sasl_plain_username == "ssp-intake"
    assert client._ssl_context is not None

    broker = make_broker(settings, "127.0.0.1:9093", client_id="intake")
    assert isinstance(broker.specification.security, SASLScram512)
    consumers = broker.config.broker_config.builder.keywords  # every subscriber's consumer
    for options in (consumers, broker._connection_kwargs):  # and faststream's producer
        assert options["security_protocol"] == "SASL_SSL"
        assert options["sasl_mechanism"] == "SCRAM-SHA-512"
        assert options["sasl_plain_username"] == "ssp-intake"
    assert consumers["ssl_context"] is not None


async def test_oauthbearer_with_a_token_file(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("eyJ.token.sig\n")
    settings = PlatformSettings(
        SSP_KAFKA_SECURITY_PROTOCOL="SASL_SSL",
        SSP_KAFKA_SASL_MECHANISM="OAUTHBEARER",
        SSP_KAFKA_SASL_OAUTH_TOKEN_FILE=str(token_file),
    )
    security = kafka_security(settings)
    assert isinstance(security.token_provider, OAuthTokenFile)
    assert await security.token_provider.token() == "eyJ.token.sig"
    kwargs = security.client_kwargs()
    assert kwargs["sasl_mechanism"] == "OAUTHBEARER"
    assert kwargs["sasl_oauth_token_provider"] is security.token_provider
    producer = make_relay_producer(settings, "127.0.0.1:9093", client_id="triage")
    assert producer.client._sasl_mechanism == "OAUTHBEARER"
    assert isinstance(producer.client._sasl_oauth_token_provider, OAuthTokenFile)
    broker = make_broker(settings, "127.0.0.1:9093", client_id="triage")
    assert isinstance(broker.specification.security, SASLOAuthBearer)
    consumers = broker.config.broker_config.builder.keywords
    for options in (consumers, broker._connection_kwargs):
        assert options["sasl_mechanism"] == "OAUTHBEARER"
        assert isinstance(options["sasl_oauth_token_provider"], OAuthTokenFile)


def test_plaintext_is_the_default_and_adds_nothing() -> None:
    security = kafka_security(PlatformSettings())
    assert not security.tls
    assert security.client_kwargs() == {"security_protocol": "PLAINTEXT"}
    assert security.faststream_kwargs() == {}


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"SSP_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512"}, "needs SSP_KAFKA_SECURITY_PROTOCOL"),
        ({"SSP_KAFKA_SECURITY_PROTOCOL": "SASL_SSL"}, "needs SSP_KAFKA_SASL_MECHANISM"),
        (
            {
                "SSP_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
                "SSP_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
            },
            "SCRAM-SHA-512 needs SSP_KAFKA_SASL_USERNAME",
        ),
        (
            {"SSP_KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "SSP_KAFKA_SASL_MECHANISM": "OAUTHBEARER"},
            "OAUTHBEARER needs either",
        ),
        ({"SSP_KAFKA_SSL_CA_FILE": "/etc/ssl/ca.pem"}, "SSP_KAFKA_SSL_* files are set"),
        (
            {"SSP_KAFKA_SECURITY_PROTOCOL": "SSL", "SSP_KAFKA_SSL_CERT_FILE": "/nowhere/c.pem"},
            "go together",
        ),
        (
            {"SSP_KAFKA_SECURITY_PROTOCOL": "SSL", "SSP_KAFKA_SSL_CA_FILE": "/nowhere/ca.pem"},
            "SSP_KAFKA_SSL_CA_FILE: no file at /nowhere/ca.pem",
        ),
    ],
)
def test_settings_that_do_not_fit_together_are_named(env: dict[str, str], problem: str) -> None:
    settings = PlatformSettings(**env)  # type: ignore[arg-type]
    assert any(problem in found for found in problems(settings)), problems(settings)
    with pytest.raises(KafkaSecurityError, match="Kafka security settings"):
        kafka_security(settings)
