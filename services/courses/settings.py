"""Courses' settings (environment variables; see the README's settings table)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import SecretStr

from services.courses.domain.retention import (
    DEFAULT_YEARS_AFTER_CLOSING,
    MunicipalityRetention,
)
from shared.auth import AuthSettings
from shared.secret_checks import key_problem, listed_keys_problem, secret_problem
from shared.settings import service_setting


class CoursesSettings(AuthSettings):
    wraps_its_own_keys: ClassVar[bool] = True  # COURSES_NOTE_CIPHER_KEY wraps its keyring
    http_host: str = service_setting("COURSES_HTTP_HOST", "127.0.0.1")
    http_port: int = service_setting("COURSES_HTTP_PORT", 8085)
    consent_pending_days: int = service_setting(
        "COURSES_CONSENT_PENDING_DAYS",
        14,
        "Days a TRIVSEL+ consent request may stay unanswered before it is overdue.",
        ge=1,
    )
    acute_letter_deadline_hours: float = service_setting(
        "COURSES_ACUTE_LETTER_DEADLINE_HOURS",
        24,
        "Hours from the start of an acute procedure until its standard letter "
        "(akut_standardbrev) is due: carried as due_at in the standard_letter_requested course "
        "event, from which notifications creates the letter task.",
        gt=0,
    )
    overdue_check_seconds: float = service_setting(
        "COURSES_OVERDUE_CHECK_SECONDS",
        300,
        "How often the deadline scheduler looks for overdue reviews, consents, "
        "monthly meetings, contract measures and standard letters.",
        gt=0,
    )
    note_cipher_key: SecretStr | None = service_setting(
        "COURSES_NOTE_CIPHER_KEY",
        None,
        "Base64 AES-256 key wrapping the per-person and per-record data keys that seal "
        "courses' free text (issue 18), and opening follow-up notes sealed with it before. "
        "Unset: a development key is created in the data directory (never in production).",
    )
    retired_note_cipher_keys: SecretStr | None = service_setting(
        "COURSES_RETIRED_NOTE_CIPHER_KEYS",
        None,
        "Comma-separated base64 keys that were COURSES_NOTE_CIPHER_KEY before: they open the "
        "data keys they wrapped until `ssp rewrap-keys courses` has wrapped them anew, and "
        "the follow-up notes sealed with them before issue 18.",
    )
    retention_years_after_closing: int = service_setting(
        "COURSES_RETENTION_YEARS_AFTER_CLOSING",
        DEFAULT_YEARS_AFTER_CLOSING,
        "Years after a course or follow-up action was closed that the daily job erases it "
        "(reason retention_deadline); KLE's standard: 5.",
        ge=1,
        le=50,
    )
    retention_by_municipality: dict[str, MunicipalityRetention] = service_setting(
        "COURSES_RETENTION_BY_MUNICIPALITY",
        {},
        'Municipalities\' own deadlines, JSON: {"607": {"years_after_closing": 10}}. A record '
        "several municipalities reach is kept for the longest.",
        max_length=200,
    )

    def production_problems(self) -> list[str]:
        found = super().production_problems()
        key = self.note_cipher_key
        problem = secret_problem("COURSES_NOTE_CIPHER_KEY", key)
        if problem is None and key is not None:
            problem = key_problem("COURSES_NOTE_CIPHER_KEY", key.get_secret_value())
        retired = listed_keys_problem(
            "COURSES_RETIRED_NOTE_CIPHER_KEYS", self.retired_note_cipher_keys
        )
        return found + [p for p in (problem, retired) if p is not None]
