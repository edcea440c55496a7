"""The platform's clock: services and the auth layer ask a `Clock` for the time, so a test can
give them another; `utc_now` is the real one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)
