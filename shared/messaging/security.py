"""How every Kafka client of the platform connects: TLS (a CA file, a client certificate) and
SASL (SCRAM-SHA-512 or OAUTHBEARER), from the settings, applied alike to the relay producer,
faststream's consumers and producer, the admin client and the readiness probe.

docs/kafka-security.md describes the settings and the ACLs each service needs.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from aiokafka.abc import AbstractTokenProvider
from aiokafka.helpers import create_ssl_context
from faststream.security import BaseSecurity, SASLOAuthBearer, SASLScram512

from shared.settings import PlatformSettings

TLS_PROTOCOLS = frozenset({"SSL", "SASL_SSL"})
SASL_PROTOCOLS = frozenset({"SASL_PLAINTEXT", "SASL_SSL"})


class KafkaSecurityError(ValueError):
    """The Kafka security settings do not fit together."""


class OAuthClientCredentials(AbstractTokenProvider):  # type: ignore[misc]
    """OAUTHBEARER tokens from the identity provider's token endpoint (OAuth 2.0 client
    credentials), reused until a minute before they expire."""

    def __init__(
        self, token_url: str, client_id: str, client_secret: str, scope: str | None = None
    ) -> None:
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.scope = scope
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        async with self._lock:
            if self._token is None or time.monotonic() >= self._expires_at:
                form = {"grant_type": "client_credentials"}
                if self.scope:
                    form["scope"] = self.scope
                async with httpx.AsyncClient(timeout=10) as client:
                    response = await client.post(
                        self.token_url, data=form, auth=(self.client_id, self.client_secret)
                    )
                response.raise_for_status()
                body = response.json()
                self._token = str(body["access_token"])
                lifetime = float(body.get("expires_in", 300))
                self._expires_at = time.monotonic() + max(0.0, lifetime - 60)
            return self._token


class OAuthTokenFile(AbstractTokenProvider):  # type: ignore[misc]
    """OAUTHBEARER tokens read from a file at each connection (e.g. a token a sidecar or
    Kubernetes keeps fresh)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    async def token(self) -> str:
        return (await asyncio.to_thread(self.path.read_text)).strip()


@dataclass(frozen=True)
class KafkaSecurity:
    protocol: str = "PLAINTEXT"
    ssl_context: ssl.SSLContext | None = None
    sasl_mechanism: str | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    token_provider: AbstractTokenProvider | None = None

    @property
    def tls(self) -> bool:
        return self.protocol in TLS_PROTOCOLS

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for every aiokafka client (producer, consumer, admin client,
        connection)."""
        kwargs: dict[str, Any] = {"security_protocol": self.protocol}
        if self.ssl_context is not None:
            kwargs["ssl_context"] = self.ssl_context
        if self.sasl_mechanism is not None:
            kwargs["sasl_mechanism"] = self.sasl_mechanism
            if self.sasl_mechanism == "OAUTHBEARER":
                kwargs["sasl_oauth_token_provider"] = self.token_provider
            else:
                kwargs["sasl_plain_username"] = self.username
                kwargs["sasl_plain_password"] = self.password
        return kwargs

    def faststream_kwargs(self) -> dict[str, Any]:
        """`security=` (and the OAUTHBEARER token provider) for faststream's KafkaBroker."""
        security: BaseSecurity | None
        if self.sasl_mechanism == "SCRAM-SHA-512":
            security = SASLScram512(
                username=self.username or "",
                password=self.password or "",
                ssl_context=self.ssl_context,
                use_ssl=self.tls,
            )
        elif self.sasl_mechanism == "OAUTHBEARER":
            security = SASLOAuthBearer(ssl_context=self.ssl_context, use_ssl=self.tls)
            return {"security": security, "sasl_oauth_token_provider": self.token_provider}
        elif self.tls:
            security = BaseSecurity(ssl_context=self.ssl_context, use_ssl=True)
        else:
            security = None
        return {"security": security} if security is not None else {}


PLAINTEXT = KafkaSecurity()


def problems(settings: PlatformSettings) -> list[str]:
    """What does not fit together in the Kafka security settings (empty: fine)."""
    found: list[str] = []
    protocol = settings.kafka_security_protocol
    mechanism = settings.kafka_sasl_mechanism
    if mechanism is not None and protocol not in SASL_PROTOCOLS:
        found.append(
            f"SSP_KAFKA_SASL_MECHANISM={mechanism} needs SSP_KAFKA_SECURITY_PROTOCOL "
            "SASL_SSL (or SASL_PLAINTEXT)"
        )
    if protocol in SASL_PROTOCOLS and mechanism is None:
        found.append(f"SSP_KAFKA_SECURITY_PROTOCOL={protocol} needs SSP_KAFKA_SASL_MECHANISM")
    if mechanism == "SCRAM-SHA-512" and not (
        settings.kafka_sasl_username and settings.kafka_sasl_password
    ):
        found.append("SCRAM-SHA-512 needs SSP_KAFKA_SASL_USERNAME and SSP_KAFKA_SASL_PASSWORD")
    if mechanism == "OAUTHBEARER":
        by_file = settings.kafka_sasl_oauth_token_file is not None
        by_client = bool(
            settings.kafka_sasl_oauth_token_url
            and settings.kafka_sasl_oauth_client_id
            and settings.kafka_sasl_oauth_client_secret
        )
        if by_file == by_client:
            found.append(
                "OAUTHBEARER needs either SSP_KAFKA_SASL_OAUTH_TOKEN_FILE or "
                "SSP_KAFKA_SASL_OAUTH_TOKEN_URL with SSP_KAFKA_SASL_OAUTH_CLIENT_ID and "
                "SSP_KAFKA_SASL_OAUTH_CLIENT_SECRET"
            )
    tls_files = [
        settings.kafka_ssl_ca_file,
        settings.kafka_ssl_cert_file,
        settings.kafka_ssl_key_file,
    ]
    if any(f is not None for f in tls_files) and protocol not in TLS_PROTOCOLS:
        found.append(
            "SSP_KAFKA_SSL_* files are set but SSP_KAFKA_SECURITY_PROTOCOL is "
            f"{protocol} (use SSL or SASL_SSL)"
        )
    if (settings.kafka_ssl_cert_file is None) != (settings.kafka_ssl_key_file is None):
        found.append("SSP_KAFKA_SSL_CERT_FILE and SSP_KAFKA_SSL_KEY_FILE go together")
    for name, path in (
        ("SSP_KAFKA_SSL_CA_FILE", settings.kafka_ssl_ca_file),
        ("SSP_KAFKA_SSL_CERT_FILE", settings.kafka_ssl_cert_file),
        ("SSP_KAFKA_SSL_KEY_FILE", settings.kafka_ssl_key_file),
        ("SSP_KAFKA_SASL_OAUTH_TOKEN_FILE", settings.kafka_sasl_oauth_token_file),
    ):
        if path is not None and not Path(path).is_file():
            found.append(f"{name}: no file at {path}")
    return found


def kafka_security(settings: PlatformSettings) -> KafkaSecurity:
    """The clients' security from the settings; KafkaSecurityError names every problem."""
    found = problems(settings)
    if found:
        raise KafkaSecurityError("Kafka security settings: " + "; ".join(found))
    protocol = settings.kafka_security_protocol
    context: ssl.SSLContext | None = None
    if protocol in TLS_PROTOCOLS:
        password = settings.kafka_ssl_key_password
        context = create_ssl_context(
            cafile=settings.kafka_ssl_ca_file,
            certfile=settings.kafka_ssl_cert_file,
            keyfile=settings.kafka_ssl_key_file,
            password=password.get_secret_value() if password is not None else None,
        )
    provider: AbstractTokenProvider | None = None
    if settings.kafka_sasl_mechanism == "OAUTHBEARER":
        if settings.kafka_sasl_oauth_token_file is not None:
            provider = OAuthTokenFile(Path(settings.kafka_sasl_oauth_token_file))
        else:
            secret = settings.kafka_sasl_oauth_client_secret
            provider = OAuthClientCredentials(
                settings.kafka_sasl_oauth_token_url or "",
                settings.kafka_sasl_oauth_client_id or "",
                secret.get_secret_value() if secret is not None else "",
                settings.kafka_sasl_oauth_scope,
            )
    sasl_password = settings.kafka_sasl_password
    return KafkaSecurity(
        protocol=protocol,
        ssl_context=context,
        sasl_mechanism=settings.kafka_sasl_mechanism,
        username=settings.kafka_sasl_username,
        password=sasl_password.get_secret_value() if sasl_password is not None else None,
        token_provider=provider,
    )
