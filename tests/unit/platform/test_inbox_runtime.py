"""InboxRuntime: de-duplication and handling in one trip to the store's thread, with the
retry and dead-letter behaviour of two."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest

from shared.messaging.errors import PoisonMessage
from shared.messaging.inbound import NOTIFICATION_ID_HEADER, ORIGIN_HEADER, Inbound
from shared.messaging.inbox import InboxRuntime


class CountingExecutor(ThreadPoolExecutor):
    def __init__(self) -> None:
        super().__init__(max_workers=1)
        self.submitted = 0

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.submitted += 1
        return super().submit(fn, *args, **kwargs)


class FakeApp:
    def __init__(self, tracked: Iterable[int] = (), failing_queries: int = 0) -> None:
        self.tracked = set(tracked)
        self.failing_queries = failing_queries
        self.queries = 0

    def already_tracked(self, application_name: str, notification_ids: Iterable[int]) -> set[int]:
        self.queries += 1
        if self.failing_queries:
            self.failing_queries -= 1
            raise OSError("database is locked")
        return self.tracked & set(notification_ids)


def message(n: int, upstream: bool = True) -> Inbound:
    headers = {ORIGIN_HEADER: "up", NOTIFICATION_ID_HEADER: str(n)} if upstream else {}
    return Inbound(topic="t", partition=0, offset=n, key=None, value=b"{}", headers=headers)


class Handler:
    """Fails for the messages in `failing` (each as many times as given, -1 for always)."""

    def __init__(self, app: FakeApp, failing: dict[int, int] | None = None, poison: bool = False):
        self.app = app
        self.failing = dict(failing or {})
        self.poison = poison
        self.calls: list[list[int]] = []

    def __call__(self, batch: Sequence[Inbound]) -> None:
        self.calls.append([m.offset for m in batch])
        for m in batch:
            left = self.failing.get(m.offset, 0)
            if left:
                self.failing[m.offset] = left - 1
                raise PoisonMessage("bad") if self.poison else ValueError("secret")
        for m in batch:  # tracked, as the handler's commit does
            if m.upstream is not None:
                self.app.tracked.add(m.upstream.notification_id)


def runtime(app: FakeApp, handler: Handler) -> tuple[InboxRuntime, CountingExecutor, list[Any]]:
    executor = CountingExecutor()
    letters: list[Any] = []
    rt = InboxRuntime(
        service="svc",
        app=app,  # type: ignore[arg-type]
        handler=handler,
        executor=executor,
        max_attempts=3,
        retry_backoff_s=0.0,
    )
    rt._dead_letter = lambda m, error, attempts: letters.append((m.offset, error, attempts))  # type: ignore[method-assign,assignment]
    return rt, executor, letters


async def test_a_fresh_batch_takes_one_trip_to_the_store() -> None:
    app = FakeApp(tracked={2})
    handler = Handler(app)
    rt, executor, letters = runtime(app, handler)
    await rt.process([message(1), message(2), message(3), message(3), message(4, upstream=False)])
    assert handler.calls == [[1, 3, 4]]
    assert executor.submitted == 1
    assert rt.processed_messages == 3
    assert letters == []


async def test_an_already_processed_batch_is_not_handled() -> None:
    app = FakeApp(tracked={1, 2})
    handler = Handler(app)
    rt, executor, _ = runtime(app, handler)
    await rt.process([message(1), message(2)])
    assert handler.calls == []
    assert executor.submitted == 1
    assert rt.processed_messages == 0


async def test_a_failing_deduplication_query_raises_without_handling() -> None:
    app = FakeApp(failing_queries=1)
    handler = Handler(app)
    rt, _, letters = runtime(app, handler)
    with pytest.raises(OSError):
        await rt.process([message(1)])
    assert handler.calls == []
    assert letters == []
    assert rt.processed_messages == 0


async def test_a_failing_batch_is_retried_one_by_one_and_dead_lettered() -> None:
    app = FakeApp()
    handler = Handler(app, failing={2: -1, 3: 1})
    rt, executor, letters = runtime(app, handler)
    await rt.process([message(1), message(2), message(3)])
    # The batch, then each alone: 2 fails max_attempts times, 3 once then succeeds.
    assert handler.calls == [[1, 2, 3], [1], [2], [2], [2], [3], [3]]
    assert letters == [(2, "ValueError", 3)]
    assert rt.processed_messages == 2
    # One trip per attempt (de-duplication and handling together), one per dead letter.
    assert executor.submitted == 1 + 6 + 1


async def test_a_single_failing_message_counts_its_first_failure() -> None:
    app = FakeApp()
    handler = Handler(app, failing={1: -1})
    rt, _, letters = runtime(app, handler)
    await rt.process([message(1)])
    assert handler.calls == [[1], [1], [1]]
    assert letters == [(1, "ValueError", 3)]


async def test_poison_goes_to_the_dead_letters_at_once() -> None:
    app = FakeApp()
    handler = Handler(app, failing={1: -1}, poison=True)
    rt, _, letters = runtime(app, handler)
    await rt.process([message(1), message(2)])
    assert handler.calls == [[1, 2], [1], [2]]
    assert letters == [(1, "bad", 1)]
    assert rt.processed_messages == 1


async def test_a_retried_message_processed_meanwhile_is_skipped() -> None:
    app = FakeApp()
    handler = Handler(app, failing={1: -1})
    rt, _, letters = runtime(app, handler)
    original = handler.__call__

    def fail_then_track(batch: Sequence[Inbound]) -> None:
        try:
            original(batch)
        finally:
            app.tracked.add(1)  # a concurrent consumer processed it

    rt.handler = fail_then_track
    await rt.process([message(1), message(2)])
    assert handler.calls == [[1, 2], [2]]  # 1 is not handled again
    assert letters == []
    assert rt.processed_messages == 1


async def test_a_failing_deduplication_query_on_retry_counts_as_an_attempt() -> None:
    app = FakeApp()
    handler = Handler(app, failing={1: 1})
    rt, _, letters = runtime(app, handler)
    app.queries = 0
    original = app.already_tracked

    def flaky(name: str, ids: Iterable[int]) -> set[int]:
        if app.queries == 1:  # the first retry's query
            app.queries += 1
            raise OSError("database is locked")
        return original(name, ids)

    app.already_tracked = flaky  # type: ignore[method-assign,assignment]
    await rt.process([message(1)])
    assert handler.calls == [[1], [1]]
    assert letters == []
    assert rt.processed_messages == 1


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {ORIGIN_HEADER: "up"},
        {NOTIFICATION_ID_HEADER: "3"},
        {ORIGIN_HEADER: "", NOTIFICATION_ID_HEADER: "3"},
        {ORIGIN_HEADER: "up", NOTIFICATION_ID_HEADER: ""},
        {ORIGIN_HEADER: "up", NOTIFICATION_ID_HEADER: "-3"},
        {ORIGIN_HEADER: "up", NOTIFICATION_ID_HEADER: "3a"},
        {ORIGIN_HEADER: "up", NOTIFICATION_ID_HEADER: "0"},
        {ORIGIN_HEADER: "up", NOTIFICATION_ID_HEADER: "007"},
        {ORIGIN_HEADER: "a@b", NOTIFICATION_ID_HEADER: "12345678901234567890"},
    ],
)
def test_the_upstream_key_is_the_upstream(headers: dict[str, str]) -> None:
    inbound = Inbound(topic="t.v1", partition=0, offset=0, key=None, value=b"", headers=headers)
    upstream = inbound.upstream
    key = inbound.upstream_key()
    if upstream is None:
        assert key is None
    else:
        assert key == (upstream.application_name, upstream.notification_id)


def test_deduplication_is_per_origin_and_topic() -> None:
    class Tracked:
        def already_tracked(self, application_name: str, ids: Iterable[int]) -> set[int]:
            return {1} & set(ids) if application_name == "a@t" else set()

    def at(offset: int, origin: str, topic: str, n: int) -> Inbound:
        headers = {ORIGIN_HEADER: origin, NOTIFICATION_ID_HEADER: str(n)}
        return Inbound(
            topic=topic, partition=0, offset=offset, key=None, value=b"", headers=headers
        )

    batch = [
        at(0, "a", "t", 1),  # tracked
        at(1, "a", "u", 1),
        at(2, "b", "t", 1),
        at(3, "a", "t", 2),
        at(4, "a", "t", 2),  # twice in the batch
        at(5, "b", "t", 1),  # twice in the batch
        message(6, upstream=False),
        message(7, upstream=False),
    ]
    rt = InboxRuntime(service="s", app=Tracked(), handler=lambda b: None, executor=None)  # type: ignore[arg-type]
    assert [m.offset for m in rt._drop_already_processed(batch)] == [1, 2, 3, 6, 7]
