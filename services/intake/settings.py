"""Intake's settings (environment variables; see the README's settings table)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode

from services.intake.domain.municipalities import DEFAULT_MUNICIPALITIES
from shared.auth import AuthSettings
from shared.contracts.municipalities import is_municipality_code


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
    meeting_resolutions_per_hour: int = Field(
        default=60,
        ge=1,
        validation_alias="INTAKE_MEETING_RESOLUTIONS_PER_HOUR",
        description="Times one user may resolve the names of one meeting's agenda per hour "
        "(each time counts once, however many names).",
    )
    municipalities: Annotated[tuple[str, ...], NoDecode] = Field(
        default=DEFAULT_MUNICIPALITIES,
        validation_alias="SSP_MUNICIPALITIES",
        description="Municipality codes this deployment serves (comma separated). Incidents "
        "naming any other municipality are rejected (municipality_not_served) and kept.",
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
