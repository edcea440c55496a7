"""Courses' settings (environment variables; see the README's settings table)."""

from __future__ import annotations

from pydantic import Field

from shared.auth import AuthSettings


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
