"""Courses' settings (environment variables; see the README's settings table)."""

from __future__ import annotations

import base64

from pydantic import SecretStr

from shared.auth import AuthSettings
from shared.settings import secret_problem, service_setting


class CoursesSettings(AuthSettings):
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
        "Base64 AES-256 key sealing the notes of follow-up actions in courses' "
        "store. Unset: a development key is created in the data directory (never in "
        "production).",
    )

    def production_problems(self) -> list[str]:
        found = super().production_problems()
        problem = secret_problem("COURSES_NOTE_CIPHER_KEY", self.note_cipher_key)
        if problem is not None:
            found.append(problem)
        elif self.note_cipher_key is not None and not _is_aes_key(
            self.note_cipher_key.get_secret_value()
        ):
            found.append("COURSES_NOTE_CIPHER_KEY is not the base64 of a 32-byte key")
        return found


def _is_aes_key(text: str) -> bool:
    try:
        return len(base64.b64decode(text, validate=True)) == 32
    except ValueError:
        return False
