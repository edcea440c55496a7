"""The background loop that raises overdue deadlines (reviews, consent, monthly meetings,
contract measures, standard letters)."""

from __future__ import annotations

import asyncio
import logging

from services.courses.application.service import CoursesService
from shared.runtime import ServiceContext

log = logging.getLogger(__name__)


async def emit_overdue_forever(
    ctx: ServiceContext, service: CoursesService, interval_s: float
) -> None:
    while True:
        raised: int = await ctx.in_store(service.emit_overdue, service.clock())
        if raised:
            log.info("courses: raised %d overdue event(s)", raised)
        await asyncio.sleep(interval_s)
