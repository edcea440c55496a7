"""Triage's settings (environment variables; see the README's settings table)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from services.triage.adapters.profile_files import PACKAGED_PROFILES_DIR
from shared.auth import AuthSettings


class TriageSettings(AuthSettings):
    http_host: str = Field(default="127.0.0.1", validation_alias="TRIAGE_HTTP_HOST")
    http_port: int = Field(default=8082, validation_alias="TRIAGE_HTTP_PORT")
    birthday_check_seconds: float = Field(
        default=3600,
        gt=0,
        validation_alias="TRIAGE_BIRTHDAY_CHECK_SECONDS",
        description="How often the 18th birthdays up to today are checked for a PSP/KSP "
        "handover (issue 14, part 4).",
    )
    profiles_dir: Path = Field(
        default=PACKAGED_PROFILES_DIR,
        validation_alias="TRIAGE_PROFILES_DIR",
        description="Directory of the municipality profiles (one YAML file per municipality "
        "and default.yaml); validated at start.",
    )
