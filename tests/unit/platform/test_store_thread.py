"""The store thread's watch: a call that waits without using CPU for the limit is a stall
(`/healthz` 503, the stack logged once); a long call that works is not."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import threading
import time

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shared.http import add_platform_routes
from shared.store_thread import Stall, StallWatch, StoreThread, thread_cpu_s


async def _ready() -> dict[str, bool]:
    return {"store": True}


def wait_for_release(release: threading.Event) -> None:
    release.wait(10)


def _started(store: StoreThread, release: threading.Event) -> None:
    store.submit(wait_for_release, release)
    deadline = time.monotonic() + 5
    while store.running is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert store.running is not None


def test_the_store_thread_names_the_call_it_runs_and_nothing_when_idle() -> None:
    store = StoreThread("triage")
    release = threading.Event()
    try:
        assert store.running is None
        # As ServiceContext.in_store submits it: wrapped in the request's context.
        context = contextvars.copy_context()
        store.submit(functools.partial(context.run, wait_for_release, release))
        deadline = time.monotonic() + 5
        while store.running is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert store.running is not None and store.running.name == "wait_for_release"
    finally:
        release.set()
        store.shutdown(wait=True)
    assert store.running is None


class FakeCpu:
    def __init__(self) -> None:
        self.used = 1.0

    def __call__(self, native_id: int) -> float:
        return self.used


def test_a_call_without_cpu_for_the_limit_is_a_stall_logged_once_with_its_stack(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store, release, now, cpu = StoreThread("notifications"), threading.Event(), [100.0], FakeCpu()
    watch = StallWatch(store, "notifications", 300, clock=lambda: now[0], cpu_of=cpu)
    _started(store, release)
    try:
        assert watch.check() is None  # first look
        now[0] += 299
        assert watch.check() is None
        cpu.used += 0.02  # it worked a little: the 300 s start again
        now[0] += 1
        assert watch.check() is None
        now[0] += 299
        assert watch.check() is None
        with caplog.at_level(logging.ERROR, logger="shared.store_thread"):
            now[0] += 1
            stall = watch.check()
            assert watch.check() == stall
        assert stall is not None
        assert stall.call == "wait_for_release" and stall.idle_s == 300
        assert len(caplog.records) == 1  # once per stalled call
        logged = caplog.records[0].getMessage()
        assert "notifications: the store thread has been in wait_for_release" in logged
        assert "in wait_for_release" in logged and "release.wait(10)" in logged  # the stack
    finally:
        release.set()
        store.shutdown(wait=True)
    assert watch.check() is None  # the call returned


def test_a_new_call_starts_the_count_again() -> None:
    store, now, cpu = StoreThread("reporting"), [0.0], FakeCpu()
    watch = StallWatch(store, "reporting", 60, clock=lambda: now[0], cpu_of=cpu)
    first, second = threading.Event(), threading.Event()
    _started(store, first)
    watch.check()
    first.set()
    while store.running is not None:
        time.sleep(0.01)
    _started(store, second)
    try:
        now[0] += 61
        assert watch.check() is None  # 61 s since the first call's mark, but another call
        now[0] += 60
        assert watch.check() is not None
    finally:
        second.set()
        store.shutdown(wait=True)


def test_with_the_real_clock_a_waiting_call_stalls_and_a_working_one_does_not() -> None:
    if thread_cpu_s(threading.get_native_id()) is None:
        pytest.skip("no per-thread CPU time here (/proc)")
    store = StoreThread("intake")
    watch = StallWatch(store, "intake", 0.5)
    stop = threading.Event()

    def work() -> None:
        while not stop.is_set():
            sum(range(1000))

    try:
        store.submit(work)
        deadline = time.monotonic() + 1.2
        while time.monotonic() < deadline:
            assert watch.check() is None, "a call that uses CPU is no stall"
            time.sleep(0.05)
        stop.set()
        while store.running is not None:
            time.sleep(0.01)
        release = threading.Event()
        _started(store, release)
        watch.check()
        time.sleep(0.8)
        stall = watch.check()
        release.set()
        assert stall is not None and stall.call == "wait_for_release"
    finally:
        stop.set()
        store.shutdown(wait=True)


def test_healthz_answers_503_naming_the_call_while_the_store_thread_is_stuck() -> None:
    stuck: list[Stall | None] = [None]
    app = FastAPI()
    add_platform_routes(app, _ready, "triage", stall=lambda: stuck[0])
    client = TestClient(app)
    assert client.get("/healthz").json() == {"status": "ok"}
    stuck[0] = Stall("InboxRuntime._handle_fresh", 412.4, 300.2)
    answer = client.get("/healthz")
    assert answer.status_code == 503
    assert answer.json() == {
        "status": "stalled",
        "store_thread": {
            "call": "InboxRuntime._handle_fresh",
            "running_s": 412,
            "without_cpu_s": 300,
        },
    }


def test_run_in_executor_reaches_the_watch_with_the_functions_name() -> None:
    store = StoreThread("courses")
    seen: list[str | None] = []

    def look() -> None:
        running = store.running
        seen.append(running.name if running else None)

    async def main() -> None:
        await asyncio.get_running_loop().run_in_executor(store, look)

    asyncio.run(main())
    store.shutdown(wait=True)
    assert seen == [look.__qualname__]
