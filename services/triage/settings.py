"""Triage's settings (environment variables; see the README's settings table)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import SecretStr

from services.triage.adapters.profile_files import PACKAGED_PROFILES_DIR
from shared.auth import AuthSettings
from shared.keys.keyring import WrappingKey
from shared.secret_checks import key_problem, listed_keys_problem, secret_problem
from shared.settings import service_setting

WRAPPING_KEY = "TRIAGE_KEY_WRAPPING_KEY"
RETIRED_WRAPPING_KEYS = "TRIAGE_RETIRED_WRAPPING_KEYS"


class TriageSettings(AuthSettings):
    wraps_its_own_keys: ClassVar[bool] = True  # TRIAGE_KEY_WRAPPING_KEY wraps its keyring
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
    key_wrapping_key: SecretStr | None = service_setting(
        WRAPPING_KEY,
        None,
        "Base64 AES-256 key wrapping triage's per-person data keys, which seal the "
        "text of the weekly meeting's minutes (issue 18). Unset: a development key is created "
        "in the data directory (never in production). Rotation: set the new key here, the old "
        f"one in {RETIRED_WRAPPING_KEYS}.",
    )
    retired_wrapping_keys: SecretStr | None = service_setting(
        RETIRED_WRAPPING_KEYS,
        None,
        "Comma-separated base64 keys that wrapped triage's data keys before the "
        "current one; read (data keys wrapped by them still open) until `ssp rewrap-keys "
        "triage` has wrapped them anew.",
    )

    def production_problems(self) -> list[str]:
        found = super().production_problems()
        problem = secret_problem(WRAPPING_KEY, self.key_wrapping_key)
        if problem is None and self.key_wrapping_key is not None:
            problem = key_problem(WRAPPING_KEY, self.key_wrapping_key.get_secret_value())
        if problem is not None:
            found.append(problem)
        problem = listed_keys_problem(RETIRED_WRAPPING_KEYS, self.retired_wrapping_keys)
        if problem is not None:
            found.append(problem)
        return found

    def retired_keys(self) -> list[WrappingKey]:
        return WrappingKey.listed(self.retired_wrapping_keys)
