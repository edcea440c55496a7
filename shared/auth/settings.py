"""Settings of authentication and the audit trail, shared by every service with an HTTP API.

A service's settings class extends `AuthSettings` instead of `PlatformSettings`; the variables
are the same for every service (one identity provider, one audience for the platform)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from shared.settings import PlatformSettings

DEVELOPMENT_ISSUER = "urn:ssp:development"
PLATFORM_AUDIENCE = "urn:ssp:platform"


class AuthSettings(PlatformSettings):
    auth_jwks_url: str | None = Field(
        default=None,
        validation_alias="SSP_AUTH_JWKS_URL",
        description="JWKS address of the municipality's identity provider (RS/ES/PS/EdDSA keys).",
    )
    auth_public_key: str | None = Field(
        default=None,
        validation_alias="SSP_AUTH_PUBLIC_KEY",
        description="PEM public key (the text, or a path to a file) verifying tokens.",
    )
    auth_signing_key: SecretStr | None = Field(
        default=None,
        validation_alias="SSP_AUTH_SIGNING_KEY",
        description="HS256 shared secret (at least 32 bytes) signing and verifying tokens. "
        "Unset, with no JWKS address or public key: a development key is created in the "
        "data directory.",
    )
    auth_issuer: str = Field(
        default=DEVELOPMENT_ISSUER,
        validation_alias="SSP_AUTH_ISSUER",
        description="The `iss` every token must carry.",
    )
    auth_audience: str = Field(
        default=PLATFORM_AUDIENCE,
        validation_alias="SSP_AUTH_AUDIENCE",
        description="The `aud` every token must carry.",
    )
    audit_term_key: SecretStr | None = Field(
        default=None,
        validation_alias="SSP_AUDIT_TERM_KEY",
        description="Key of the keyed hash (HMAC-SHA256) an audit entry stores instead of the "
        "path and query of a refused request. Unset: a development key is created in the data "
        "directory.",
    )
    unauthenticated_per_minute: int = Field(
        default=30,
        ge=1,
        validation_alias="SSP_AUTH_UNAUTHENTICATED_PER_MINUTE",
        description="Requests without a valid token one client address may make per minute "
        "(each audited); beyond: 429, one audit entry per address and minute.",
    )
    audit_retention_days: int = Field(
        default=1825,
        ge=1,
        validation_alias="SSP_AUDIT_RETENTION_DAYS",
        description="Audit entries younger than this can be deleted by nobody; older ones only "
        "by `ssp audit-purge`.",
    )

    @property
    def production_key_source(self) -> str | None:
        """The identity provider's key source, when one is configured."""
        if self.auth_jwks_url:
            return "SSP_AUTH_JWKS_URL"
        if self.auth_public_key:
            return "SSP_AUTH_PUBLIC_KEY"
        return None
