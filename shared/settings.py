"""Settings every service shares. Each service extends `PlatformSettings` with its own fields.

One settings object per service, read from the environment once at start-up (never ad hoc
`os.environ` look-ups in the code). The README's settings table lists every variable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import unquote, urlparse

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from shared.contracts.municipalities import DEFAULT_SERVED_MUNICIPALITIES, is_municipality_code


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
    http_max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        validation_alias="SSP_HTTP_MAX_BODY_BYTES",
        description="Largest HTTP request body a service reads; larger ones get 413 before "
        "they are read whole (a route may allow more, e.g. intake's police-list import).",
    )
    kafka_max_message_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        validation_alias="SSP_KAFKA_MAX_MESSAGE_BYTES",
        description="Largest input message a service parses; a larger one is rejected unread "
        "(intake: on ssp.intake.rejected.v1, kept; other services: dead-lettered).",
    )
    log_level: str = Field(default="INFO", validation_alias="SSP_LOG_LEVEL")
    gc_young_threshold: int = Field(
        default=50_000,
        ge=0,
        validation_alias="SSP_GC_YOUNG_THRESHOLD",
        description="Allocations between young-generation garbage collections once started "
        "(Python's default is 700); 0 keeps Python's defaults.",
    )

    municipalities: Annotated[tuple[str, ...], NoDecode] = Field(
        default=DEFAULT_SERVED_MUNICIPALITIES,
        validation_alias="SSP_MUNICIPALITIES",
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
