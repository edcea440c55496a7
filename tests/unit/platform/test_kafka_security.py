"""The Kafka security settings reach every client: the relay producer, faststream's broker
(consumers and its producer), the admin helpers. SASL is tested on the configuration path
(the embedded broker offers no SASL listener; TLS runs against a real listener in
tests/integration/test_kafka_tls.py)."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qsl

import pytest
from faststream.security import SASLOAuthBearer, SASLScram512

from shared.messaging.broker import make_broker, make_relay_producer
from shared.messaging.security import (
    KafkaSecurityError,
    OAuthClientCredentials,
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


class _TokenEndpoint(BaseHTTPRequestHandler):
    issued: ClassVar[list[dict[str, str]]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        form = dict(parse_qsl(self.rfile.read(length).decode()))
        form["authorization"] = self.headers.get("Authorization", "")
        _TokenEndpoint.issued.append(form)
        body = json.dumps(
            {"access_token": f"token-{len(_TokenEndpoint.issued)}", "expires_in": 61}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        pass


async def test_oauthbearer_client_credentials_fetch_and_reuse_tokens() -> None:
    server = HTTPServer(("127.0.0.1", 0), _TokenEndpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        settings = PlatformSettings(
            SSP_KAFKA_SECURITY_PROTOCOL="SASL_SSL",
            SSP_KAFKA_SASL_MECHANISM="OAUTHBEARER",
            SSP_KAFKA_SASL_OAUTH_TOKEN_URL=f"http://127.0.0.1:{server.server_port}/token",
            SSP_KAFKA_SASL_OAUTH_CLIENT_ID="ssp-triage",
            SSP_KAFKA_SASL_OAUTH_CLIENT_SECRET="s3cr3t-from-the-vault",
            SSP_KAFKA_SASL_OAUTH_SCOPE="kafka",
        )
        provider = kafka_security(settings).token_provider
        assert isinstance(provider, OAuthClientCredentials)
        assert await provider.token() == "token-1"
        assert await provider.token() == "token-1"  # reused while valid
        provider._expires_at = 0.0  # a minute before it expires
        assert await provider.token() == "token-2"
    finally:
        server.shutdown()
    first = _TokenEndpoint.issued[0]
    assert first["grant_type"] == "client_credentials"
    assert first["scope"] == "kafka"
    expected = base64.b64encode(b"ssp-triage:s3cr3t-from-the-vault").decode()
    assert first["authorization"] == f"Basic {expected}"
