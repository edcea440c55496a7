"""The background loop that marks letter tasks past their deadline overdue, and reports how
many are overdue per municipality (`ssp.letter_tasks.overdue`)."""

from __future__ import annotations

from services.notifications.application.service import NotificationsService
from shared.runtime import ServiceContext, in_store_every


async def mark_overdue_tasks_forever(
    ctx: ServiceContext, service: NotificationsService, interval_s: float
) -> None:
    def mark_and_count() -> int:
        marked = service.mark_overdue(service.clock())
        if ctx.metrics is not None:
            ctx.metrics.overdue(service.overdue_counts())
        return marked

    await in_store_every(
        ctx, interval_s, mark_and_count, "notifications: marked %d letter task(s) overdue"
    )
