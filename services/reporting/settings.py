"""Reporting's settings (environment variables; see the README's settings table).

The read models live beside the event store: `SSP_DATABASE_URL` (PostgreSQL, tables prefixed
`reporting_`), `memory`, or unset for `<SSP_DATA_DIR>/reporting-views.sqlite`."""

from __future__ import annotations

from pydantic import Field

from shared.auth import AuthSettings


class ReportingSettings(AuthSettings):
    http_host: str = Field(default="127.0.0.1", validation_alias="REPORTING_HTTP_HOST")
    http_port: int = Field(default=8084, validation_alias="REPORTING_HTTP_PORT")
