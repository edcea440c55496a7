"""The console's settings (environment variables; see the README's settings table).

The console keeps no data: where the other services answer, how people log in (the
municipality's identity provider by OpenID Connect, or in development a page that mints a
development token), and the secret that signs its session cookies."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import SecretStr

from shared.auth import AuthSettings
from shared.secret_checks import secret_problem
from shared.settings import service_setting


class ConsoleSettings(AuthSettings):
    http_host: str = service_setting("CONSOLE_HTTP_HOST", "127.0.0.1")
    http_port: int = service_setting("CONSOLE_HTTP_PORT", 8086)
    environment: Literal["development", "production"] = service_setting(
        "SSP_ENVIRONMENT",
        "development",
        "production refuses the development login and requires a session secret.",
    )
    intake_url: str = service_setting("SSP_INTAKE_URL", "http://127.0.0.1:8081")
    triage_url: str = service_setting("SSP_TRIAGE_URL", "http://127.0.0.1:8082")
    notifications_url: str = service_setting("SSP_NOTIFICATIONS_URL", "http://127.0.0.1:8083")
    reporting_url: str = service_setting("SSP_REPORTING_URL", "http://127.0.0.1:8084")
    courses_url: str = service_setting("SSP_COURSES_URL", "http://127.0.0.1:8085")
    session_secret: SecretStr | None = service_setting(
        "CONSOLE_SESSION_SECRET",
        None,
        "Signs the session cookie (at least 32 bytes); unset outside production: "
        "a development secret in $SSP_DATA_DIR/secrets/console.json.",
    )
    public_url: str | None = service_setting(
        "CONSOLE_PUBLIC_URL",
        None,
        "The address people open (e.g. https://ssp.kommune.dk); https makes the "
        "session cookie Secure; the OpenID Connect redirect address is built from it.",
    )
    oidc_discovery_url: str | None = service_setting(
        "CONSOLE_OIDC_DISCOVERY_URL",
        None,
        "The identity provider's .well-known/openid-configuration address.",
    )
    oidc_client_id: str | None = service_setting("CONSOLE_OIDC_CLIENT_ID", None)
    oidc_client_secret: SecretStr | None = service_setting("CONSOLE_OIDC_CLIENT_SECRET", None)
    oidc_scopes: str = service_setting("CONSOLE_OIDC_SCOPES", "openid profile")
    oidc_forward_token: Literal["access_token", "id_token"] = service_setting(
        "CONSOLE_OIDC_FORWARD_TOKEN",
        "access_token",
        "Which of the identity provider's tokens the console sends to the APIs.",
    )
    api_timeout_seconds: float = service_setting("CONSOLE_API_TIMEOUT_SECONDS", 15.0, gt=0)
    session_hours: float = service_setting("CONSOLE_SESSION_HOURS", 8.0, gt=0)

    uses_kafka: ClassVar[bool] = False

    def production_problems(self) -> list[str]:
        found = super().production_problems()
        problem = secret_problem("CONSOLE_SESSION_SECRET", self.session_secret)
        if problem is not None:
            found.append(problem)
        if not self.oidc_configured:
            found.append(
                "the console has no identity provider: set CONSOLE_OIDC_DISCOVERY_URL and "
                "CONSOLE_OIDC_CLIENT_ID"
            )
        elif self.oidc_client_secret is not None:
            problem = secret_problem("CONSOLE_OIDC_CLIENT_SECRET", self.oidc_client_secret)
            if problem is not None:
                found.append(problem)
        if not (self.public_url or "").startswith("https://"):
            found.append("CONSOLE_PUBLIC_URL must be the https:// address people open")
        return found

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
