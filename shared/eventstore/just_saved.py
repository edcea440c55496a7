"""What an application just saved, kept for the readers of its log in the same process.

The outbox relay and reporting's projection read the notification log right after each save;
taking those events from memory spares reading them back and decoding them. It is only a help:
`after` answers only with events that follow the reader's position without a gap, and the
reader goes to the log for anything else (after a restart, another writer, or a reader that
has fallen further behind than `limit` events).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import Recording

from shared.eventstore.application import ServiceApplication


class JustSaved:
    def __init__(self, app: ServiceApplication, *, limit: int = 5000) -> None:
        self.limit = limit
        self._events: deque[tuple[int, Any]] = deque()
        # Saves append in the store thread; the relay takes on the event loop's.
        self._lock = threading.Lock()
        app.on_recorded(self._remember)

    def _remember(self, recordings: Sequence[Recording[Any]]) -> None:
        with self._lock:
            if len(self._events) + len(recordings) > self.limit:
                self._events.clear()  # far behind: the log serves
                return
            self._events.extend((r.notification.id, r.domain_event) for r in recordings)

    def after(self, position: int, most: int) -> list[tuple[int, Any]]:
        """Up to `most` (notification id, event) pairs right after `position`; empty unless
        the first of them is the very next notification."""
        taken: list[tuple[int, Any]] = []
        with self._lock:
            events = self._events
            while events and events[0][0] <= position:
                events.popleft()
            expected = position + 1
            while events and events[0][0] == expected and len(taken) < most:
                taken.append(events.popleft())
                expected += 1
        return taken

    def __bool__(self) -> bool:
        """Whether anything is kept that no reader has taken yet."""
        return bool(self._events)
