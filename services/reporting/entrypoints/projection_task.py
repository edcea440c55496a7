"""The background task that keeps the read models current while the service runs."""

from __future__ import annotations

import asyncio

from services.reporting.application.projection import Projection
from shared.runtime import ServiceContext
from shared.waiting import woken_within

# Woken after every save; the poll is the safety net should a wake-up be missed.
POLL_INTERVAL_S = 1.0


async def keep_read_models_current(ctx: ServiceContext, projection: Projection) -> None:
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()

    def wake_from_store_thread() -> None:
        loop.call_soon_threadsafe(wake.set)

    ctx.app.on_saved(wake_from_store_thread)
    while True:
        wake.clear()
        await ctx.in_store(projection.catch_up)
        await woken_within(wake, POLL_INTERVAL_S)
