"""Settings every service shares. Each service extends `PlatformSettings` with its own fields.

One settings object per service, read from the environment once at start-up (never ad hoc
`os.environ` look-ups in the code). The README's settings table lists every variable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlparse

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class PlatformSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=None, extra="ignore", populate_by_name=True, frozen=True
    )

    kafka_bootstrap_servers: str | None = Field(
        default=None,
        validation_alias="KAFKA_BOOTSTRAP_SERVERS",
        description="Kafka cluster to use; unset means `ssp up` starts the embedded Tansu broker.",
    )
    topic_prefix: str = Field(
        default="",
        validation_alias="SSP_TOPIC_PREFIX",
        description="Deployment prefix put in front of every topic name (e.g. `test.`).",
    )
    topic_partitions: int = Field(
        default=3,
        ge=1,
        validation_alias="SSP_TOPIC_PARTITIONS",
        description="Partitions for topics the platform creates at start-up.",
    )
    kafka_replication_factor: int = Field(
        default=1,
        ge=1,
        validation_alias="SSP_KAFKA_REPLICATION_FACTOR",
        description="Replication factor for created topics (3 on a production Kafka cluster).",
    )
    kafka_idempotence: bool = Field(
        default=False,
        validation_alias="SSP_KAFKA_IDEMPOTENCE",
        description="Use Kafka's idempotent producer (Apache Kafka: yes; Tansu lacks it).",
    )
    # Tansu answers a waiting fetch only when the wait expires, so this bounds each hop's
    # delay at idle; 50 ms keeps a hop well under the one-second target while an idle
    # platform polls a fifth as often as at 10 ms (≈13 % of a core instead of ≈37 % for
    # `ssp up` with its broker) and a burst spends ≈5 % less CPU per incident.
    fetch_max_wait_ms: int = Field(
        default=50,
        ge=1,
        validation_alias="SSP_KAFKA_FETCH_MAX_WAIT_MS",
        description="Consumer fetch wait; Tansu answers a waiting fetch only when it expires.",
    )
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        default="PLAINTEXT",
        validation_alias="SSP_KAFKA_SECURITY_PROTOCOL",
        description="How every Kafka client connects: PLAINTEXT (the embedded broker), SSL, "
        "SASL_SSL (production), SASL_PLAINTEXT.",
    )
    kafka_ssl_ca_file: Path | None = Field(
        default=None,
        validation_alias="SSP_KAFKA_SSL_CA_FILE",
        description="PEM file of the CA(s) that signed the brokers' certificates; unset: the "
        "system's CAs.",
    )
    kafka_ssl_cert_file: Path | None = Field(
        default=None,
        validation_alias="SSP_KAFKA_SSL_CERT_FILE",
        description="PEM client certificate (mutual TLS); with SSP_KAFKA_SSL_KEY_FILE.",
    )
    kafka_ssl_key_file: Path | None = Field(
        default=None,
        validation_alias="SSP_KAFKA_SSL_KEY_FILE",
        description="PEM private key of the client certificate.",
    )
    kafka_ssl_key_password: SecretStr | None = Field(
        default=None,
        validation_alias="SSP_KAFKA_SSL_KEY_PASSWORD",
        description="Password of the client certificate's key, if it is encrypted.",
    )
    kafka_sasl_mechanism: Literal["SCRAM-SHA-512", "OAUTHBEARER"] | None = Field(
        default=None,
        validation_alias="SSP_KAFKA_SASL_MECHANISM",
        description="SASL mechanism (with SSP_KAFKA_SECURITY_PROTOCOL SASL_SSL).",
    )
    kafka_sasl_username: str | None = Field(
        default=None, validation_alias="SSP_KAFKA_SASL_USERNAME", description="SCRAM user."
    )
    kafka_sasl_password: SecretStr | None = Field(
        default=None, validation_alias="SSP_KAFKA_SASL_PASSWORD", description="SCRAM password."
    )
    kafka_sasl_oauth_token_url: str | None = Field(
        default=None,
        validation_alias="SSP_KAFKA_SASL_OAUTH_TOKEN_URL",
        description="OAUTHBEARER: the identity provider's token endpoint (client credentials).",
    )
    kafka_sasl_oauth_client_id: str | None = Field(
        default=None, validation_alias="SSP_KAFKA_SASL_OAUTH_CLIENT_ID"
    )
    kafka_sasl_oauth_client_secret: SecretStr | None = Field(
        default=None, validation_alias="SSP_KAFKA_SASL_OAUTH_CLIENT_SECRET"
    )
    kafka_sasl_oauth_scope: str | None = Field(
        default=None, validation_alias="SSP_KAFKA_SASL_OAUTH_SCOPE"
    )
    kafka_sasl_oauth_token_file: Path | None = Field(
        default=None,
        validation_alias="SSP_KAFKA_SASL_OAUTH_TOKEN_FILE",
        description="OAUTHBEARER: a file holding a current token, read at each connection.",
    )
    kafka_cpr_retention_ms: int = Field(
        default=7 * 24 * 3600 * 1000,
        ge=3_600_000,
        validation_alias="SSP_KAFKA_CPR_RETENTION_MS",
        description="retention.ms of the topics that carry CPR numbers (the police's and the "
        "case register's input), set when the platform creates them.",
    )
    data_dir: Path = Field(
        default=Path(".ssp-data"),
        validation_alias="SSP_DATA_DIR",
        description="Directory for the embedded SQLite stores and the development secrets.",
    )
    database_url: str | None = Field(
        default=None,
        validation_alias="SSP_DATABASE_URL",
        description="postgresql://user:password@host:port/dbname; `memory` for a throw-away "
        "in-memory store; unset means SQLite files in the data directory.",
    )
    max_attempts: int = Field(
        default=5,
        ge=1,
        validation_alias="SSP_MAX_ATTEMPTS",
        description="Attempts to process a message before it goes to the dead-letter topic.",
    )
    otlp_endpoint: str | None = Field(
        default=None,
        validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT",
        description="OTLP/HTTP endpoint for traces; unset means spans stay in the process.",
    )
    log_level: str = Field(default="INFO", validation_alias="SSP_LOG_LEVEL")
    gc_young_threshold: int = Field(
        default=50_000,
        ge=0,
        validation_alias="SSP_GC_YOUNG_THRESHOLD",
        description="Allocations between young-generation garbage collections once started "
        "(Python's default is 700); 0 keeps Python's defaults.",
    )

    def topic(self, default_name: str) -> str:
        return f"{self.topic_prefix}{default_name}"


def postgres_env(database_url: str) -> dict[str, str]:
    """eventsourcing's POSTGRES_* variables from one `postgresql://` URL."""
    url = urlparse(database_url)
    if url.scheme not in {"postgres", "postgresql"}:
        raise ValueError("SSP_DATABASE_URL must start with postgresql://")
    return {
        "POSTGRES_HOST": url.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": unquote(url.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(url.password or ""),
        "POSTGRES_DBNAME": url.path.lstrip("/") or "postgres",
    }
