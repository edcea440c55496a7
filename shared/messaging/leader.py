"""One outbox relay per service at a time, however many replicas run (e.g. two during a
rolling update): the relay runs only while its process holds the service's relay lock. The
same named locks serve any other one-replica-at-a-time work of a service (`service_lock`, e.g.
the daily retention job: `service_lock(settings, "intake", "retention")`).

- PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) on a connection of its
  own, held while the relay runs. The connection is checked every few seconds; when it is lost
  the relay is stopped (the server released the lock with the session, another replica may
  take it) and the lock is sought again.
- SQLite: the store is a file of one machine, and one process owns it; an exclusive `flock` on
  `$SSP_DATA_DIR/<service>.<purpose>.lock` (the relay's: `<service>.relay.lock`) keeps a
  second process on the same files (e.g. `ssp run` next to `ssp up`) from relaying too.
- The in-memory store of tests and throw-away runs: no lock (nobody else can see it).

Between a lost connection and the check noticing it (at most `check_interval_s`) two relays
may publish at once; consumers drop what they have already processed, so that costs only
duplicates on the topic, never a second effect.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol

import psycopg

from shared.settings import PlatformSettings

log = logging.getLogger(__name__)


class LeadershipLost(RuntimeError):
    """A service lock was lost (its database connection broke): the work it guarded stopped."""


class ServiceLock(Protocol):
    async def acquire(self) -> None:
        """Wait until this process holds the lock."""

    async def watch(self) -> None:
        """Return only when the lock is lost (raise LeadershipLost)."""

    async def release(self) -> None:
        """Give the lock up (safe to call when it was lost or never held)."""


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for `pg_try_advisory_lock`, from a readable name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class PostgresAdvisoryLock:
    def __init__(
        self,
        database_url: str,
        name: str,
        *,
        purpose: str = "relay",
        retry_interval_s: float = 1.0,
        check_interval_s: float = 2.0,
    ) -> None:
        self.database_url = database_url
        self.name = name
        self.key = advisory_key(name)
        self.purpose = purpose
        self.retry_interval_s = retry_interval_s
        self.check_interval_s = check_interval_s
        self._connection: psycopg.AsyncConnection[Any] | None = None

    async def _connect(self) -> psycopg.AsyncConnection[Any]:
        return await psycopg.AsyncConnection.connect(
            self.database_url,
            autocommit=True,
            connect_timeout=5,
            application_name=f"ssp {self.name}"[:63],
            # The server notices a vanished client (and frees the lock) within a minute.
            keepalives=1,
            keepalives_idle=10,
            keepalives_interval=5,
            keepalives_count=3,
        )

    async def acquire(self) -> None:
        waiting_said = False
        while True:
            try:
                if self._connection is None or self._connection.closed:
                    self._connection = await self._connect()
                cursor = await self._connection.execute(
                    "SELECT pg_try_advisory_lock(%s)", (self.key,)
                )
                row = await cursor.fetchone()
                if row is not None and row[0]:
                    log.info("%s: lock taken; this replica runs the %s", self.name, self.purpose)
                    return
                if not waiting_said:
                    log.info("%s: another replica holds the lock; waiting", self.name)
                    waiting_said = True
            except psycopg.Error as exc:
                log.warning("%s: lock not available (%s); retrying", self.name, exc)
                await self._close()
            await asyncio.sleep(self.retry_interval_s)

    async def watch(self) -> None:
        while True:
            await asyncio.sleep(self.check_interval_s)
            connection = self._connection
            try:
                if connection is None:
                    raise LeadershipLost(f"{self.name}: lock connection gone")
                async with asyncio.timeout(max(1.0, self.check_interval_s * 2)):
                    await connection.execute("SELECT 1")
            except (psycopg.Error, TimeoutError) as exc:
                await self._close()
                raise LeadershipLost(f"{self.name}: lock lost ({exc})") from exc

    async def release(self) -> None:
        connection = self._connection
        if connection is not None and not connection.closed:
            with contextlib.suppress(psycopg.Error, TimeoutError):
                async with asyncio.timeout(2):
                    await connection.execute("SELECT pg_advisory_unlock(%s)", (self.key,))
        await self._close()

    async def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close()


class FileLock:
    """An exclusive `flock` on a file: one holder per machine (SQLite's case)."""

    def __init__(self, path: Path, *, retry_interval_s: float = 1.0) -> None:
        self.path = path
        self.retry_interval_s = retry_interval_s
        self._fd: int | None = None

    async def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        waiting_said = False
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                if not waiting_said:
                    log.info("another process holds %s; this one waits", self.path)
                    waiting_said = True
                await asyncio.sleep(self.retry_interval_s)
                continue
            self._fd = fd
            return

    async def watch(self) -> None:
        await asyncio.Event().wait()  # a file lock is held until released

    async def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def service_lock(settings: PlatformSettings, service: str, purpose: str) -> ServiceLock | None:
    """The lock one replica of `service` holds while it does `purpose` (a word: "relay",
    "retention"), for its store (None: the in-memory store, no lock needed). Locks of
    different purposes are independent: the replica relaying need not be the one running the
    daily job."""
    if settings.database_url == "memory":
        return None
    if settings.database_url:
        return PostgresAdvisoryLock(
            settings.database_url, f"ssp-{purpose}:{service}", purpose=purpose
        )
    return FileLock(Path(settings.data_dir) / f"{service}.{purpose}.lock")


def relay_lock(settings: PlatformSettings, service: str) -> ServiceLock | None:
    """The lock a service's relay holds while it runs, for its store (None: no lock needed)."""
    return service_lock(settings, service, "relay")


async def run_while_leading(lock: ServiceLock | None, run: Callable[[], Awaitable[None]]) -> None:
    """Run `run` while holding `lock`; stop it and raise LeadershipLost if the lock is lost."""
    if lock is None:
        await run()
        return
    await lock.acquire()
    try:
        work = asyncio.ensure_future(run())
        watch = asyncio.ensure_future(lock.watch())
        try:
            await asyncio.wait({work, watch}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (work, watch):
                if not task.done():
                    task.cancel()
            await asyncio.gather(work, watch, return_exceptions=True)
        if watch.done() and not watch.cancelled() and watch.exception() is not None:
            raise watch.exception()  # type: ignore[misc]
        work.result()
    finally:
        await lock.release()
