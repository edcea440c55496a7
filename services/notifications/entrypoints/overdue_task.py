"""The background loop that marks letter tasks past their deadline overdue and escalates them
(issue 16, part 6: each escalation is an event of its case, so a restart repeats none)."""

from __future__ import annotations

import asyncio
import logging

from services.notifications.application.letters import LetterDesk
from services.notifications.application.service import NotificationsService
from shared.runtime import ServiceContext

log = logging.getLogger(__name__)


async def mark_overdue_tasks_forever(
    ctx: ServiceContext,
    service: NotificationsService,
    interval_s: float,
    desk: LetterDesk | None = None,
) -> None:
    while True:
        now = service.clock()
        marked: int = await ctx.in_store(service.mark_overdue, now)
        if marked:
            log.info("notifications: marked %d letter task(s) overdue", marked)
        if desk is not None:
            escalated: list[object] = await ctx.in_store(desk.escalate_in_store, now)
            if escalated:
                log.info("notifications: %d escalation(s) of letter tasks", len(escalated))
        await asyncio.sleep(interval_s)
