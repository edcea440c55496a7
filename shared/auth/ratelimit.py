"""Caps on attempts: per user within a sliding hour (identity resolution), and per client
address within a minute (requests without a valid token).

Kept in the process: a service running as several replicas caps each replica separately."""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
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


class ClientLimiter:
    """A per-client-address cap on attempts within a fixed minute, in bounded memory: at most
    `max_clients` addresses are remembered (the least recently seen is forgotten first, so a
    flood of addresses costs no more memory, only the forgetting of old ones)."""

    def __init__(self, per_minute: int, *, max_clients: int = 10_000) -> None:
        if per_minute < 1 or max_clients < 1:
            raise ValueError("per_minute and max_clients must be at least 1")
        self.per_minute = per_minute
        self.max_clients = max_clients
        self._windows: OrderedDict[str, tuple[int, int]] = OrderedDict()
        self._lock = threading.Lock()

    def attempt(self, client: str, now: datetime) -> int:
        """Count an attempt; the number of attempts of this client in the current minute
        (allowed while at most `per_minute`)."""
        minute = int(now.timestamp() // 60)
        with self._lock:
            window, count = self._windows.pop(client, (minute, 0))
            count = count + 1 if window == minute else 1
            self._windows[client] = (minute, count)
            while len(self._windows) > self.max_clients:
                self._windows.popitem(last=False)
            return count

    def __len__(self) -> int:
        return len(self._windows)

    @staticmethod
    def retry_after_seconds(now: datetime) -> int:
        return 60 - int(now.timestamp()) % 60
