"""Repeated warnings and errors are logged a few times per minute, not in a loop.

A client library that retries (aiokafka committing offsets to a broker that lost its topics,
reconnecting to a broker that is away) can log the same error many times a second; the lines
that matter drown, and the disk fills. The filter lets `limit` records of one logger and
message template through per `window_s`; the first one after a window in which it held some
back says how many.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable


class RepeatedLogLimit(logging.Filter):
    def __init__(
        self,
        limit: int = 10,
        window_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.limit = limit
        self.window_s = window_s
        self.clock = clock
        # (logger, template) -> [window start, passed in window, held back in window]
        self._seen: dict[tuple[str, str], list[float]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        key = (record.name, str(record.msg))
        now = self.clock()
        entry = self._seen.get(key)
        if entry is None or now - entry[0] >= self.window_s:
            held_back = int(entry[2]) if entry is not None else 0
            if len(self._seen) > 10_000:  # templates are few; this only bounds memory
                self._seen.clear()
            self._seen[key] = [now, 1, 0]
            if held_back:
                record.msg = f"{record.msg} [{held_back} more like this in the last minute]"
            return True
        if entry[1] < self.limit:
            entry[1] += 1
            return True
        entry[2] += 1
        return False
