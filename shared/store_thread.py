"""The thread a service's store runs in, watched for a call that hangs.

Everything a service does with its store runs in one thread (consuming, relaying, HTTP reads,
scheduled jobs). If one call there never returns — a lost database connection that neither
side notices, a driver that waits for an answer that will not come — the whole service stalls
while it still looks alive: its consumer keeps its partitions and heartbeats, nothing is
processed, and no error is logged. `StallWatch` notices it: the thread has been inside the
same call for `limit_s` and has used no CPU time for that long (a long call that works — a
read-model rebuild, a large import — uses CPU all the time; a hung one waits). Then
`/healthz` answers 503 (so Kubernetes restarts the pod: the batch in hand is read again and
de-duplicated) and the thread's stack is logged once: code locations only, no values.

Per-thread CPU time is read from `/proc/self/task/<id>/stat` (Linux, as the platform is
deployed); where that is missing the watch never reports a stall.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_CPU_PROGRESS_S = 0.01
"""CPU seconds the thread must use between two checks to count as working."""


@dataclass(frozen=True)
class RunningCall:
    name: str
    """The function's qualified name (never its arguments)."""
    started: float
    """`time.monotonic()` when it started."""
    thread_id: int
    native_id: int


class StoreThread(ThreadPoolExecutor):
    """A one-thread executor that knows which call it is running, and since when."""

    def __init__(self, service: str) -> None:
        super().__init__(max_workers=1, thread_name_prefix=f"{service}-store")
        self._running: RunningCall | None = None

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return super().submit(self._run, fn, *args, **kwargs)

    def _run(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        self._running = RunningCall(
            _name_of(fn, args), time.monotonic(), threading.get_ident(), threading.get_native_id()
        )
        try:
            return fn(*args, **kwargs)
        finally:
            self._running = None

    @property
    def running(self) -> RunningCall | None:
        return self._running


def _name_of(fn: Callable[..., Any], args: tuple[Any, ...]) -> str:
    """What a call runs, by name: `ServiceContext.in_store` wraps it in `context.run`."""
    while isinstance(fn, functools.partial):
        partial: functools.partial[Any] = fn
        fn, args = partial.func, partial.args
    if getattr(fn, "__name__", "") == "run" and args and callable(args[0]):
        return _name_of(args[0], args[1:])
    return getattr(fn, "__qualname__", type(fn).__name__)


@dataclass(frozen=True)
class Stall:
    call: str
    running_s: float
    """How long the call has run."""
    idle_s: float
    """How long it has used no CPU."""


class StallWatch:
    def __init__(
        self,
        store: StoreThread,
        service: str,
        limit_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        cpu_of: Callable[[int], float | None] | None = None,
    ) -> None:
        self.store = store
        self.service = service
        self.limit_s = limit_s
        self.clock = clock
        self.cpu_of = cpu_of or thread_cpu_s
        self._lock = threading.Lock()
        # The call last seen, when it last used CPU, and how much it had used then.
        self._mark: tuple[RunningCall, float, float] | None = None
        self._logged: RunningCall | None = None

    def check(self) -> Stall | None:
        """A stall, when the store thread is stuck; logs it (with the thread's stack) once."""
        running = self.store.running
        if running is None:
            return None
        cpu = self.cpu_of(running.native_id)
        if cpu is None:
            return None
        now = self.clock()
        with self._lock:
            mark = self._mark
            if mark is None or mark[0] is not running or cpu - mark[2] >= _CPU_PROGRESS_S:
                self._mark = mark = (running, now, cpu)
            idle_s = now - mark[1]
            if idle_s < self.limit_s or self.store.running is not running:
                return None
            stall = Stall(running.name, now - running.started, idle_s)
            if self._logged is not running:
                self._logged = running
                log.error(
                    "%s: the store thread has been in %s for %.0f s without using CPU for "
                    "%.0f s: stalled; /healthz answers 503. Where it waits:\n%s",
                    self.service,
                    stall.call,
                    stall.running_s,
                    stall.idle_s,
                    _stack_of(running.thread_id),
                )
            return stall


def _stack_of(thread_id: int) -> str:
    """The thread's stack as file, line and function (and the code on that line)."""
    frame = sys._current_frames().get(thread_id)
    return "".join(traceback.format_stack(frame)) if frame is not None else "(gone)"


def thread_cpu_s(native_id: int) -> float | None:
    """CPU seconds (user + system) a thread of this process has used; None where unknown."""
    try:
        stat = Path(f"/proc/self/task/{native_id}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
