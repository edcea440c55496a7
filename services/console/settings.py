"""The console's settings (environment variables; see the README's settings table).

The console keeps no data: where the other services answer, how people log in (the
municipality's identity provider by OpenID Connect, or in development a page that mints a
development token), and the secret that signs its session cookies."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from shared.auth import AuthSettings


class ConsoleSettings(AuthSettings):
    http_host: str = Field(default="127.0.0.1", validation_alias="CONSOLE_HTTP_HOST")
    http_port: int = Field(default=8086, validation_alias="CONSOLE_HTTP_PORT")
    environment: Literal["development", "production"] = Field(
        default="development",
        validation_alias="SSP_ENVIRONMENT",
        description="production refuses the development login and requires a session secret.",
    )
    intake_url: str = Field(default="http://127.0.0.1:8081", validation_alias="SSP_INTAKE_URL")
    triage_url: str = Field(default="http://127.0.0.1:8082", validation_alias="SSP_TRIAGE_URL")
    notifications_url: str = Field(
        default="http://127.0.0.1:8083", validation_alias="SSP_NOTIFICATIONS_URL"
    )
    reporting_url: str = Field(
        default="http://127.0.0.1:8084", validation_alias="SSP_REPORTING_URL"
    )
    courses_url: str = Field(default="http://127.0.0.1:8085", validation_alias="SSP_COURSES_URL")
    session_secret: SecretStr | None = Field(
        default=None,
        validation_alias="CONSOLE_SESSION_SECRET",
        description="Signs the session cookie (at least 32 bytes); unset outside production: "
        "a development secret in $SSP_DATA_DIR/secrets/console.json.",
    )
    public_url: str | None = Field(
        default=None,
        validation_alias="CONSOLE_PUBLIC_URL",
        description="The address people open (e.g. https://ssp.kommune.dk); https makes the "
        "session cookie Secure; the OpenID Connect redirect address is built from it.",
    )
    oidc_discovery_url: str | None = Field(
        default=None,
        validation_alias="CONSOLE_OIDC_DISCOVERY_URL",
        description="The identity provider's .well-known/openid-configuration address.",
    )
    oidc_client_id: str | None = Field(default=None, validation_alias="CONSOLE_OIDC_CLIENT_ID")
    oidc_client_secret: SecretStr | None = Field(
        default=None, validation_alias="CONSOLE_OIDC_CLIENT_SECRET"
    )
    oidc_scopes: str = Field(default="openid profile", validation_alias="CONSOLE_OIDC_SCOPES")
    oidc_forward_token: Literal["access_token", "id_token"] = Field(
        default="access_token",
        validation_alias="CONSOLE_OIDC_FORWARD_TOKEN",
        description="Which of the identity provider's tokens the console sends to the APIs.",
    )
    api_timeout_seconds: float = Field(
        default=15.0, gt=0, validation_alias="CONSOLE_API_TIMEOUT_SECONDS"
    )
    session_hours: float = Field(default=8.0, gt=0, validation_alias="CONSOLE_SESSION_HOURS")

    @property
    def oidc_configured(self) -> bool:
        return bool(self.oidc_discovery_url and self.oidc_client_id)

    @property
    def development_login_allowed(self) -> bool:
        """Only outside production and where no identity provider's key is configured."""
        return self.environment != "production" and self.production_key_source is None

    @property
    def secure_cookies(self) -> bool:
        return bool(self.public_url and self.public_url.startswith("https://"))
