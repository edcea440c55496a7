"""Runs services in this process: all of them (`ssp up`) or one (`ssp run <service>`),
on the configured Kafka cluster or on an embedded Tansu broker started for the purpose."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from shared.files import private_directory
from shared.messaging.admin import ensure_topics
from shared.runtime import RunningService, ServiceDefinition, topic_partitions
from shared.settings import PlatformSettings
from shared.telemetry import configure_logging, tracer_provider
from shared.webapp import RunningWebService, WebServiceDefinition
from ssp_platform.broker import BrokerStartError, EmbeddedBroker
from ssp_platform.registry import definition_factory

log = logging.getLogger("ssp")


@dataclass
class Platform:
    services: list[RunningService | RunningWebService] = field(default_factory=list)
    broker: EmbeddedBroker | None = None
    bootstrap_servers: str = ""


async def start_platform(
    names: Sequence[str], settings: PlatformSettings | None = None
) -> Platform:
    settings = settings or PlatformSettings()
    configure_logging(settings.log_level)
    tracer_provider(settings.otlp_endpoint)
    platform = Platform()
    built = [definition_factory(name)() for name in names]
    definitions: list[ServiceDefinition] = [d for d in built if isinstance(d, ServiceDefinition)]
    web_only = [d for d in built if isinstance(d, WebServiceDefinition)]
    bootstrap = settings.kafka_bootstrap_servers
    if not bootstrap and definitions:
        data_dir = private_directory(Path(settings.data_dir))
        platform.broker = EmbeddedBroker(log_path=data_dir / "tansu.log")
        bootstrap = await asyncio.to_thread(platform.broker.start)
    platform.bootstrap_servers = bootstrap or ""
    if definitions:
        await ensure_topics(
            platform.bootstrap_servers,
            topic_partitions(definitions),
            replication_factor=settings.kafka_replication_factor,
        )
    backends = [RunningService(d, platform.bootstrap_servers) for d in definitions]
    platform.services = list(backends)
    # Started together: each consumer-group join takes seconds on Tansu, and the groups are
    # independent, so joining one after another only adds up the waits. Each relay republishes
    # from the start if the broker lost what it published (Tansu keeps only memory).
    outcomes = await asyncio.gather(
        *(running.start() for running in backends), return_exceptions=True
    )
    failures = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    if not failures:
        # Web-only services (the console) last: they learn where the others actually listen.
        bound = {running.name: running.http_url for running in backends}
        for web in web_only:
            web.service_urls.update(bound)
            running_web = RunningWebService(web)
            platform.services.append(running_web)
            try:
                await running_web.start()
            except Exception as exc:
                failures.append(exc)
                break
    if failures:
        # Nothing half-started is left behind: the other services and the embedded broker.
        await stop_platform(platform)
        raise failures[0]
    return platform


async def stop_platform(platform: Platform) -> None:
    for running in reversed(platform.services):
        with suppress(Exception):
            await running.stop()
    if platform.broker is not None:
        await asyncio.to_thread(platform.broker.stop)


async def supervise_broker(platform: Platform, check_every_s: float = 1.0) -> None:
    """Keeps `ssp up`'s embedded broker running: when it exits, a new one starts on the same
    address. It is empty (memory only) and has a new cluster id; each service notices that by
    itself and recovers (re-creates its topics, re-joins, republishes its outbox)."""
    while platform.broker is not None:
        await asyncio.sleep(check_every_s)
        broker = platform.broker
        if broker.running:
            continue
        log.error(
            "the embedded broker on %s exited; starting a new one on the same address",
            broker.bootstrap_servers,
        )
        replacement = EmbeddedBroker(port=broker.port, log_path=broker.log_path)
        try:
            await asyncio.to_thread(replacement.start)
        except BrokerStartError as exc:
            log.error("the embedded broker could not be started again (%s); retrying", exc)
            continue
        platform.broker = replacement


def describe(platform: Platform) -> str:
    lines = [
        f"Kafka bootstrap servers: {platform.bootstrap_servers}"
        + ("  (embedded Tansu broker, memory only)" if platform.broker else "")
    ]
    for running in platform.services:
        if isinstance(running, RunningWebService):
            lines.append(
                f"  {running.name:<14} {running.http_url}  {running.definition.description}"
            )
        else:
            lines.append(f"  {running.name:<14} {running.http_url}  (/healthz, /readyz, /docs)")
    return "\n".join(lines)


def tune_garbage_collection(young_threshold: int) -> None:
    """Fewer garbage collections for a long-running service.

    What start-up built (modules, models, schemas, profiles) lives as long as the process;
    frozen, collections stop scanning it. A service allocates hundreds of container objects per
    message (events, models, spans), so with Python's young threshold of 700 a batch triggered
    dozens of collections, and every tenth of those scanned the older generation too. Measured
    with `bench.pipeline --set SSP_GC_YOUNG_THRESHOLD=0`: ≈ 18 % of the CPU per incident."""
    if young_threshold <= 0:
        return
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(young_threshold, middle, old)


async def serve(names: Sequence[str]) -> None:
    platform = await start_platform(names)
    tune_garbage_collection(PlatformSettings().gc_young_threshold)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(describe(platform), flush=True)
    print("Platform is up. Ctrl-C stops it.", flush=True)
    broker_supervisor = asyncio.create_task(supervise_broker(platform))
    try:
        await stop.wait()
    finally:
        broker_supervisor.cancel()
        await asyncio.gather(broker_supervisor, return_exceptions=True)
        print("Stopping…", flush=True)
        await stop_platform(platform)
        print("Stopped.", flush=True)
