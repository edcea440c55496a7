"""An in-memory view of an application's events, kept current from its notification log.

The log holds every event in order, so such a view is rebuilt at start by reading the log once
and kept current by reading only what is new before each use: it cannot disagree with the
store and costs no extra writes. Used only from the store thread (the log's only writer), it
never sees a gap in the notification ids. Notifications' letter tasks, courses' course index
and intake's open rejections are such views."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.eventstore.application import ServiceApplication


class FollowedLog:
    """Subclasses say what each event changes (`apply`); `topics` limits the events read."""

    def __init__(
        self, app: ServiceApplication, batch_size: int = 1000, topics: Sequence[str] = ()
    ) -> None:
        self.app = app
        self.batch_size = batch_size
        self.topics = tuple(topics)
        self.position = 0

    def apply(self, event: Any) -> None:
        raise NotImplementedError

    def catch_up(self) -> int:
        """Read the events stored since the last call; return how many."""
        read = 0
        while True:
            notifications = self.app.recorder.select_notifications(
                start=self.position,
                limit=self.batch_size,
                topics=self.topics,
                inclusive_of_start=False,
            )
            if not notifications:
                return read
            for notification in notifications:
                self.apply(self.app.mapper.to_domain_event(notification))
            self.position = notifications[-1].id
            read += len(notifications)
