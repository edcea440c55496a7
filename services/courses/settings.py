"""Courses' settings (environment variables; see the README's settings table)."""

from __future__ import annotations

import base64

from pydantic import Field, SecretStr

from shared.auth import AuthSettings
from shared.settings import secret_problem


class CoursesSettings(AuthSettings):
    http_host: str = Field(default="127.0.0.1", validation_alias="COURSES_HTTP_HOST")
    http_port: int = Field(default=8085, validation_alias="COURSES_HTTP_PORT")
    consent_pending_days: int = Field(
        default=14,
        ge=1,
        validation_alias="COURSES_CONSENT_PENDING_DAYS",
        description="Days a TRIVSEL+ consent request may stay unanswered before it is overdue.",
    )
    acute_letter_deadline_hours: float = Field(
        default=24,
        gt=0,
        validation_alias="COURSES_ACUTE_LETTER_DEADLINE_HOURS",
        description="Hours from the start of an acute procedure until its standard letter "
        "(akut_standardbrev) is due: carried as due_at in the standard_letter_requested course "
        "event, from which notifications creates the letter task.",
    )
    overdue_check_seconds: float = Field(
        default=300,
        gt=0,
        validation_alias="COURSES_OVERDUE_CHECK_SECONDS",
        description="How often the deadline scheduler looks for overdue reviews, consents, "
        "monthly meetings, contract measures and standard letters.",
    )
    note_cipher_key: SecretStr | None = Field(
        default=None,
        validation_alias="COURSES_NOTE_CIPHER_KEY",
        description="Base64 AES-256 key sealing the notes of follow-up actions in courses' "
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
