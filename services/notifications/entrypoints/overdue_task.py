"""The background loop that marks letter tasks past their deadline overdue."""

from __future__ import annotations

from services.notifications.application.service import NotificationsService
from shared.runtime import ServiceContext, in_store_every


async def mark_overdue_tasks_forever(
    ctx: ServiceContext, service: NotificationsService, interval_s: float
) -> None:
    await in_store_every(
        ctx,
        interval_s,
        lambda: service.mark_overdue(service.clock()),
        "notifications: marked %d letter task(s) overdue",
    )
