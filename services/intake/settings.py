"""Intake's settings (environment variables; see the README's settings table)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from shared.auth import AuthSettings


class IntakeSettings(AuthSettings):
    http_host: str = Field(default="127.0.0.1", validation_alias="INTAKE_HTTP_HOST")
    http_port: int = Field(default=8081, validation_alias="INTAKE_HTTP_PORT")
    pseudonym_secret: SecretStr | None = Field(
        default=None,
        validation_alias="INTAKE_PSEUDONYM_SECRET",
        description="Key of the HMAC-SHA256 person pseudonym. Unset: a development secret is "
        "created in the data directory (never in production).",
    )
    store_cipher_key: SecretStr | None = Field(
        default=None,
        validation_alias="INTAKE_STORE_CIPHER_KEY",
        description="Base64 AES-256 key encrypting intake's event store (identities, originals).",
    )
    identity_resolutions_per_hour: int = Field(
        default=20,
        ge=1,
        validation_alias="INTAKE_IDENTITY_RESOLUTIONS_PER_HOUR",
        description="Identity resolutions one user may attempt per hour.",
    )
