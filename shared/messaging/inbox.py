"""The consumer side of effectively-once: batches in, one store transaction out, offsets last.

For each batch the runtime (1) drops messages whose upstream notification is already tracked,
(2) runs the service's handler for the rest in the store's thread (eventsourcing is
synchronous; keeping it off the event loop keeps consumer heartbeats alive), and only then lets
the offsets be committed. A failing batch is retried message by message; a message that still
fails after `max_attempts` (or at once, when it is poison) is stored as a dead letter, tracked
like a processed message, and relayed to the service's dead-letter topic.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from typing import Any

from aiokafka import TopicPartition
from eventsourcing.persistence import IntegrityError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage

from shared.eventstore.application import ServiceApplication
from shared.messaging.dead_letters import DeadLetter
from shared.messaging.errors import PoisonMessage, describe_failure
from shared.messaging.inbound import Inbound
from shared.metrics import ServiceMetrics

log = logging.getLogger(__name__)

MESSAGE_TOO_LARGE = "message_too_large"
DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024

BatchHandler = Callable[[Sequence[Inbound]], None]


class InboxRuntime:
    def __init__(
        self,
        *,
        service: str,
        app: ServiceApplication,
        handler: BatchHandler,
        executor: Executor,
        max_attempts: int = 5,
        retry_backoff_s: float = 0.2,
        publish_original_on_dead_letter: bool = True,
        max_message_bytes: int | None = DEFAULT_MAX_MESSAGE_BYTES,
        metrics: ServiceMetrics | None = None,
    ) -> None:
        """`max_message_bytes`: a larger message is dead-lettered unread (its original kept in
        the store, never republished: it would be too large again); None when the handler
        rejects oversized input itself (intake)."""
        self.metrics = metrics
        self.service = service
        self.app = app
        self.handler = handler
        self.executor = executor
        self.max_attempts = max_attempts
        self.retry_backoff_s = retry_backoff_s
        self.publish_original_on_dead_letter = publish_original_on_dead_letter
        self.max_message_bytes = max_message_bytes
        self.processed_messages = 0
        self.dead_letters = 0

    async def _in_store(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    async def process(self, batch: Sequence[Inbound]) -> None:
        limit = self.max_message_bytes
        if limit is not None and any(len(m.value) > limit for m in batch):
            for message in batch:
                if len(message.value) > limit:
                    await self._in_store(self._dead_letter, message, MESSAGE_TOO_LARGE, 1, False)
            batch = [m for m in batch if len(m.value) <= limit]
            if not batch:
                return
        fresh: list[Inbound]
        started = time.perf_counter()
        fresh, failed = await self._in_store(self._handle_fresh, batch)
        if not fresh:
            return
        if self.metrics is not None:
            self.metrics.handler_duration.record(time.perf_counter() - started)
        if failed:
            if len(fresh) == 1:
                await self._process_alone(fresh[0], first_failure_counted=True)
            else:
                log.warning("%s: batch of %d failed; retrying one by one", self.service, len(fresh))
                for message in fresh:
                    await self._process_alone(message)
            return
        self.processed_messages += len(fresh)
        if self.metrics is not None:
            self.metrics.processed(message.topic for message in fresh)

    def _handle_fresh(self, batch: Sequence[Inbound]) -> tuple[list[Inbound], bool]:
        """The batch's messages not processed before, and whether the handler failed on them:
        de-duplication and handling in one trip to the store's thread, not two. A failing
        de-duplication query raises, as before; a failing handler is retried by `process`."""
        fresh = self._drop_already_processed(batch)
        if not fresh:
            return fresh, False
        try:
            self.handler(fresh)
        except Exception:
            return fresh, True
        return fresh, False

    def _handle_alone(self, message: Inbound) -> bool:
        """Whether `message` was handled now (False: it had been processed before); either
        step's failure raises. One trip to the store's thread for both."""
        if not self._drop_already_processed([message]):
            return False
        self.handler([message])
        return True

    async def _process_alone(self, message: Inbound, first_failure_counted: bool = False) -> None:
        attempts = 1 if first_failure_counted else 0
        error = "unknown"
        while attempts < self.max_attempts:
            try:
                if not await self._in_store(self._handle_alone, message):
                    return
                self.processed_messages += 1
                if self.metrics is not None:
                    self.metrics.processed((message.topic,))
                return
            except PoisonMessage as exc:
                error = describe_failure(exc)
                attempts += 1
                break
            except Exception as exc:
                attempts += 1
                error = describe_failure(exc)
                log.warning(
                    "%s: processing %s[%d]@%d failed (attempt %d/%d): %s",
                    self.service,
                    message.topic,
                    message.partition,
                    message.offset,
                    attempts,
                    self.max_attempts,
                    error,
                )
                if attempts < self.max_attempts:
                    await asyncio.sleep(self.retry_backoff_s * 2 ** (attempts - 1))
        if attempts == 0:
            attempts = 1
        await self._in_store(self._dead_letter, message, error, attempts)

    def _drop_already_processed(self, batch: Sequence[Inbound]) -> list[Inbound]:
        # Each message's upstream once, as a plain tuple (hashed and compared in C).
        keys = [message.upstream_key() for message in batch]
        by_origin: dict[str, set[int]] = {}
        for key in keys:
            if key is not None:
                ids = by_origin.get(key[0])
                if ids is None:
                    ids = by_origin[key[0]] = set()
                ids.add(key[1])
        seen: set[tuple[str, int]] = set()
        for origin, ids in by_origin.items():
            seen.update((origin, i) for i in self.app.already_tracked(origin, ids))
        fresh: list[Inbound] = []
        for message, key in zip(batch, keys, strict=True):
            if key is not None:
                if key in seen:
                    continue
                seen.add(key)  # the same notification twice in one batch
            fresh.append(message)
        return fresh

    def _dead_letter(
        self, message: Inbound, error: str, attempts: int, publish_original: bool = True
    ) -> None:
        log.error(
            "%s: %s[%d]@%d goes to the dead-letter topic after %d attempt(s): %s",
            self.service,
            message.topic,
            message.partition,
            message.offset,
            attempts,
            error,
        )
        if self.app.aggregate_exists(DeadLetter.id_for(self.service, message)):
            return
        letter = DeadLetter.record(
            self.service,
            message,
            error,
            attempts,
            self.publish_original_on_dead_letter and publish_original,
            self.app.keyring,
        )
        upstream = message.upstream
        try:
            self.app.save_processed(letter, trackings=[upstream.tracking()] if upstream else [])
        except IntegrityError:
            # Its upstream id was tracked meanwhile: a concurrent attempt processed it.
            self.app.save(letter)
        self.dead_letters += 1
        if self.metrics is not None:
            self.metrics.dead_lettered(message.topic, "consume")


async def _raw_body(message: Any) -> Any:
    """The runtime reads the raw records itself; skip faststream's JSON decoding of each one."""
    return None


def subscribe_inbox(
    broker: KafkaBroker,
    runtime: InboxRuntime,
    *,
    topics: Sequence[str],
    group_id: str,
    fetch_max_wait_ms: int,
    session_timeout_ms: int = 10_000,
    max_records: int = 500,
) -> None:
    """One consumer group per service over all its input topics (each group join costs ~5 s
    on Tansu). Offsets are committed after the handler returned; on an unexpected error the
    batch is re-read (NACK_ON_ERROR), never skipped."""

    @broker.subscriber(
        *topics,
        group_id=group_id,
        batch=True,
        max_records=max_records,
        batch_timeout_ms=fetch_max_wait_ms,
        fetch_max_wait_ms=fetch_max_wait_ms,
        session_timeout_ms=session_timeout_ms,
        heartbeat_interval_ms=session_timeout_ms // 3,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        decoder=_raw_body,
        title=f"{group_id}-inbox",
    )
    async def consume_batch(message: KafkaMessage) -> None:
        raw = message.raw_message
        records = raw if isinstance(raw, tuple | list) else (raw,)
        await runtime.process([Inbound.from_record(r) for r in records])
        if runtime.metrics is not None:
            _record_consumer_lag(runtime.metrics, message, records)


def _record_consumer_lag(metrics: ServiceMetrics, message: KafkaMessage, records: Any) -> None:
    """Per partition of the batch: the high watermark (from the fetch) minus the offset after
    the last record processed."""
    last: dict[tuple[str, int], int] = {}
    for record in records:
        key = (record.topic, record.partition)
        if record.offset >= last.get(key, -1):
            last[key] = record.offset
    consumer = getattr(message, "consumer", None)
    if consumer is None:
        return
    for (topic, partition), offset in last.items():
        highwater = consumer.highwater(TopicPartition(topic, partition))
        if highwater is not None:
            metrics.consumer_lag.set(
                max(0, highwater - offset - 1), {"topic": topic, "partition": str(partition)}
            )
