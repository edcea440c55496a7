"""The outbox relay publishes each published event once, in order, and does not read the same
stretch of the log again when most stored events are never published (reporting's case)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from eventsourcing.domain import event
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.eventstore import TracedAggregate
from shared.eventstore.application import ServiceApplication, store_env
from shared.eventstore.erasure import RECORDED_TOPIC
from shared.messaging.inbound import NOTIFICATION_ID_HEADER, ORIGIN_HEADER
from shared.messaging.outgoing import Outgoing
from shared.messaging.relay import OutboxRelay
from shared.settings import PlatformSettings
from tests.support import stops_when_cancelled_as_woken


class Ledger(TracedAggregate):
    class Noted(TracedAggregate.Event):
        text: str

    class Announced(TracedAggregate.Event):
        text: str

    @event("Opened")
    def __init__(self) -> None:
        pass

    @event(Noted)
    def note(self, text: str) -> None:
        pass

    @event(Announced)
    def announce(self, text: str) -> None:
        pass


def _publications(domain_event: Any) -> list[Outgoing]:
    if isinstance(domain_event, Ledger.Announced):
        return [Outgoing("ssp.test.announcements.v1", "key", domain_event.text.encode())]
    return []


class _RecordingProducer:
    """Stands in for aiokafka's producer: the relay's own logic is under test here (the real
    broker is exercised by the integration tests)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, dict[str, str]]] = []

    async def send(
        self, topic: str, value: bytes, *, key: bytes, headers: list[tuple[str, bytes]]
    ) -> asyncio.Future[None]:
        self.sent.append((topic, value, {k: v.decode() for k, v in headers}))
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done


@pytest.fixture
def app() -> ServiceApplication:
    return ServiceApplication(env=store_env(PlatformSettings(SSP_DATABASE_URL="memory"), "relay"))


def _relay(app: ServiceApplication, producer: _RecordingProducer, batch_size: int) -> OutboxRelay:
    return OutboxRelay(
        service="ledger",
        app=app,
        producer=producer,  # type: ignore[arg-type]
        publications=_publications,
        executor=ThreadPoolExecutor(max_workers=1),
        batch_size=batch_size,
        event_topics=[f"{__name__}:Ledger.Announced"],
    )


async def _drain(relay: OutboxRelay) -> None:
    while await relay.publish_next_batch():
        pass


async def test_each_published_event_goes_out_once_in_order(app: ServiceApplication) -> None:
    ledger = Ledger()
    for i in range(5):
        ledger.note(text=f"note {i}")
        ledger.announce(text=f"announcement {i}")
    app.save(ledger)
    producer = _RecordingProducer()
    relay = _relay(app, producer, batch_size=2)

    await _drain(relay)
    await _drain(relay)

    assert [value for _, value, _ in producer.sent] == [
        f"announcement {i}".encode() for i in range(5)
    ]
    ids = [int(headers[NOTIFICATION_ID_HEADER]) for _, _, headers in producer.sent]
    assert ids == sorted(ids) and len(set(ids)) == 5
    assert {headers[ORIGIN_HEADER] for _, _, headers in producer.sent} == {"ledger"}


def _reads_erasures(kwargs: dict[str, Any]) -> bool:
    """Whether a read of the log is the relay's look for erasures another replica recorded
    (before each batch it publishes), not a read of the events it publishes."""
    return list(kwargs.get("topics") or ()) == [RECORDED_TOPIC]


def _counted(reads: list[Any], args: Any, kwargs: dict[str, Any]) -> None:
    """Count a read of the events the relay publishes (not its look for erasures)."""
    if not _reads_erasures(kwargs):
        reads.append(args)


async def test_unpublished_events_are_read_once(
    app: ServiceApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = Ledger()
    for i in range(300):
        ledger.note(text=f"note {i}")
    app.save(ledger)  # before the relay exists: it reads these from the log
    producer = _RecordingProducer()
    relay = _relay(app, producer, batch_size=100)
    relay.just_saved.limit = 0  # and everything after them too
    starts: list[int | None] = []
    select = app.recorder.select_notifications

    def spy(start: int | None, limit: int, *args: Any, **kwargs: Any) -> Any:
        if not _reads_erasures(kwargs):
            starts.append(start)
        return select(start, limit, *args, **kwargs)

    monkeypatch.setattr(app.recorder, "select_notifications", spy)

    await _drain(relay)
    await _drain(relay)  # nothing new: the log is not read at all
    ledger.note(text="one more")
    ledger.announce(text="news")
    app.save(ledger)
    await _drain(relay)

    assert starts == [0, 301]
    assert [value for _, value, _ in producer.sent] == [b"news"]


@pytest.mark.parametrize("kept_in_memory", [5000, 7, 0])
async def test_what_was_just_saved_is_published_from_memory_as_from_the_log(
    kept_in_memory: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same messages (values, ids, headers) whether the relay takes the events from
    memory, from the log, or partly each (a save too big to keep is read from the log)."""
    sent: dict[str, list[tuple[str, bytes, dict[str, str]]]] = {}
    log_reads: dict[str, int] = {}
    for source, kept in (("log", 0), ("memory", kept_in_memory)):
        app = ServiceApplication(
            env=store_env(PlatformSettings(SSP_DATABASE_URL="memory"), f"relay-{source}")
        )
        producer = _RecordingProducer()
        relay = _relay(app, producer, batch_size=3)
        relay.just_saved.limit = kept
        reads: list[Any] = []
        select = app.recorder.select_notifications
        monkeypatch.setattr(
            app.recorder,
            "select_notifications",
            lambda *a, _s=select, _r=reads, **k: _counted(_r, a, k) or _s(*a, **k),
        )
        ledger = Ledger()
        for n in range(4):
            for i in range(n + 2):
                ledger.note(text=f"note {n}.{i}")
                ledger.announce(text=f"announcement {n}.{i}")
            app.save(ledger)
            await _drain(relay)
        sent[source] = [
            (t, v, {k: h for k, h in hs.items() if k != "traceparent"})
            for t, v, hs in producer.sent
        ]
        log_reads[source] = len(reads)
    assert sent["memory"] == sent["log"]
    assert len(sent["log"]) == 2 + 3 + 4 + 5
    assert log_reads["log"] > 0
    assert (log_reads["memory"] == 0) is (kept_in_memory == 5000)


async def test_a_relay_behind_by_less_than_memory_keeps_taking_from_memory(
    app: ServiceApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under steady load the relay gets one turn per save of the handler (its tracking waits in
    the store's one thread behind the handler's batch). Each save here stores more than a log
    batch; had the relay taken no more than a log batch from memory per turn, it would fall
    further behind with each save until memory overflowed, and then read the log for good."""
    producer = _RecordingProducer()
    relay = _relay(app, producer, batch_size=10)
    relay.just_saved.limit = 50
    reads: list[Any] = []
    select = app.recorder.select_notifications
    monkeypatch.setattr(
        app.recorder,
        "select_notifications",
        lambda *a, **k: _counted(reads, a, k) or select(*a, **k),
    )
    ledger = Ledger()
    app.save(ledger)
    for turn in range(12):
        for i in range(15):
            ledger.announce(text=f"announcement {turn}.{i}")
        app.save(ledger)
        await relay.publish_next_batch()
    await _drain(relay)

    assert reads == []
    assert [value for _, value, _ in producer.sent] == [
        f"announcement {turn}.{i}".encode() for turn in range(12) for i in range(15)
    ]


_header_names = st.sampled_from(
    ["traceparent", "tracestate", "baggage", ORIGIN_HEADER, NOTIFICATION_ID_HEADER, "x"]
)
_header_maps = st.dictionaries(_header_names, st.text(max_size=5), max_size=4)


@settings(max_examples=200, deadline=None)
@given(
    contexts=st.lists(st.one_of(st.none(), _header_maps), min_size=1, max_size=4),
    own=st.lists(_header_maps, max_size=3),
)
async def test_headers_are_the_merge_of_context_own_and_relays(
    contexts: list[dict[str, str] | None], own: list[dict[str, str]]
) -> None:
    """Each message's headers as the relay always wrote them: the stored trace context, then
    the message's own headers, then origin and notification id, later names replacing earlier."""

    class Event:
        def __init__(self, context: dict[str, str] | None) -> None:
            self.trace_context = context

    app = ServiceApplication(env=store_env(PlatformSettings(SSP_DATABASE_URL="memory"), "h"))
    producer = _RecordingProducer()
    relay = OutboxRelay(
        service="ledger",
        app=app,
        producer=producer,  # type: ignore[arg-type]
        publications=lambda _: [Outgoing("t", "k", b"v", dict(h)) for h in own],
        executor=ThreadPoolExecutor(max_workers=1),
    )
    events = [(n + 1, Event(context)) for n, context in enumerate(contexts)]
    relay.just_saved.after = lambda *_: events  # type: ignore[method-assign]
    sent: list[list[tuple[str, bytes]]] = []

    async def send(*_: Any, headers: list[tuple[str, bytes]], **__: Any) -> asyncio.Future[None]:
        sent.append(headers)
        return await _RecordingProducer.send(producer, "t", b"v", key=b"k", headers=headers)

    producer.send = send  # type: ignore[method-assign]
    await relay.publish_next_batch()

    expected = [
        [
            (name, value.encode())
            for name, value in {
                **(context or {}),
                **headers,
                ORIGIN_HEADER: "ledger",
                NOTIFICATION_ID_HEADER: str(n),
            }.items()
        ]
        for n, context in enumerate(contexts, 1)
        for headers in own
    ]
    assert sent == expected


async def test_a_failed_send_fails_the_batch_and_records_nothing(app: ServiceApplication) -> None:
    ledger = Ledger()
    for i in range(3):
        ledger.announce(text=f"announcement {i}")
    app.save(ledger)
    producer = _RecordingProducer()
    relay = _relay(app, producer, batch_size=10)
    loop = asyncio.get_running_loop()
    outcomes: list[asyncio.Future[None]] = []

    async def send(*_: Any, **__: Any) -> asyncio.Future[None]:
        outcome: asyncio.Future[None] = loop.create_future()
        outcomes.append(outcome)
        return outcome

    producer.send = send  # type: ignore[method-assign]
    batch = asyncio.ensure_future(relay.publish_next_batch())
    while len(outcomes) < 3:
        await asyncio.sleep(0.001)
    outcomes[0].set_result(None)
    outcomes[1].set_exception(RuntimeError("not acknowledged"))
    outcomes[2].set_exception(RuntimeError("nor this"))
    with pytest.raises(RuntimeError, match="not acknowledged"):
        await batch
    assert relay.published_position == 0
    assert app.tracking_recorder.max_tracking_id(relay.tracking_name) is None


async def _run_until_quiet(relay: OutboxRelay) -> None:
    """Start the relay's loop, let it publish what is waiting, then stop it."""
    task = asyncio.create_task(relay.run())
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


@pytest.mark.parametrize(
    ("outputs_empty", "republished"),
    [(True, True), (False, False)],
    ids=["broker lost its topics", "broker kept its topics"],
)
async def test_a_restarted_relay_republishes_only_what_the_broker_lost(
    app: ServiceApplication, outputs_empty: bool, republished: bool
) -> None:
    """A relay that has published before asks, once at start, whether its output topics are
    all empty (an embedded broker keeps only memory): then it publishes everything again
    (consumers de-duplicate); otherwise it goes on from its recorded position."""
    ledger = Ledger()
    ledger.announce(text="before")
    app.save(ledger)
    first = _relay(app, _RecordingProducer(), batch_size=10)
    await _drain(first)
    ledger.announce(text="after")
    app.save(ledger)

    asked: list[bool] = []

    async def empty() -> bool:
        asked.append(outputs_empty)
        return outputs_empty

    producer = _RecordingProducer()
    restarted = _relay(app, producer, batch_size=10)
    restarted.outputs_empty = empty
    await _run_until_quiet(restarted)

    assert asked == [outputs_empty]
    expected = [b"before", b"after"] if republished else [b"after"]
    assert [value for _, value, _ in producer.sent] == expected


async def test_a_relay_that_never_published_does_not_ask_the_broker(
    app: ServiceApplication,
) -> None:
    async def empty() -> bool:
        raise AssertionError("asked although nothing was published before")

    ledger = Ledger()
    ledger.announce(text="first")
    app.save(ledger)
    producer = _RecordingProducer()
    relay = _relay(app, producer, batch_size=10)
    relay.outputs_empty = empty
    await _run_until_quiet(relay)
    assert [value for _, value, _ in producer.sent] == [b"first"]


async def test_a_restarted_relay_listens_for_saves_once(app: ServiceApplication) -> None:
    """The runtime restarts a failed relay by calling `run` again (here: the broker could
    not be asked at start); each save still wakes it once, not once per restart."""
    attempts: list[int] = []

    async def unreachable() -> bool:
        attempts.append(1)
        raise ConnectionError("broker away")

    ledger = Ledger()
    ledger.announce(text="published before")
    app.save(ledger)
    relay = _relay(app, _RecordingProducer(), batch_size=10)
    await _drain(relay)
    relay.outputs_empty = unreachable
    listeners = len(app._saved_listeners)
    for _ in range(3):
        with pytest.raises(ConnectionError):
            await relay.run()
    assert len(attempts) == 3
    assert len(app._saved_listeners) == listeners + 1


async def test_a_relay_told_its_broker_was_replaced_republishes_everything(
    app: ServiceApplication,
) -> None:
    """The runtime saw a new cluster id: the relay publishes from the start even though its
    topics are not empty (a batch in flight at the loss may have reached the new broker)."""
    ledger = Ledger()
    ledger.announce(text="before")
    app.save(ledger)
    await _drain(_relay(app, _RecordingProducer(), batch_size=10))

    async def not_empty() -> bool:
        return False

    producer = _RecordingProducer()
    relay = _relay(app, producer, batch_size=10)
    relay.outputs_empty = not_empty
    relay.republish_from_start()
    await _run_until_quiet(relay)
    assert [value for _, value, _ in producer.sent] == [b"before"]


async def test_a_republish_cut_short_goes_on_after_the_relay_restarts(
    app: ServiceApplication,
) -> None:
    """The relay fails in the middle of republishing (the new broker was briefly away); the
    runtime starts it again. By then its topics are no longer empty, yet it republishes the
    rest instead of skipping to the position it had recorded before the loss."""
    ledger = Ledger()
    for text in ("a", "b", "c"):
        ledger.announce(text=text)
    app.save(ledger)
    await _drain(_relay(app, _RecordingProducer(), batch_size=10))

    emptiness = iter([True, False, False])

    async def outputs_empty() -> bool:
        return next(emptiness)

    producer = _RecordingProducer()
    relay = _relay(app, producer, batch_size=1)
    relay.outputs_empty = outputs_empty
    recording_send = producer.send
    calls = 0

    async def send_failing_second(*args: Any, **kwargs: Any) -> asyncio.Future[None]:
        nonlocal calls
        calls += 1
        if calls == 2:
            failed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            failed.set_exception(RuntimeError("broker away"))
            return failed
        return await recording_send(*args, **kwargs)

    producer.send = send_failing_second  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="broker away"):
        await relay.run()
    await _run_until_quiet(relay)  # the runtime's restart
    assert {value for _, value, _ in producer.sent} >= {b"a", b"b", b"c"}


@pytest.mark.parametrize("turns", range(6))
async def test_a_relay_cancelled_as_a_save_wakes_it_stops(
    app: ServiceApplication, turns: int
) -> None:
    """A relay waiting for work stops when cancelled, even when a save wakes it in the same
    turns of the event loop: `asyncio.wait_for` on Python 3.11 swallowed such a cancel
    (cpython issue 86296) and the relay ran on; a CI run then waited 300 s in `_stop_relay`."""
    relay = _relay(app, _RecordingProducer(), batch_size=10)
    running = asyncio.create_task(relay.run())
    await asyncio.sleep(0.2)  # started, published nothing, waiting for a save
    assert relay.running and not running.done()

    # A save wakes the relay from the saving thread, on the loop's next turn.
    assert await stops_when_cancelled_as_woken(running, lambda: app.save(Ledger()), turns)
