"""The background loop that marks letter tasks past their deadline overdue and escalates them
(issue 16, part 6: each escalation is an event of its case, so a restart repeats none)."""

from __future__ import annotations

from services.notifications.application.letters import LetterDesk
from services.notifications.application.service import NotificationsService
from shared.runtime import ServiceContext, in_store_every


async def mark_overdue_tasks_forever(
    ctx: ServiceContext,
    service: NotificationsService,
    interval_s: float,
    desk: LetterDesk | None = None,
) -> None:
    def check() -> int:
        now = service.clock()
        marked = service.mark_overdue(now)
        escalated = len(desk.escalate_in_store(now)) if desk is not None else 0
        return marked + escalated

    await in_store_every(
        ctx,
        interval_s,
        check,
        "notifications: %d letter task(s) marked overdue or escalated",
    )
