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
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Executor
from typing import Any

from aiokafka import AIOKafkaProducer
from eventsourcing.persistence import Tracking

from shared.eventstore.application import ServiceApplication
from shared.eventstore.just_saved import JustSaved
from shared.messaging.inbound import NOTIFICATION_ID_HEADER, ORIGIN_HEADER
from shared.messaging.outgoing import Outgoing

log = logging.getLogger(__name__)

Publications = Callable[[Any], list[Outgoing]]


async def _acknowledged(sends: Sequence[asyncio.Future[Any]]) -> None:
    """Wait until every send is acknowledged; raise the first failure. One at a time rather
    than gathered: a batch's sends are acknowledged together, so after the first wait the rest
    are mostly done already, and a done future is awaited without the callback and loop turn
    per message that `asyncio.gather` costs."""
    for i, send in enumerate(sends):
        try:
            await send
        except BaseException:
            for rest in sends[i + 1 :]:
                rest.add_done_callback(_retrieve)  # no "exception never retrieved" noise
            raise


def _retrieve(send: asyncio.Future[Any]) -> None:
    if not send.cancelled():
        send.exception()


class OutboxRelay:
    def __init__(
        self,
        *,
        service: str,
        app: ServiceApplication,
        producer: AIOKafkaProducer,
        publications: Publications,
        executor: Executor,
        topic_prefix: str = "",
        batch_size: int = 1000,
        idle_poll_s: float = 0.5,
        event_topics: Sequence[str] = (),
        outputs_empty: Callable[[], Awaitable[bool]] | None = None,
    ) -> None:
        self.service = service
        self.app = app
        self.producer = producer
        self.publications = publications
        self.executor = executor
        self.topic_prefix = topic_prefix
        self.batch_size = batch_size
        self.idle_poll_s = idle_poll_s
        self.event_topics = list(event_topics)
        self._event_topic_set = frozenset(self.event_topics)
        self.outputs_empty = outputs_empty
        self.tracking_name = f"relay:{service}"
        self.published_position = 0
        self._recorded_position = 0
        self._wake = asyncio.Event()
        self._listening = False
        self._republishing = False
        """True from the decision to republish from the start until the relay is back at the
        position it had recorded: a restart of the relay meanwhile goes on republishing
        instead of skipping to that position (the topics are no longer empty by then)."""
        self.just_saved = JustSaved(app)

    def _is_published(self, domain_event: Any) -> bool:
        """The log's topic filter, applied to an event in memory."""
        if not self.event_topics:
            return True
        kind = type(domain_event)
        return f"{kind.__module__}:{kind.__qualname__}" in self._event_topic_set

    async def _in_store(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    async def run(self) -> None:
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
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.idle_poll_s)

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
        sends: list[asyncio.Future[Any]] = []
        for notification_id, domain_event in events:
            stored_context: dict[str, str] = getattr(domain_event, "trace_context", {}) or {}
            for outgoing in self.publications(domain_event):
                send = await self.producer.send(
                    f"{self.topic_prefix}{outgoing.topic}",
                    outgoing.body(),
                    key=outgoing.key.encode(),
                    headers=self._headers(stored_context, outgoing, notification_id),
                )
                sends.append(send)
        if sends:
            await _acknowledged(sends)
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
