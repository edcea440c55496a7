"""A per-user cap on attempts within a sliding hour (identity resolution).

Kept in the process: a service running as several replicas caps each replica separately."""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta

WINDOW = timedelta(hours=1)


class RateLimiter:
    def __init__(self, per_hour: int) -> None:
        if per_hour < 1:
            raise ValueError("per_hour must be at least 1")
        self.per_hour = per_hour
        self._attempts: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def attempt(self, subject: str, now: datetime) -> bool:
        """Count an attempt; False (and not counted) when the user has used up the hour."""
        with self._lock:
            attempts = self._attempts.setdefault(subject, deque())
            while attempts and attempts[0] <= now - WINDOW:
                attempts.popleft()
            if len(attempts) >= self.per_hour:
                return False
            attempts.append(now)
            return True

    def retry_after_seconds(self, subject: str, now: datetime) -> int:
        with self._lock:
            attempts = self._attempts.get(subject)
            if not attempts:
                return 0
            return max(1, int((attempts[0] + WINDOW - now).total_seconds()) + 1)
