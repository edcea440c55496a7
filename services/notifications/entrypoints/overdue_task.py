"""The background loop that marks letter tasks past their deadline overdue."""

from __future__ import annotations

import asyncio
import logging

from services.notifications.application.service import NotificationsService
from shared.runtime import ServiceContext

log = logging.getLogger(__name__)


async def mark_overdue_tasks_forever(
    ctx: ServiceContext, service: NotificationsService, interval_s: float
) -> None:
    while True:
        marked: int = await ctx.in_store(service.mark_overdue, service.clock())
        if marked:
            log.info("notifications: marked %d letter task(s) overdue", marked)
        if ctx.metrics is not None:
            ctx.metrics.overdue(await ctx.in_store(service.overdue_counts))
        await asyncio.sleep(interval_s)
