"""Triage's settings (environment variables; see the README's settings table)."""

from __future__ import annotations

from pathlib import Path

from services.triage.adapters.profile_files import PACKAGED_PROFILES_DIR
from shared.auth import AuthSettings
from shared.settings import service_setting


class TriageSettings(AuthSettings):
    http_host: str = service_setting("TRIAGE_HTTP_HOST", "127.0.0.1")
    http_port: int = service_setting("TRIAGE_HTTP_PORT", 8082)
    birthday_check_seconds: float = service_setting(
        "TRIAGE_BIRTHDAY_CHECK_SECONDS",
        3600,
        "How often the 18th birthdays up to today are checked for a PSP/KSP "
        "handover (issue 14, part 4).",
        gt=0,
    )
    profiles_dir: Path = service_setting(
        "TRIAGE_PROFILES_DIR",
        PACKAGED_PROFILES_DIR,
        "Directory of the municipality profiles (one YAML file per municipality "
        "and default.yaml); validated at start.",
    )
