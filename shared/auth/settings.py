"""Settings of authentication and the audit trail, shared by every service with an HTTP API.

A service's settings class extends `AuthSettings` instead of `PlatformSettings`; the variables
are the same for every service (one identity provider, one audience for the platform)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from shared.secret_checks import secret_problem
from shared.settings import PlatformSettings

DEVELOPMENT_ISSUER = "urn:ssp:development"
PLATFORM_AUDIENCE = "urn:ssp:platform"


class AuthSettings(PlatformSettings):
    auth_jwks_url: str | None = Field(
        default=None,
        description="JWKS address of the municipality's identity provider (RS/ES/PS/EdDSA keys).",
    )
    auth_public_key: str | None = Field(
        default=None,
        description="PEM public key (the text, or a path to a file) verifying tokens.",
    )
    auth_signing_key: SecretStr | None = Field(
        default=None,
        description="HS256 shared secret (at least 32 bytes) signing and verifying tokens. "
        "Unset, with no JWKS address or public key: a development key is created in the "
        "data directory.",
    )
    auth_issuer: str = Field(
        default=DEVELOPMENT_ISSUER,
        description="The `iss` every token must carry.",
    )
    auth_audience: str = Field(
        default=PLATFORM_AUDIENCE,
        description="The `aud` every token must carry.",
    )
    auth_max_token_lifetime_hours: float = Field(
        default=12,
        gt=0,
        description="Tokens valid for longer than this (exp - iat, or exp - now without iat) "
        "are refused, in every environment.",
    )
    audit_term_key: SecretStr | None = Field(
        default=None,
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
        description="Audit entries younger than this can be deleted by nobody; older ones only "
        "by `ssp audit-purge`.",
    )

    def production_problems(self) -> list[str]:
        found = super().production_problems()
        if self.auth_jwks_url:
            if not self.auth_jwks_url.startswith("https://"):
                found.append("SSP_AUTH_JWKS_URL must be an https:// address")
        elif not self.auth_public_key:
            if self.auth_signing_key is not None:
                found.append(
                    "the token key is an HS256 shared secret (SSP_AUTH_SIGNING_KEY): set "
                    "SSP_AUTH_JWKS_URL or SSP_AUTH_PUBLIC_KEY of the identity provider"
                )
            else:
                found.append(
                    "no token key source: the development key would be used; set "
                    "SSP_AUTH_JWKS_URL or SSP_AUTH_PUBLIC_KEY of the identity provider"
                )
        problem = secret_problem("SSP_AUDIT_TERM_KEY", self.audit_term_key)
        if problem is not None:
            found.append(problem)
        if self.auth_issuer == DEVELOPMENT_ISSUER:
            found.append(
                f"SSP_AUTH_ISSUER is the development issuer {DEVELOPMENT_ISSUER}: set the "
                "identity provider's"
            )
        return found

    @property
    def production_key_source(self) -> str | None:
        """The identity provider's key source, when one is configured."""
        if self.auth_jwks_url:
            return "SSP_AUTH_JWKS_URL"
        if self.auth_public_key:
            return "SSP_AUTH_PUBLIC_KEY"
        return None
