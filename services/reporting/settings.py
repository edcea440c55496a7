"""Reporting's settings (environment variables; see the README's settings table).

The read models live beside the event store: `SSP_DATABASE_URL` (PostgreSQL, tables prefixed
`reporting_`), `memory`, or unset for `<SSP_DATA_DIR>/reporting-views.sqlite`."""

from __future__ import annotations

from pydantic import Field

from services.reporting.domain.disclosure import DEFAULT_SMALLEST_SHOWN
from shared.auth import AuthSettings


class ReportingSettings(AuthSettings):
    http_host: str = Field(default="127.0.0.1", validation_alias="REPORTING_HTTP_HOST")
    http_port: int = Field(default=8084, validation_alias="REPORTING_HTTP_PORT")
    statistics_smallest_shown: int = Field(
        default=DEFAULT_SMALLEST_SHOWN,
        ge=2,
        le=100,
        validation_alias="REPORTING_STATISTICS_SMALLEST_SHOWN",
    )
    """Statistics cells counting fewer persons are suppressed (Danmarks Statistik: 5)."""
