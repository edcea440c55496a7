"""The task that keeps reporting's read models current stops when cancelled, even when a save
wakes it in the same turns of the event loop (`asyncio.wait_for` on Python 3.11 swallowed such
a cancel, cpython issue 86296, and the loop ran on)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from eventsourcing.domain import event

from services.reporting.entrypoints.projection_task import keep_read_models_current
from shared.eventstore import TracedAggregate
from shared.eventstore.application import ServiceApplication, store_env
from shared.runtime import ServiceContext
from shared.settings import PlatformSettings
from tests.support import stops_when_cancelled_as_woken


class Note(TracedAggregate):
    @event("Written")
    def __init__(self) -> None:
        pass


class CountingProjection:
    def __init__(self) -> None:
        self.catch_ups = 0

    def catch_up(self) -> int:
        self.catch_ups += 1
        return 0


@pytest.mark.parametrize("turns", range(6))
async def test_the_projection_task_cancelled_as_a_save_wakes_it_stops(turns: int) -> None:
    settings = PlatformSettings(SSP_DATABASE_URL="memory")
    app = ServiceApplication(env=store_env(settings, "reporting"))
    ctx = ServiceContext("reporting", settings, app, ThreadPoolExecutor(max_workers=1))
    projection: Any = CountingProjection()
    running = asyncio.create_task(keep_read_models_current(ctx, projection))
    await asyncio.sleep(0.2)  # caught up once, waiting for a save
    assert projection.catch_ups == 1 and not running.done()

    # A save wakes the task from the saving thread, on the loop's next turn.
    assert await stops_when_cancelled_as_woken(running, lambda: app.save(Note()), turns)
