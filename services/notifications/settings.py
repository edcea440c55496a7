"""Notifications' settings (environment variables; see the README's settings table)."""

from __future__ import annotations

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
