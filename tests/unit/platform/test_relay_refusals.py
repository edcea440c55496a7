"""A message the broker refuses for good (too large, an invalid topic) does not stop the relay:
it is kept as a dead letter with its reason, the relay records its position past it and the
next events flow. Transient errors still fail the batch, which is published again."""

from __future__ import annotations

import asyncio
import base64
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from aiokafka import errors as kafka_errors
from eventsourcing.domain import event
from hypothesis import given
from hypothesis import strategies as st

from shared.eventstore import TracedAggregate
from shared.eventstore.application import ServiceApplication, store_env
from shared.messaging.dead_letters import RELAY_PARTITION, DeadLetter, dead_letter_publications
from shared.messaging.outgoing import Outgoing
from shared.messaging.relay import OutboxRelay, refused_for_good
from shared.settings import PlatformSettings

TOPIC = "ssp.test.announcements.v1"
LIMIT = 1000  # the fake producer's request size limit, as aiokafka's max_request_size


class Board(TracedAggregate):
    class Posted(TracedAggregate.Event):
        text: str

    @event("Opened")
    def __init__(self) -> None:
        pass

    @event(Posted)
    def post(self, text: str) -> None:
        pass


def _publications(domain_event: Any) -> list[Outgoing]:
    if isinstance(domain_event, Board.Posted):
        return [Outgoing(TOPIC, "key", domain_event.text.encode())]
    return dead_letter_publications(domain_event)


class _Broker:
    """Stands in for aiokafka's producer and the broker behind it (the relay's handling of
    their answers is under test; tests/integration/test_relay_refusals.py uses the real one):
    refuses messages over LIMIT when they are sent, as aiokafka does, and answers a send with
    `answer(value)`'s error, if any, as the broker's produce response would."""

    def __init__(self) -> None:
        self.published: list[tuple[str, bytes, dict[str, str]]] = []
        self.failing: dict[bytes, BaseException] = {}

    async def send(
        self, topic: str, value: bytes, *, key: bytes, headers: list[tuple[str, bytes]]
    ) -> asyncio.Future[None]:
        if len(value) > LIMIT:
            raise kafka_errors.MessageSizeTooLargeError("over max_request_size")
        answer: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        failure = self.failing.get(value)
        if failure is not None:
            answer.set_exception(failure)
        else:
            self.published.append((topic, value, {k: v.decode() for k, v in headers}))
            answer.set_result(None)
        return answer


def _relay(app: ServiceApplication, broker: _Broker) -> OutboxRelay:
    return OutboxRelay(
        service="triage",
        app=app,
        producer=broker,  # type: ignore[arg-type]
        publications=_publications,
        executor=ThreadPoolExecutor(max_workers=1),
        batch_size=100,
        event_topics=[
            f"{__name__}:Board.Posted",
            f"{DeadLetter.__module__}:{DeadLetter.Recorded.__qualname__}",
        ],
    )


def _app() -> ServiceApplication:
    return ServiceApplication(env=store_env(PlatformSettings(SSP_DATABASE_URL="memory"), "relay"))


async def _drain(relay: OutboxRelay) -> None:
    while await relay.publish_next_batch():
        pass


def _posts(broker: _Broker) -> list[bytes]:
    return [value for topic, value, _ in broker.published if topic == TOPIC]


def _dead_letter_records(broker: _Broker) -> list[tuple[bytes, dict[str, str]]]:
    return [
        (value, headers)
        for topic, value, headers in broker.published
        if topic == "ssp.triage.dead-letter.v1"
    ]


async def test_an_oversized_event_is_dead_lettered_and_the_next_events_flow() -> None:
    app = _app()
    board = Board()
    board.post(text="before")
    board.post(text="x" * (LIMIT + 1))
    board.post(text="after")
    app.save(board)
    broker = _Broker()
    relay = _relay(app, broker)

    await _drain(relay)
    board.post(text="later")
    app.save(board)
    await _drain(relay)

    assert _posts(broker) == [b"before", b"after", b"later"]
    [(value, headers)] = _dead_letter_records(broker)
    assert value == b""  # the broker would refuse the original again
    assert headers["ssp-dlq-error"] == f"relay: MessageSizeTooLargeError ({LIMIT + 1} bytes)"
    assert headers["ssp-dlq-origin-topic"] == TOPIC
    assert headers["ssp-dlq-origin-partition"] == str(RELAY_PARTITION)
    letter = app.repository.get(uuid.UUID(headers["ssp-dlq-reference"]))
    assert letter.original_value == b"x" * (LIMIT + 1)  # kept in the store, for a replay
    assert letter.error == headers["ssp-dlq-error"]
    assert relay.dead_letters == 1
    assert app.tracking_recorder.max_tracking_id(relay.tracking_name) == relay.published_position


@pytest.mark.parametrize(
    "refusal",
    [
        kafka_errors.RecordTooLargeError("broker limit"),
        kafka_errors.InvalidTopicError(),
        kafka_errors.RecordListTooLargeError(),
        kafka_errors.CorruptRecordException(),
        kafka_errors.InvalidTimestampError(),
    ],
    ids=type,
)
async def test_a_message_the_broker_refuses_for_good_is_dead_lettered(
    refusal: BaseException,
) -> None:
    app = _app()
    board = Board()
    for text in ("one", "refused", "three"):
        board.post(text=text)
    app.save(board)
    broker = _Broker()
    broker.failing[b"refused"] = refusal
    relay = _relay(app, broker)

    await _drain(relay)

    assert _posts(broker) == [b"one", b"three"]
    [(_, headers)] = _dead_letter_records(broker)
    assert headers["ssp-dlq-error"] == f"relay: {type(refusal).__name__} (7 bytes)"


@pytest.mark.parametrize(
    "transient",
    [
        kafka_errors.KafkaTimeoutError(),
        kafka_errors.NotLeaderForPartitionError(),
        kafka_errors.UnknownError(),  # Tansu, producing to a topic it has just created
        kafka_errors.UnknownTopicOrPartitionError(),
        kafka_errors.KafkaConnectionError(),
        kafka_errors.TopicAuthorizationFailedError(),
        ConnectionResetError(),
    ],
    ids=type,
)
async def test_transient_errors_fail_the_batch_and_are_tried_again(
    transient: BaseException,
) -> None:
    app = _app()
    board = Board()
    for text in ("one", "flaky", "three"):
        board.post(text=text)
    app.save(board)
    broker = _Broker()
    broker.failing[b"flaky"] = transient
    relay = _relay(app, broker)

    with pytest.raises(type(transient)):
        await relay.publish_next_batch()
    assert app.tracking_recorder.max_tracking_id(relay.tracking_name) is None
    del broker.failing[b"flaky"]
    await _drain(relay)

    # At least once: the batch goes out again from the same position.
    assert _posts(broker) == [b"one", b"three", b"one", b"flaky", b"three"]
    assert _dead_letter_records(broker) == []
    assert relay.dead_letters == 0


async def test_a_refusal_is_kept_once_when_its_batch_is_published_again() -> None:
    """A transient failure after the refusal makes the batch go out again: the refused
    message is still one dead letter."""
    app = _app()
    board = Board()
    for text in ("x" * (LIMIT + 5), "flaky"):
        board.post(text=text)
    app.save(board)
    broker = _Broker()
    broker.failing[b"flaky"] = kafka_errors.KafkaTimeoutError()
    relay = _relay(app, broker)
    with pytest.raises(kafka_errors.KafkaTimeoutError):
        await relay.publish_next_batch()
    del broker.failing[b"flaky"]
    relay.published_position = 0  # as after a restart

    await _drain(relay)

    assert _posts(broker) == [b"flaky"]
    assert len(_dead_letter_records(broker)) == 1


def test_only_errors_about_the_message_itself_are_refused_for_good() -> None:
    """Retriable errors, and non-retriable ones that say nothing about the message (Tansu
    answers UNKNOWN_SERVER_ERROR for produces to a topic it has only just created), are
    retried; dead-lettering on them lost incidents after a broker loss."""
    errors = [
        cls
        for cls in vars(kafka_errors).values()
        if isinstance(cls, type) and issubclass(cls, kafka_errors.KafkaError)
    ]
    about_the_message = {
        kafka_errors.MessageSizeTooLargeError,
        kafka_errors.RecordTooLargeError,
        kafka_errors.RecordListTooLargeError,
        kafka_errors.InvalidTopicError,
        kafka_errors.CorruptRecordException,
        kafka_errors.InvalidMessageError,
        kafka_errors.InvalidTimestampError,
        kafka_errors.UnsupportedForMessageFormatError,
    }
    for cls in errors:
        assert refused_for_good(cls()) == (cls in about_the_message), cls
    assert not refused_for_good(kafka_errors.UnknownError())
    assert not refused_for_good(kafka_errors.KafkaTimeoutError())
    assert refused_for_good(kafka_errors.MessageSizeTooLargeError())
    assert not refused_for_good(ValueError())


@given(sizes=st.lists(st.integers(min_value=0, max_value=2 * LIMIT), min_size=1, max_size=12))
def test_every_event_is_published_or_dead_lettered_once_in_order(sizes: list[int]) -> None:
    """Whatever mix of sizes: each fitting event published once, in order, each oversized
    one dead-lettered once, and the relay's position past all of them."""

    async def run() -> None:
        app = _app()
        board = Board()
        texts = [f"{i:04d}" + "y" * size for i, size in enumerate(sizes)]
        for text in texts:
            board.post(text=text)
        app.save(board)
        broker = _Broker()
        relay = _relay(app, broker)
        await _drain(relay)
        fitting = [t.encode() for t in texts if len(t.encode()) <= LIMIT]
        assert _posts(broker) == fitting
        letters = _dead_letter_records(broker)
        assert len(letters) == len(texts) - len(fitting)
        stored = [
            base64.b64decode(app.repository.get(uuid.UUID(h["ssp-dlq-reference"])).value_b64)
            for _, h in letters
        ]
        assert stored == [t.encode() for t in texts if len(t.encode()) > LIMIT]
        assert relay.published_position == app.recorder.max_notification_id()

    asyncio.run(run())
