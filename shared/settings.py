"""Settings every service shares. Each service extends `PlatformSettings` with its own fields.

One settings object per service, read from the environment once at start-up (never ad hoc
`os.environ` look-ups in the code). The README's settings table lists every variable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal
from urllib.parse import unquote, urlparse

from pydantic import AliasGenerator, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from shared.contracts.municipalities import DEFAULT_SERVED_MUNICIPALITIES, is_municipality_code
from shared.secret_checks import listed_keys_problem, secret_problem


def service_setting(alias: str, default: Any, description: str | None = None, **limits: Any) -> Any:
    """A service's own setting, read from the variable `alias` (`<SERVICE>_<NAME>`, not the
    `SSP_` name the field would get): `default` when unset; `limits` are pydantic's field
    constraints (ge, gt, le, max_length). One declaration instead of the same `Field(...)`
    call in every service's settings."""
    return Field(default=default, validation_alias=alias, description=description, **limits)


def _environment_variable(field_name: str) -> str:
    return f"SSP_{field_name.upper()}"


class PlatformSettings(BaseSettings):
    """Each field is read from the environment variable `SSP_<FIELD NAME>` unless it names
    another with `validation_alias` (a service's own fields: `<SERVICE>_<FIELD NAME>`)."""

    model_config = SettingsConfigDict(
        env_file=None,
        extra="ignore",
        populate_by_name=True,
        frozen=True,
        alias_generator=AliasGenerator(validation_alias=_environment_variable),
    )

    environment: Literal["development", "production"] = Field(
        default="development",
        description="`production` refuses to start on development defaults: missing or "
        "placeholder secrets, a development or HS256 token key, Kafka without TLS.",
    )

    kafka_bootstrap_servers: str | None = Field(
        default=None,
        validation_alias="KAFKA_BOOTSTRAP_SERVERS",
        description="Kafka cluster to use; unset means `ssp up` starts the embedded Tansu broker.",
    )
    topic_prefix: str = Field(
        default="",
        description="Deployment prefix put in front of every topic name (e.g. `test.`).",
    )
    topic_partitions: int = Field(
        default=3,
        ge=1,
        description="Partitions for topics the platform creates at start-up.",
    )
    kafka_replication_factor: int = Field(
        default=1,
        ge=1,
        description="Replication factor for created topics (3 on a production Kafka cluster).",
    )
    kafka_idempotence: bool = Field(
        default=False,
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
    # A consumer group's join on Tansu waits about half the session timeout, and a re-join
    # after a member left about the whole timeout more (measured: 10 s → 5 s and 18 s, 6 s →
    # 3 s and 11 s). It is also how long a crashed member holds its partitions on any broker.
    kafka_session_timeout_ms: int = Field(
        default=10_000,
        ge=3_000,
        le=300_000,
        validation_alias="SSP_KAFKA_SESSION_TIMEOUT_MS",
        description="Consumer group session timeout: how soon the group notices a member "
        "gone; heartbeats every third of it.",
    )
    store_stall_s: float = Field(
        default=300,
        ge=10,
        validation_alias="SSP_STORE_STALL_SECONDS",
        description="Seconds the store's thread may wait inside one call without using CPU "
        "before the service counts as stalled: /healthz answers 503 (a restart) and the "
        "thread's stack is logged (shared/store_thread.py).",
    )
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        default="PLAINTEXT",
        description="How every Kafka client connects: PLAINTEXT (the embedded broker), SSL, "
        "SASL_SSL (production), SASL_PLAINTEXT.",
    )
    kafka_ssl_ca_file: Path | None = Field(
        default=None,
        description="PEM file of the CA(s) that signed the brokers' certificates; unset: the "
        "system's CAs.",
    )
    kafka_ssl_cert_file: Path | None = Field(
        default=None,
        description="PEM client certificate (mutual TLS); with SSP_KAFKA_SSL_KEY_FILE.",
    )
    kafka_ssl_key_file: Path | None = Field(
        default=None,
        description="PEM private key of the client certificate.",
    )
    kafka_ssl_key_password: SecretStr | None = Field(
        default=None,
        description="Password of the client certificate's key, if it is encrypted.",
    )
    kafka_sasl_mechanism: Literal["SCRAM-SHA-512", "OAUTHBEARER"] | None = Field(
        default=None,
        description="SASL mechanism (with SSP_KAFKA_SECURITY_PROTOCOL SASL_SSL).",
    )
    kafka_sasl_username: str | None = Field(default=None, description="SCRAM user.")
    kafka_sasl_password: SecretStr | None = Field(default=None, description="SCRAM password.")
    kafka_sasl_oauth_token_url: str | None = Field(
        default=None,
        description="OAUTHBEARER: the identity provider's token endpoint (client credentials).",
    )
    kafka_sasl_oauth_client_id: str | None = None
    kafka_sasl_oauth_client_secret: SecretStr | None = None
    kafka_sasl_oauth_scope: str | None = None
    kafka_sasl_oauth_token_file: Path | None = Field(
        default=None,
        description="OAUTHBEARER: a file holding a current token, read at each connection.",
    )
    kafka_cpr_retention_ms: int = Field(
        default=7 * 24 * 3600 * 1000,
        ge=3_600_000,
        description="retention.ms of the topics that carry CPR numbers (the police's and the "
        "case register's input), set when the platform creates them.",
    )
    data_dir: Path = Field(
        default=Path(".ssp-data"),
        description="Directory for the embedded SQLite stores and the development secrets.",
    )
    database_url: str | None = Field(
        default=None,
        description="postgresql://user:password@host:port/dbname; `memory` for a throw-away "
        "in-memory store; unset means SQLite files in the data directory.",
    )
    max_attempts: int = Field(
        default=5,
        ge=1,
        description="Attempts to process a message before it goes to the dead-letter topic.",
    )
    otlp_endpoint: str | None = Field(
        default=None,
        validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT",
        description="OTLP/HTTP endpoint for traces; unset means spans stay in the process.",
    )
    http_max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="Largest HTTP request body a service reads; larger ones get 413 before "
        "they are read whole (a route may allow more, e.g. intake's police-list import).",
    )
    kafka_max_message_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="Largest input message a service parses; a larger one is rejected unread "
        "(intake: on ssp.intake.rejected.v1, kept; other services: dead-lettered).",
    )
    daily_job_check_interval_s: float = Field(
        default=3600.0,
        gt=0,
        description="How often a service's daily job (retention, shared/eventstore/daily_job.py) "
        "looks whether today's run (UTC) is still due; it runs once a day whatever this is.",
    )
    erasure_refresh_interval_s: float = Field(
        default=2.0,
        gt=0,
        description="How often a replica reads the erasures recorded by another replica of its "
        "service (issue 18); its relay also reads them before each batch it publishes.",
    )
    retention_dead_letter_days: int = Field(
        30,
        ge=1,
        le=3650,
        description="Days a dead letter's original bytes stay readable: then the service's "
        "daily job destroys its key (kind dead_letter) and its dead-letter topic forgets it.",
    )
    key_wrapping_key: SecretStr | None = Field(
        default=None,
        description="Base64 AES-256 key wrapping the data keys of a service's keyring where the "
        "service has no key of its own (its dead letters' keys). Unset: a development key in "
        "the data directory (never in production). Rotation: set the new key here, the old one "
        "in SSP_RETIRED_WRAPPING_KEYS, then `ssp rewrap-keys notifications` and `ssp "
        "rewrap-keys reporting`.",
    )
    retired_wrapping_keys: SecretStr | None = Field(
        default=None,
        description="Comma-separated base64 keys that wrapped those data keys before "
        "SSP_KEY_WRAPPING_KEY: read (data keys wrapped by them still open) until `ssp "
        "rewrap-keys <service>` has wrapped them anew.",
    )
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="`json`: one JSON object per log line (time, level, logger, message, "
        "trace_id, span_id, service), for a log collector.",
    )
    gc_young_threshold: int = Field(
        default=50_000,
        ge=0,
        description="Allocations between young-generation garbage collections once started "
        "(Python's default is 700); 0 keeps Python's defaults.",
    )

    municipalities: Annotated[tuple[str, ...], NoDecode] = Field(
        default=DEFAULT_SERVED_MUNICIPALITIES,
        description="Municipality codes this deployment serves (comma separated, official codes "
        "only). Persons living elsewhere are recorded as not served, never routed; every "
        "service refuses to give an owner in another municipality.",
    )

    @field_validator("municipalities", mode="before")
    @classmethod
    def _split_codes(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [code for code in value.replace(";", ",").replace(" ", ",").split(",") if code]
        return value

    @field_validator("municipalities")
    @classmethod
    def _official_codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [code for code in value if not is_municipality_code(code)]
        if unknown:
            raise ValueError(f"not Danish municipality codes: {', '.join(unknown)}")
        if not value:
            raise ValueError("at least one municipality code is required")
        return tuple(dict.fromkeys(value))

    def topic(self, default_name: str) -> str:
        return f"{self.topic_prefix}{default_name}"

    @property
    def production(self) -> bool:
        return self.environment == "production"

    uses_kafka: ClassVar[bool] = True
    """False for a service without Kafka clients (the console): its Kafka is not checked."""
    wraps_its_own_keys: ClassVar[bool] = False
    """True for a service whose keyring has a wrapping key of its own (intake): it needs no
    SSP_KEY_WRAPPING_KEY (shared/keys/service_keyring.py)."""

    def production_problems(self) -> list[str]:
        """Why this configuration must not run in production (empty: none). Subclasses add
        their own (secrets, key sources); `ssp up`/`ssp run` refuse to start on any."""
        found: list[str] = []
        if not self.uses_kafka:
            return found
        if not self.kafka_bootstrap_servers:
            found.append(
                "KAFKA_BOOTSTRAP_SERVERS is unset: the embedded broker keeps only memory and "
                "speaks no TLS"
            )
        if self.kafka_security_protocol not in ("SSL", "SASL_SSL"):
            found.append(
                f"the Kafka connection has no TLS (SSP_KAFKA_SECURITY_PROTOCOL="
                f"{self.kafka_security_protocol}; use SASL_SSL or SSL)"
            )
        secrets_in_use = {
            "SSP_KAFKA_SASL_PASSWORD": self.kafka_sasl_password,
            "SSP_KAFKA_SASL_OAUTH_CLIENT_SECRET": self.kafka_sasl_oauth_client_secret,
        }
        for name, value in secrets_in_use.items():
            problem = secret_problem(name, value) if value is not None else None
            if problem is not None:
                found.append(problem)
        if not self.wraps_its_own_keys:
            problem = secret_problem("SSP_KEY_WRAPPING_KEY", self.key_wrapping_key)
            if problem is not None:
                found.append(problem)
            problem = listed_keys_problem("SSP_RETIRED_WRAPPING_KEYS", self.retired_wrapping_keys)
            if problem is not None:
                found.append(problem)
        return found


class ConfigurationRefused(RuntimeError):
    """A production configuration that must not run; the message names every problem."""


def refuse_unsafe_production(settings_by_service: dict[str, PlatformSettings]) -> None:
    """Raise ConfigurationRefused, with one message naming every problem of every service,
    when any of them runs with SSP_ENVIRONMENT=production on development defaults. In
    development (the default) nothing is checked."""
    services_by_problem: dict[str, list[str]] = {}
    production = False
    for service, settings in settings_by_service.items():
        if not settings.production:
            continue
        production = True
        for problem in settings.production_problems():
            services_by_problem.setdefault(problem, []).append(service)
    if not production or not services_by_problem:
        return
    everyone = len(settings_by_service)
    lines = [
        f"  - {problem}"
        + (f" ({', '.join(services)})" if everyone > 1 and len(services) < everyone else "")
        for problem, services in services_by_problem.items()
    ]
    raise ConfigurationRefused(
        "SSP_ENVIRONMENT=production: refusing to start "
        f"{', '.join(settings_by_service)}; fix:\n" + "\n".join(lines)
    )


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
