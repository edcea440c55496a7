"""Notifications' settings (environment variables; see the README's settings table)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from shared.auth import AuthSettings
from shared.settings import service_setting


class NotificationsSettings(AuthSettings):
    http_host: str = service_setting("NOTIFICATIONS_HTTP_HOST", "127.0.0.1")
    http_port: int = service_setting("NOTIFICATIONS_HTTP_PORT", 8083)
    tovholder_deadline_hours: int = service_setting(
        "NOTIFICATIONS_TOVHOLDER_DEADLINE_HOURS",
        48,
        "Hours from creation until a tovholder (coordinator) letter task is due.",
        ge=1,
    )
    caseworker_deadline_hours: int = service_setting(
        "NOTIFICATIONS_CASEWORKER_DEADLINE_HOURS",
        72,
        "Hours from creation until a caseworker letter task is due.",
        ge=1,
    )
    overdue_check_seconds: float = service_setting(
        "NOTIFICATIONS_OVERDUE_CHECK_SECONDS",
        60,
        "How often open tasks past their deadline are marked overdue.",
        gt=0,
    )
    # --- letters (issue 16) -------------------------------------------------------------
    letter_profiles_dir: Path | None = service_setting(
        "NOTIFICATIONS_LETTER_PROFILES_DIR",
        None,
        "Municipalities' letter profiles (letterhead, senders, local paragraphs): "
        "one {code}.yaml each plus default.yaml; unset: services/notifications/letter_profiles.",
    )
    letter_templates_dir: Path | None = service_setting(
        "NOTIFICATIONS_LETTER_TEMPLATES_DIR",
        None,
        "Letter templates searched before the built-in ones (same layout; "
        "{code}/{kind}/{audience}.html.j2 for one municipality).",
    )
    letter_outbox_dir: Path | None = service_setting(
        "NOTIFICATIONS_LETTER_OUTBOX_DIR",
        None,
        "Where the outbox sender puts the letters for print and post; unset: "
        "$SSP_DATA_DIR/letter-outbox.",
    )
    letter_channel: Literal["outbox", "digital_post"] = service_setting(
        "NOTIFICATIONS_LETTER_CHANNEL",
        "outbox",
        "How letters are sent: outbox (print and post) or digital_post.",
    )
    digital_post_url: str | None = service_setting(
        "NOTIFICATIONS_DIGITAL_POST_URL",
        None,
        "Base URL of the Digital Post gateway (docs/digital-post.md).",
        max_length=500,
    )
    digital_post_api_key: str | None = service_setting(
        "NOTIFICATIONS_DIGITAL_POST_API_KEY", None, "Bearer key for the Digital Post gateway."
    )
    intake_url: str | None = service_setting(
        "SSP_INTAKE_URL",
        None,
        "Where notifications asks intake for a letter's recipients; unset: "
        "http:// + INTAKE_HTTP_HOST:INTAKE_HTTP_PORT (default 127.0.0.1:8081).",
        max_length=500,
    )

    def outbox_dir(self) -> Path:
        return self.letter_outbox_dir or self.data_dir / "letter-outbox"
