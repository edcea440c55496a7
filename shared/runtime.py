"""Runs one service: its store, its Kafka inbox and outbox relay, and its HTTP API.

Used both by `ssp run <service>` (one service per process) and by `ssp up` (all services in
one process, sharing the event loop but nothing else).

It is over 400 lines because `RunningService` is one lifecycle (start, broker recovery, the
relay under its lock, the daily job, a bounded stop) over the same fields; split, each part
would reach into the others' state.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import FastAPI

from shared.clock import Clock, utc_now
from shared.eventstore.application import ServiceApplication
from shared.eventstore.daily_job import DailyJob, DailyStep
from shared.http import add_platform_routes, from_app
from shared.http_server import EmbeddedHttpServer
from shared.keys.keyring import PersonKeyring
from shared.keys.service_keyring import open_service_keyring
from shared.messaging.admin import (
    ClusterState,
    broker_reachable,
    cluster_state,
    ensure_topics,
    topics_empty,
)
from shared.messaging.broker import make_broker, make_relay_producer
from shared.messaging.dead_letter_retention import DeadLetterRetention
from shared.messaging.dead_letters import DeadLetter
from shared.messaging.inbox import BatchHandler, InboxRuntime, subscribe_inbox
from shared.messaging.leader import relay_lock, run_while_leading, service_lock
from shared.messaging.relay import OutboxRelay, Publications
from shared.messaging.security import KafkaSecurity, kafka_security
from shared.metrics import ServiceMetrics
from shared.service_topics import topic_configs, topic_partitions
from shared.settings import PlatformSettings, refuse_unsafe_production
from shared.store_thread import StallWatch, StoreThread
from shared.waiting import within

log = logging.getLogger(__name__)


@dataclass
class ServiceContext:
    """What a service's HTTP API may use: its application and the thread its store runs in."""

    name: str
    settings: PlatformSettings
    app: ServiceApplication
    executor: ThreadPoolExecutor
    metrics: ServiceMetrics | None = None

    async def in_store(self, fn: Callable[..., Any], *args: Any) -> Any:
        # run_in_executor does not carry context variables: copy them, so events a request
        # causes in the store thread remember the request's trace.
        context = contextvars.copy_context()
        return await asyncio.get_running_loop().run_in_executor(
            self.executor, functools.partial(context.run, fn, *args)
        )


Ctx = Annotated[ServiceContext, from_app("ctx")]
"""A route's service context (its app was made by `service_api(..., ctx=ctx)`)."""


async def in_store_every(
    ctx: ServiceContext, interval_s: float, work: Callable[[], int], done: str
) -> None:
    """Run `work` in the store's thread every `interval_s`, for good; `done` is the log line
    for what it changed when it changed anything (`%d` the count). Deadline schedulers."""
    while True:
        changed = await ctx.in_store(work)
        if changed:
            log.info(done, changed)
        await asyncio.sleep(interval_s)


async def run_daily(ctx: ServiceContext, job: DailyJob, interval_s: float) -> None:
    """Run `job` (in the store's thread) whenever it is due, looking every `interval_s`, for
    good, while this replica holds the service's lock for the job (one replica at a time)."""

    async def every_interval() -> None:
        await in_store_every(
            ctx, interval_s, lambda: int(job.run_once().ran), f"{ctx.name}: daily job ran (%d)"
        )

    await run_while_leading(service_lock(ctx.settings, ctx.name, job.job), every_interval)


@dataclass
class ServiceDefinition:
    name: str
    settings: PlatformSettings
    app_factory: Callable[[], ServiceApplication]
    consumes: Sequence[str]
    produces: Sequence[str]
    handler_factory: Callable[[ServiceApplication], BatchHandler] | None
    publications: Publications
    http_factory: Callable[[ServiceContext], FastAPI]
    http_host: str = "127.0.0.1"
    http_port: int = 0
    publish_original_on_dead_letter: bool = True
    extra_tasks: list[Callable[[ServiceContext], Any]] = field(default_factory=list)
    daily_steps: list[Callable[[ServiceContext], DailyStep]] = field(default_factory=list)
    """The steps of the service's daily job (shared/eventstore/daily_job.py), made at start;
    run once per UTC day by one replica (`run_daily`), after the dead letters' deadline
    (shared/messaging/dead_letter_retention.py), which every service's job applies."""
    clock: Clock = utc_now
    """The daily job's clock (tests inject their own)."""
    daily_check_interval_s: float | None = None
    """How often the daily job looks whether it is due; None: SSP_DAILY_JOB_CHECK_INTERVAL_S."""
    on_stop: list[Callable[[], None]] = field(default_factory=list)
    rejects_oversized_input: bool = False
    """The handler rejects input larger than `kafka_max_message_bytes` itself (intake: on its
    rejected topic, kept); otherwise the inbox dead-letters such a message unread."""
    published_events: Sequence[type] | None = None
    """Event classes `publications` turns into messages (dead letters are added): the relay
    then reads only those from the log instead of decoding every stored event."""


def _event_topics(event_classes: Sequence[type]) -> list[str]:
    """Stored-event topics of these classes and their subclasses (isinstance semantics)."""
    topics: list[str] = []
    pending = list(event_classes)
    while pending:
        cls = pending.pop()
        # eventsourcing's @event may subclass a declared event class under the same name, so
        # the topic is derived, not looked up (get_topic refuses two classes for one topic).
        topics.append(f"{cls.__module__}:{cls.__qualname__}")
        pending.extend(cls.__subclasses__())
    return sorted(set(topics))


class RunningService:
    def __init__(self, definition: ServiceDefinition, bootstrap_servers: str) -> None:
        self.definition = definition
        self.bootstrap_servers = bootstrap_servers
        self.executor = StoreThread(definition.name)
        self.stall_watch = StallWatch(
            self.executor, definition.name, definition.settings.store_stall_s
        )
        self.app: ServiceApplication | None = None
        self.context: ServiceContext | None = None
        self.inbox: InboxRuntime | None = None
        self.relay: OutboxRelay | None = None
        self._tasks: list[asyncio.Task[Any]] = []
        self._relay_task: asyncio.Task[None] | None = None
        self.broker_watch_interval_s = 1.0
        self.recoveries = 0
        self.http = EmbeddedHttpServer(definition.name, definition.http_host, definition.http_port)
        self._broker: Any = None
        self._producer: Any = None
        self._security: KafkaSecurity = kafka_security(definition.settings)
        self._opened_keyring: PersonKeyring | None = None
        self.metrics = ServiceMetrics(definition.name)

    @property
    def name(self) -> str:
        return self.definition.name

    def _keyring(self, app: ServiceApplication) -> PersonKeyring:
        """The service's keyring (its dead letters' keys): its own, else one the runtime
        opens (and closes when the service stops)."""
        if app.keyring is None:
            app.keyring = open_service_keyring(self.definition.settings, self.name)
            self._opened_keyring = app.keyring
        return app.keyring

    async def start(self) -> None:
        d = self.definition
        settings = d.settings
        refuse_unsafe_production({d.name: settings})
        loop = asyncio.get_running_loop()
        self.app = await loop.run_in_executor(self.executor, d.app_factory)
        keyring = await loop.run_in_executor(self.executor, self._keyring, self.app)
        self.context = ServiceContext(d.name, settings, self.app, self.executor, self.metrics)
        if d.handler_factory is not None and d.consumes:
            self.inbox = InboxRuntime(
                service=d.name,
                app=self.app,
                handler=d.handler_factory(self.app),
                executor=self.executor,
                max_attempts=settings.max_attempts,
                publish_original_on_dead_letter=d.publish_original_on_dead_letter,
                max_message_bytes=(
                    None if d.rejects_oversized_input else settings.kafka_max_message_bytes
                ),
                metrics=self.metrics,
            )
        await self._start_consumer()
        self._producer = make_relay_producer(settings, self.bootstrap_servers, client_id=d.name)
        await self._producer.start()
        self.relay = OutboxRelay(
            service=d.name,
            app=self.app,
            producer=self._producer,
            publications=d.publications,
            executor=self.executor,
            topic_prefix=settings.topic_prefix,
            event_topics=(
                _event_topics([*d.published_events, DeadLetter.Recorded])
                if d.published_events is not None
                else ()
            ),
            outputs_empty=functools.partial(
                topics_empty,
                self.bootstrap_servers,
                [settings.topic(t) for t in d.produces],
                security=self._security,
            ),
            metrics=self.metrics,
        )
        self._start_relay()
        self._tasks.append(asyncio.create_task(self._supervise("broker watch", self._watch)))
        self._tasks.append(asyncio.create_task(self._supervise("metrics", self._sample_lag)))
        self._tasks.append(asyncio.create_task(self._supervise("stall watch", self._watch_store)))
        self._tasks.append(asyncio.create_task(self._supervise("erasures", self._follow_erasures)))
        context = self.context
        dead_letters = DeadLetterRetention(self.app, keyring, settings.retention_dead_letter_days)
        steps: list[DailyStep] = [dead_letters, *(f(context) for f in d.daily_steps)]
        daily = DailyJob(self.app, d.name, steps, d.clock)
        interval = d.daily_check_interval_s or settings.daily_job_check_interval_s
        self._tasks.append(
            asyncio.create_task(
                self._supervise("daily job", functools.partial(run_daily, context, daily, interval))
            )
        )
        for task_factory in d.extra_tasks:
            self._tasks.append(
                asyncio.create_task(
                    self._supervise("task", functools.partial(task_factory, context))
                )
            )
        http_app = d.http_factory(self.context)
        add_platform_routes(
            http_app,
            self.readiness,
            d.name,
            metrics=self.metrics,
            max_body_bytes=settings.http_max_body_bytes,
            stall=self.stall_watch.check,
        )
        await self.http.start(http_app)

    async def _start_consumer(self) -> None:
        """A faststream broker (client) with the service's consumer group, started."""
        d = self.definition
        settings = d.settings
        self._broker = make_broker(settings, self.bootstrap_servers, client_id=d.name)
        if self.inbox is not None:
            subscribe_inbox(
                self._broker,
                self.inbox,
                topics=[settings.topic(t) for t in d.consumes],
                group_id=f"{settings.topic_prefix}ssp-{d.name}",
                fetch_max_wait_ms=settings.fetch_max_wait_ms,
                session_timeout_ms=settings.kafka_session_timeout_ms,
            )
        await self._broker.start()

    async def _bounded(self, step: str, awaitable: Awaitable[Any], seconds: float = 15) -> None:
        try:
            await within(awaitable, seconds)
        except TimeoutError:
            log.error("%s: stopping its %s took over %.0f s; going on", self.name, step, seconds)

    async def _stop_consumer(self) -> None:
        if self._broker is None:
            return
        broker, self._broker = self._broker, None
        # Leaving a group whose coordinator is gone can wait for request timeouts: bounded.
        with contextlib.suppress(Exception):
            await within(broker.stop(), 5)

    def _start_relay(self) -> None:
        self._relay_task = asyncio.create_task(self._supervise("relay", self._run_relay))

    async def _stop_relay(self) -> None:
        if self._relay_task is not None:
            self._relay_task.cancel()
            await asyncio.gather(self._relay_task, return_exceptions=True)
            self._relay_task = None

    async def _run_relay(self) -> None:
        """The relay runs while this process holds the service's relay lock: one relay per
        service however many replicas run (shared/messaging/leader.py)."""
        assert self.relay is not None
        await run_while_leading(relay_lock(self.definition.settings, self.name), self.relay.run)

    async def _sample_lag(self, interval_s: float = 5.0) -> None:
        """The relay's lag, sampled: stored notifications it has not yet passed (by the
        replica whose relay runs; the others report none)."""
        assert self.context is not None and self.relay is not None
        while True:
            if self.relay.running:
                newest = await self.context.in_store(self.context.app.recorder.max_notification_id)
                self.metrics.relay_lag.set(max(0, (newest or 0) - self.relay.published_position))
            await asyncio.sleep(interval_s)

    async def _follow_erasures(self) -> None:
        """Reads the erasures another replica of this service recorded (only one replica of
        the consumer group consumes a `PersonErased`), so this one's HTTP reads and consumers
        withhold the person too (shared/eventstore/erasure.py)."""
        assert self.context is not None
        interval = self.definition.settings.erasure_refresh_interval_s
        while True:
            await asyncio.sleep(interval)
            await self.context.in_store(self.context.app.erased_persons.refresh)

    async def _watch_store(self) -> None:
        """Looks at the store thread every few seconds, so a stall is logged even where
        nothing asks `/healthz` (`ssp up`)."""
        while True:
            await asyncio.sleep(min(10.0, self.definition.settings.store_stall_s / 10))
            self.stall_watch.check()

    async def _watch(self) -> None:
        """Notices a broker that lost this service's topics and recovers without a restart.

        Every second one metadata request: a cluster id other than the one first seen means a
        new cluster (an embedded broker restarted empty, whose id changes at each start), and
        a missing topic of this service means the broker lost it. Either way the service stops
        its relay (nothing more goes to a broker that lacks the topics), re-creates its topics,
        starts a new consumer (a new member of its group, reading from the committed offsets,
        which on a new cluster means from the start: tracking drops what it has processed),
        and starts the relay again, which republishes everything from the first event when the
        cluster is new, and otherwise when all of its output topics are empty."""
        known: str | None = None
        own = topic_partitions([self.definition])
        while True:
            await asyncio.sleep(self.broker_watch_interval_s)
            state = await cluster_state(self.bootstrap_servers, security=self._security)
            if state is None:
                continue  # unreachable: the clients retry; the next answer decides
            if known is None:
                known = state.cluster_id
            replaced = state.cluster_id is not None and state.cluster_id != known
            missing = sorted(set(own) - state.topics)
            if replaced or missing:
                await self._recover(state, replaced, missing, own)
                known = state.cluster_id

    async def _recover(
        self, state: ClusterState, replaced: bool, missing: list[str], own: dict[str, int]
    ) -> None:
        log.warning(
            "%s: %s; re-creating its topics, re-joining its consumer group%s",
            self.name,
            f"the broker is a new cluster ({state.cluster_id})"
            if replaced
            else f"the broker lacks {len(missing)} of its topics",
            " and republishing its outbox from the start" if replaced else "",
        )
        await self._stop_relay()
        await self._stop_consumer()
        settings = self.definition.settings
        await ensure_topics(
            self.bootstrap_servers,
            own,
            replication_factor=settings.kafka_replication_factor,
            security=self._security,
            configs=topic_configs([self.definition]),
        )
        await self._start_consumer()
        if replaced and self.relay is not None:
            self.relay.republish_from_start()
        self._start_relay()
        self.recoveries += 1
        log.warning("%s: recovered on the broker %s", self.name, self.bootstrap_servers)

    async def _supervise(self, what: str, run: Callable[[], Any]) -> None:
        """Background loops restart after a failure (e.g. the database was briefly away)."""
        while True:
            try:
                await run()
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s %s failed; restarting in 1 s", self.name, what)
                await asyncio.sleep(1.0)

    @property
    def http_url(self) -> str:
        return self.http.url

    async def readiness(self) -> dict[str, bool]:
        store_ok = False
        if self.context is not None and self.app is not None:
            try:
                await self.context.in_store(self.app.recorder.max_notification_id)
                store_ok = True
            except Exception:
                store_ok = False
        broker_ok = await broker_reachable(self.bootstrap_servers, security=self._security)
        return {"broker": broker_ok, "store": store_ok}

    async def stop(self) -> None:
        """Each step is bounded: a stop never hangs on one (a CI run once waited 300 s in a
        service's stop); a step that runs out of time is logged by name and the stop goes on."""
        self.http.request_exit()
        for task in self._tasks:
            task.cancel()
        await self._bounded(
            "background tasks", asyncio.gather(*self._tasks, return_exceptions=True)
        )
        await self._bounded("relay", self._stop_relay())
        await self._bounded("HTTP server", self.http.stopped())
        if self._producer is not None:
            await self._bounded("producer", self._producer.stop())
        await self._stop_consumer()
        loop = asyncio.get_running_loop()
        for release in self.definition.on_stop:
            with contextlib.suppress(Exception):
                await loop.run_in_executor(self.executor, release)
        if self.app is not None:
            await loop.run_in_executor(self.executor, self.app.close)
        if self._opened_keyring is not None:
            await loop.run_in_executor(self.executor, self._opened_keyring.close)
        self.executor.shutdown(wait=True)
        self.metrics.shutdown()
