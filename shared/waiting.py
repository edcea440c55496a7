"""Waiting with a time limit in a loop that must end when its task is cancelled.

Not `asyncio.wait_for`: on Python 3.11 it swallows the task's cancellation when what it waits
for completes in the same turns of the event loop as the cancel (cpython issue 86296, fixed by
3.12's rewrite on `asyncio.timeout`). A background loop around it, such as the outbox relay's,
then never ends: a CI run waited 300 s in `_stop_relay` for a relay whose wake-up came with its
cancel. `asyncio.timeout` passes an outside cancellation on and turns only its own into
`TimeoutError`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


async def woken_within(event: asyncio.Event, seconds: float) -> bool:
    """Whether `event` was set within `seconds` (False: the time ran out)."""
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        return False
    return True


async def within(awaitable: Awaitable[T], seconds: float) -> T:
    """`awaitable`'s result, or TimeoutError after `seconds` (it is then cancelled)."""
    async with asyncio.timeout(seconds):
        return await awaitable
