"""Triage's settings (environment variables; see the README's settings table)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from services.triage.adapters.profile_files import PACKAGED_PROFILES_DIR
from shared.auth import AuthSettings


class TriageSettings(AuthSettings):
    http_host: str = Field(default="127.0.0.1", validation_alias="TRIAGE_HTTP_HOST")
    http_port: int = Field(default=8082, validation_alias="TRIAGE_HTTP_PORT")
    profiles_dir: Path = Field(
        default=PACKAGED_PROFILES_DIR,
        validation_alias="TRIAGE_PROFILES_DIR",
        description="Directory of the municipality profiles (one YAML file per municipality "
        "and default.yaml); validated at start.",
    )
