"""The outbox relay: publishes a service's stored events to Kafka, in notification order.

Publishing is at-least-once (acks=all, position saved only after every send in a batch was
acknowledged); consumers make it effectively-once by tracking (origin, notification id).

The relay writes with its own aiokafka producer rather than through faststream's publish: at
thousands of messages per second faststream's per-message correlation ids and publish spans
cost more than everything else the relay does. Each message carries, as W3C headers, the trace
context stored with its event, so the consumer's span continues the trace that caused it.

What this process has just saved the relay takes from memory (handed over by each save)
instead of reading it back from the log and decoding it; the log serves whenever those events
do not follow the relay's position without a gap (after a restart, another writer, or when
the relay has fallen far behind). From memory it takes all that follows at once; `batch_size`
bounds a read of the log.

An event the broker can never take (too large, an invalid topic: a permanent error, see
`refused_for_good`) does not stop the relay: its message is kept as a dead letter in the
service's store, with the reason, and published to the service's dead-letter topic without its
value; the relay records its position past it and goes on. Transient errors (the broker away,
timeouts, a leader moving) fail the batch, which is published again from the same position.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka import errors as kafka_errors
from eventsourcing.persistence import Tracking

from shared.eventstore.application import ServiceApplication
from shared.eventstore.just_saved import JustSaved
from shared.messaging.dead_letters import DeadLetter, Refused, for_publication
from shared.messaging.inbound import NOTIFICATION_ID_HEADER, ORIGIN_HEADER
from shared.messaging.outgoing import Outgoing
from shared.metrics import ServiceMetrics
from shared.waiting import woken_within

log = logging.getLogger(__name__)

Publications = Callable[[Any], list[Outgoing]]


# The errors that are about the message itself: sending the same bytes again cannot succeed.
# Only these are dead-lettered. Everything else (retriable or not) is about the connection, the
# cluster, the credentials or the producer, and is retried: a broker may answer a produce with a
# non-retriable code for a moment — Tansu answers UNKNOWN_SERVER_ERROR (UnknownError) for
# produces to a topic it has only just created — and dead-lettering on such a code lost 847 of
# 2,200 incidents in the broker-loss fault test.
_THE_MESSAGES_FAULT: tuple[type[BaseException], ...] = (
    kafka_errors.MessageSizeTooLargeError,
    kafka_errors.RecordTooLargeError,
    kafka_errors.RecordListTooLargeError,
    kafka_errors.InvalidTopicError,
    kafka_errors.CorruptRecordException,
    kafka_errors.InvalidTimestampError,
    kafka_errors.UnsupportedForMessageFormatError,
)


def refused_for_good(exc: BaseException) -> bool:
    """Whether the broker (or the producer on its behalf) refuses this message for a reason
    that sending it again cannot change: too large, an invalid topic, a corrupt record, an
    invalid timestamp or a message format the broker does not take. Any other error, retriable
    or not (timeouts, the broker away, an unknown server error, credentials, producer state),
    is transient: the batch is published again from the same position."""
    return isinstance(exc, _THE_MESSAGES_FAULT)


async def _acknowledged(sends: Sequence[asyncio.Future[Any]]) -> dict[int, BaseException]:
    """Wait until every send is acknowledged; the permanent refusals by their index. A
    transient failure is raised (the batch is tried again). One at a time rather than
    gathered: a batch's sends are acknowledged together, so after the first wait the rest are
    mostly done already, and a done future is awaited without the callback and loop turn per
    message that `asyncio.gather` costs."""
    refused: dict[int, BaseException] = {}
    for i, send in enumerate(sends):
        try:
            await send
        except Exception as exc:
            if refused_for_good(exc):
                refused[i] = exc
                continue
            for rest in sends[i + 1 :]:
                rest.add_done_callback(_retrieve)  # no "exception never retrieved" noise
            raise
        except BaseException:
            for rest in sends[i + 1 :]:
                rest.add_done_callback(_retrieve)
            raise
    return refused


def _refusal(
    message: tuple[int, Any, str, bytes, bytes, list[tuple[str, bytes]]], exc: BaseException
) -> Refused:
    notification_id, domain_event, topic, key, value, headers = message
    return Refused(
        notification_id=notification_id,
        domain_event=domain_event,
        topic=topic,
        key=key,
        value=value,
        headers={name: raw.decode("utf-8", "replace") for name, raw in headers},
        reason=f"relay: {type(exc).__name__} ({len(value)} bytes)",
    )


def _retrieve(send: asyncio.Future[Any]) -> None:
    if not send.cancelled():
        send.exception()


@dataclass(kw_only=True, eq=False, repr=False)
class OutboxRelay:
    service: str
    app: ServiceApplication
    producer: AIOKafkaProducer
    publications: Publications
    executor: Executor
    topic_prefix: str = ""
    batch_size: int = 1000
    idle_poll_s: float = 0.5
    event_topics: Sequence[str] = ()
    outputs_empty: Callable[[], Awaitable[bool]] | None = None
    metrics: ServiceMetrics | None = None

    def __post_init__(self) -> None:
        self.event_topics = list(self.event_topics)
        self._event_topic_set = frozenset(self.event_topics)
        self.tracking_name = f"relay:{self.service}"
        self.published_position = 0
        self._recorded_position = 0
        self._wake = asyncio.Event()
        self._listening = False
        self._republishing = False
        """True from the decision to republish from the start until the relay is back at the
        position it had recorded: a restart of the relay meanwhile goes on republishing
        instead of skipping to that position (the topics are no longer empty by then)."""
        self.just_saved = JustSaved(self.app)
        self.dead_letters = 0
        """Messages this relay kept as dead letters because the broker refused them."""
        self.running = False
        """Whether the relay loop runs (in this replica: it holds the relay lock)."""

    def _is_published(self, domain_event: Any) -> bool:
        """The log's topic filter, applied to an event in memory."""
        if not self.event_topics:
            return True
        kind = type(domain_event)
        return f"{kind.__module__}:{kind.__qualname__}" in self._event_topic_set

    async def _in_store(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    async def run(self) -> None:
        """Publish for as long as it runs (the runtime runs it while this replica holds the
        service's relay lock)."""
        self.running = True
        try:
            await self._run()
        finally:
            self.running = False

    async def _run(self) -> None:
        if not self._listening:
            # Once: the runtime restarts a failed relay (e.g. its broker was briefly away)
            # by calling run again.
            loop = asyncio.get_running_loop()
            self.app.on_saved(lambda: self._wake_from_thread(loop))
            self._listening = True
        stored = await self._in_store(
            self.app.tracking_recorder.max_tracking_id, self.tracking_name
        )
        self._recorded_position = stored or 0
        self.published_position = self._recorded_position
        if (
            self._recorded_position
            and not self._republishing
            and await self._broker_lost_what_was_published()
        ):
            log.warning(
                "%s relay: its topics hold none of what it published (the broker lost them, "
                "e.g. an embedded broker restarted); republishing from the start",
                self.service,
            )
            self._republishing = True
        if self._republishing:
            self.published_position = 0
        while True:
            self._wake.clear()
            published = await self.publish_next_batch()
            if not published:
                await woken_within(self._wake, self.idle_poll_s)

    def republish_from_start(self) -> None:
        """Publish everything again from the first event at the next `run`: the broker was
        replaced by a new, empty one (its cluster id changed). Consumers de-duplicate."""
        self._republishing = True

    async def _broker_lost_what_was_published(self) -> bool:
        """Whether every topic the relay publishes to is empty although it has published:
        asked once, before it publishes anything, whoever created the topics (another
        service's consumer may have created them on a new broker first). Consumers
        de-duplicate what is published again."""
        return self.outputs_empty is not None and await self.outputs_empty()

    def _wake_from_thread(self, loop: asyncio.AbstractEventLoop) -> None:
        loop.call_soon_threadsafe(self._wake.set)

    async def publish_next_batch(self) -> int:
        """Publish the next events; how many notifications were read (0: none are waiting)."""
        # Everything kept in memory at once, not only a log batch: the relay gets about one
        # turn per handler save (its tracking waits behind the handler in the store's thread),
        # so taking less than a save stores per turn fell further behind with each save until
        # memory overflowed and the log served for good (py-spy: to_domain_event during bursts).
        remembered = self.just_saved.after(
            self.published_position, max(self.batch_size, self.just_saved.limit)
        )
        if remembered:
            events = [(i, e) for i, e in remembered if self._is_published(e)]
            read, scanned_to, complete = len(remembered), remembered[-1][0], True
        else:
            notifications, scanned_to = await self._in_store(self._select, self.published_position)
            to_domain_event = self.app.mapper.to_domain_event
            events = [(n.id, to_domain_event(n)) for n in notifications]
            # A short batch read the log up to `scanned_to`; a full one may have stopped
            # earlier.
            read, complete = len(notifications), len(notifications) < self.batch_size
        if not events:
            # Nothing to publish up to `scanned_to`: the next look starts after it, so events
            # the relay never publishes (most of reporting's) are not scanned again and again.
            self.published_position = max(self.published_position, scanned_to)
            if self._republishing and self.published_position >= self._recorded_position:
                self._republishing = False
            return read
        # Erasures another replica of the service recorded: withheld from this batch on.
        await self._in_store(self.app.erased_persons.refresh)
        sends: list[asyncio.Future[Any]] = []
        # What each send is, kept as it was sent (decoded only if the broker refuses it).
        sent: list[tuple[int, Any, str, bytes, bytes, list[tuple[str, bytes]]]] = []
        refused: list[Refused] = []
        for notification_id, domain_event in events:
            stored_context: dict[str, str] = getattr(domain_event, "trace_context", {}) or {}
            if isinstance(domain_event, DeadLetter.Recorded) and domain_event.sealed is not None:
                # Opened (in memory only), or marked erased: never the sealed bytes.
                domain_event = await self._in_store(for_publication, domain_event, self.app.keyring)
            for published in self.publications(domain_event):
                # Nothing about an erased person, however far back the relay publishes.
                outgoing = published.withheld(self.app.erased_persons.withhold)
                if outgoing is None:
                    continue
                topic = f"{self.topic_prefix}{outgoing.topic}"
                body = outgoing.body()
                key = outgoing.key.encode()
                headers = self._headers(stored_context, outgoing, notification_id)
                message = (notification_id, domain_event, topic, key, body, headers)
                try:
                    send = await self.producer.send(topic, body, key=key, headers=headers)
                except Exception as exc:
                    # aiokafka refuses a message over its request size before sending it.
                    if not refused_for_good(exc):
                        raise
                    refused.append(_refusal(message, exc))
                    continue
                sends.append(send)
                sent.append(message)
        if sends:
            for index, refusal in (await _acknowledged(sends)).items():
                refused.append(_refusal(sent[index], refusal))
        if refused:
            refused.sort(key=lambda r: r.notification_id)
            await self._in_store(self._keep_refused, refused)
        last = events[-1][0]
        if last > self._recorded_position:
            await self._in_store(
                self.app.tracking_recorder.insert_tracking, Tracking(self.tracking_name, last)
            )
            self._recorded_position = last
        self.published_position = scanned_to if complete else last
        if self._republishing and self.published_position >= self._recorded_position:
            self._republishing = False
        return read

    def _keep_refused(self, refused: Sequence[Refused]) -> None:
        """Keep each refused message as a dead letter in the store (published to the
        dead-letter topic without its value, which the broker would refuse again). Runs in the
        store's thread; a dead letter kept before (the batch is being published again after a
        transient failure or a restart) is not kept twice."""
        letters: list[DeadLetter] = []
        for message in refused:
            log.error(
                "%s relay: notification %d to %s refused for good, kept as a dead letter: %s",
                self.service,
                message.notification_id,
                message.topic,
                message.reason,
            )
            if isinstance(message.domain_event, DeadLetter.Recorded):
                # Its dead-letter record itself was refused: it stays in the store, where it
                # was kept; another dead letter about it would be refused alike.
                continue
            letter = DeadLetter.refused_by_broker(self.service, message, self.app.keyring)
            if not self.app.aggregate_exists(letter.id):
                letters.append(letter)
        if letters:
            self.app.save(*letters)
        self.dead_letters += len(letters)
        if self.metrics is not None:
            for letter in letters:
                self.metrics.dead_lettered(letter.origin_topic, "relay")

    def _headers(
        self, stored_context: dict[str, str], outgoing: Outgoing, notification_id: int
    ) -> list[tuple[str, bytes]]:
        """A message's headers: the stored trace context, the message's own, then the relay's
        (each later one replacing an earlier of the same name)."""
        headers = {
            **stored_context,
            **outgoing.headers,
            ORIGIN_HEADER: self.service,
            NOTIFICATION_ID_HEADER: str(notification_id),
        }
        return [(name, value.encode()) for name, value in headers.items()]

    def _select(self, position: int) -> tuple[Any, int]:
        """The next notifications to publish after `position`, and how far the log was read.

        Both stores make notification ids visible in order (SQLite writes one transaction at a
        time; eventsourcing's PostgreSQL recorder locks the table while inserting), so no id
        at or below the maximum read first can appear later."""
        newest = self.app.recorder.max_notification_id() or 0
        if newest <= position:
            return [], position
        notifications = self.app.recorder.select_notifications(
            start=position,
            limit=self.batch_size,
            stop=newest,
            topics=self.event_topics,
            inclusive_of_start=False,
        )
        return notifications, newest
