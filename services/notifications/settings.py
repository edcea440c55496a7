"""Notifications' settings (environment variables; see the README's settings table)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from shared.auth import AuthSettings


class NotificationsSettings(AuthSettings):
    http_host: str = Field(default="127.0.0.1", validation_alias="NOTIFICATIONS_HTTP_HOST")
    http_port: int = Field(default=8083, validation_alias="NOTIFICATIONS_HTTP_PORT")
    tovholder_deadline_hours: int = Field(
        default=48,
        ge=1,
        validation_alias="NOTIFICATIONS_TOVHOLDER_DEADLINE_HOURS",
        description="Hours from creation until a tovholder (coordinator) letter task is due.",
    )
    caseworker_deadline_hours: int = Field(
        default=72,
        ge=1,
        validation_alias="NOTIFICATIONS_CASEWORKER_DEADLINE_HOURS",
        description="Hours from creation until a caseworker letter task is due.",
    )
    overdue_check_seconds: float = Field(
        default=60,
        gt=0,
        validation_alias="NOTIFICATIONS_OVERDUE_CHECK_SECONDS",
        description="How often open tasks past their deadline are marked overdue.",
    )
    # --- letters (issue 16) -------------------------------------------------------------
    letter_profiles_dir: Path | None = Field(
        default=None,
        validation_alias="NOTIFICATIONS_LETTER_PROFILES_DIR",
        description="Municipalities' letter profiles (letterhead, senders, local paragraphs): "
        "one {code}.yaml each plus default.yaml; unset: services/notifications/letter_profiles.",
    )
    letter_templates_dir: Path | None = Field(
        default=None,
        validation_alias="NOTIFICATIONS_LETTER_TEMPLATES_DIR",
        description="Letter templates searched before the built-in ones (same layout; "
        "{code}/{kind}/{audience}.html.j2 for one municipality).",
    )
    letter_outbox_dir: Path | None = Field(
        default=None,
        validation_alias="NOTIFICATIONS_LETTER_OUTBOX_DIR",
        description="Where the outbox sender puts the letters for print and post; unset: "
        "$SSP_DATA_DIR/letter-outbox.",
    )
    letter_channel: Literal["outbox", "digital_post"] = Field(
        default="outbox",
        validation_alias="NOTIFICATIONS_LETTER_CHANNEL",
        description="How letters are sent: outbox (print and post) or digital_post.",
    )
    digital_post_url: str | None = Field(
        default=None,
        max_length=500,
        validation_alias="NOTIFICATIONS_DIGITAL_POST_URL",
        description="Base URL of the Digital Post gateway (docs/digital-post.md).",
    )
    digital_post_api_key: str | None = Field(
        default=None,
        validation_alias="NOTIFICATIONS_DIGITAL_POST_API_KEY",
        description="Bearer key for the Digital Post gateway.",
    )
    intake_url: str | None = Field(
        default=None,
        max_length=500,
        validation_alias="SSP_INTAKE_URL",
        description="Where notifications asks intake for a letter's recipients; unset: "
        "http:// + INTAKE_HTTP_HOST:INTAKE_HTTP_PORT (default 127.0.0.1:8081).",
    )

    def outbox_dir(self) -> Path:
        return self.letter_outbox_dir or self.data_dir / "letter-outbox"
