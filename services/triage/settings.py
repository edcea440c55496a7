"""Triage's settings (environment variables; see the README's settings table)."""

from __future__ import annotations

from pydantic import Field

from shared.settings import PlatformSettings


class TriageSettings(PlatformSettings):
    http_host: str = Field(default="127.0.0.1", validation_alias="TRIAGE_HTTP_HOST")
    http_port: int = Field(default=8082, validation_alias="TRIAGE_HTTP_PORT")
