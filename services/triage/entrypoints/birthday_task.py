"""The scheduled 18th-birthday check (issue 14, part 4): at start and then every
`TRIAGE_BIRTHDAY_CHECK_SECONDS`, open the PSP/KSP handover tasks of the persons who turned 18
up to today with an open item. Each task is opened once whatever runs the check how often."""

from __future__ import annotations

import asyncio
import logging

from services.triage.application.service import TriageService
from services.triage.domain.calendar_days import local_today
from shared.runtime import ServiceContext

log = logging.getLogger(__name__)


async def check_birthdays_forever(
    ctx: ServiceContext, service: TriageService, interval_s: float
) -> None:
    while True:
        opened: int = await ctx.in_store(service.check_birthdays, local_today(service.clock()))
        if opened:
            log.info("triage: opened %d PSP/KSP handover task(s)", opened)
        await asyncio.sleep(interval_s)
