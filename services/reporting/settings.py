"""Reporting's settings (environment variables; see the README's settings table).

The read models live beside the event store: `SSP_DATABASE_URL` (PostgreSQL, tables prefixed
`reporting_`), `memory`, or unset for `<SSP_DATA_DIR>/reporting-views.sqlite`."""

from __future__ import annotations

from services.reporting.domain.disclosure import DEFAULT_SMALLEST_SHOWN
from shared.auth import AuthSettings
from shared.settings import service_setting


class ReportingSettings(AuthSettings):
    http_host: str = service_setting("REPORTING_HTTP_HOST", "127.0.0.1")
    http_port: int = service_setting("REPORTING_HTTP_PORT", 8084)
    statistics_smallest_shown: int = service_setting(
        "REPORTING_STATISTICS_SMALLEST_SHOWN", DEFAULT_SMALLEST_SHOWN, ge=2, le=100
    )
    """Statistics cells counting fewer persons are suppressed (Danmarks Statistik: 5)."""
