"""Kafka administration helpers: topic creation and broker reachability.

Works against real Kafka and the embedded Tansu broker. Deliberately avoids counting with
offsets/watermarks (Tansu's ListOffsets reports one per record batch, not per record): they are
read only to tell an empty topic (0) from one holding messages. Avoids metadata requests naming
topics (they can auto-create topics on Kafka); topic existence is read from an all-topics
metadata request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.conn import AIOKafkaConnection, collect_hosts
from aiokafka.errors import (
    KafkaConnectionError,
    KafkaError,
    TopicAlreadyExistsError,
    for_code,
)
from aiokafka.protocol.metadata import MetadataRequest

from shared.messaging.security import PLAINTEXT, KafkaSecurity
from shared.waiting import within

log = logging.getLogger(__name__)

__all__ = [
    "ClusterState",
    "broker_reachable",
    "cluster_state",
    "ensure_topics",
    "topics_empty",
    "wait_for_broker",
]

_CLIENT_ID = "ssp-admin"
_TOPIC_ALREADY_EXISTS = TopicAlreadyExistsError.errno
_BACKOFF_START_S = 0.1
_BACKOFF_MAX_S = 2.0


# --------------------------------------------------------------------------------------------
# reachability


async def _all_topics_metadata(
    host: str, port: int, timeout_s: float, security: KafkaSecurity
) -> Any | None:
    """Open one connection, do ApiVersions + an all-topics Metadata request, always close;
    the response, or None when the server did not answer within ``timeout_s``."""
    conn = AIOKafkaConnection(
        host,
        port,
        client_id=_CLIENT_ID,
        request_timeout_ms=max(1, int(timeout_s * 1000)),
        **security.client_kwargs(),
    )
    try:
        async with asyncio.timeout(timeout_s):
            await conn.connect()
            return await conn.send(MetadataRequest([]))
    except (OSError, KafkaError, TimeoutError):
        return None
    finally:
        closed = conn.close()
        if closed is not None:
            # Let the transport finish closing so no socket outlives the request.
            with contextlib.suppress(Exception):
                await within(asyncio.shield(closed), 1.0)


async def _probe_host(
    host: str, port: int, timeout_s: float, security: KafkaSecurity = PLAINTEXT
) -> bool:
    response = await _all_topics_metadata(host, port, timeout_s, security)
    return response is not None and len(getattr(response, "brokers", ())) > 0


async def broker_reachable(
    bootstrap_servers: str, timeout_s: float = 2.0, *, security: KafkaSecurity = PLAINTEXT
) -> bool:
    """True when some bootstrap server answers a Kafka metadata request within ``timeout_s``.

    Opens at most one connection per bootstrap server and always closes it (readiness probes).
    """
    hosts = [(h, p) for h, p, _afi in collect_hosts(bootstrap_servers, randomize=False)]
    if not hosts:
        return False
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    for host, port in hosts:
        remaining = deadline - loop.time()
        if remaining <= 0:
            break
        if await _probe_host(host, port, remaining, security):
            return True
    return False


@dataclass(frozen=True)
class ClusterState:
    """What one metadata request tells about the cluster: its id (a new broker or cluster
    has a new one; the embedded broker gets a fresh id at each start) and its topics."""

    cluster_id: str | None
    topics: frozenset[str]


async def cluster_state(
    bootstrap_servers: str, timeout_s: float = 2.0, *, security: KafkaSecurity = PLAINTEXT
) -> ClusterState | None:
    """The cluster's id and topic names from the first bootstrap server that answers an
    all-topics metadata request within ``timeout_s``; None when none does. One connection,
    always closed."""
    for host, port, _afi in collect_hosts(bootstrap_servers, randomize=False):
        response = await _all_topics_metadata(host, port, timeout_s, security)
        if response is None:
            continue
        topics = frozenset(
            str(entry[1]) for entry in getattr(response, "topics", ()) if entry[0] == 0
        )
        cluster_id = getattr(response, "cluster_id", None)
        return ClusterState(str(cluster_id) if cluster_id else None, topics)
    return None


async def wait_for_broker(
    bootstrap_servers: str, timeout_s: float, *, security: KafkaSecurity = PLAINTEXT
) -> None:
    """Wait until :func:`broker_reachable`; raise :class:`TimeoutError` after ``timeout_s``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    backoff = _BACKOFF_START_S
    while True:
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise TimeoutError(f"Kafka broker {bootstrap_servers} not reachable in {timeout_s}s")
        if await broker_reachable(bootstrap_servers, min(5.0, remaining), security=security):
            return
        await asyncio.sleep(min(backoff, max(0.0, deadline - loop.time())))
        backoff = min(backoff * 2, _BACKOFF_MAX_S)


# --------------------------------------------------------------------------------------------
# topics


class _Retry(Exception):
    """A retriable condition inside one ensure_topics attempt."""


def _topic_error_fields(entry: Any) -> tuple[str, int, str | None]:
    # CreateTopicsResponse v0: (topic, error_code); v1+: (topic, error_code, error_message)
    name, code = str(entry[0]), int(entry[1])
    message = entry[2] if len(entry) > 2 else None
    return name, code, message


async def _existing_topics(admin: AIOKafkaAdminClient) -> dict[str, int]:
    """Topic name -> partition count, from an all-topics metadata request."""
    described: Iterable[Mapping[str, Any]] = await admin.describe_topics()
    existing: dict[str, int] = {}
    for t in described:
        if t.get("error_code", 0) == 0:
            existing[str(t["topic"])] = len(t.get("partitions") or ())
    return existing


def _warn_fewer_partitions(
    existing: Mapping[str, int], wanted: Mapping[str, int], warned: set[str]
) -> None:
    for name, want in wanted.items():
        have = existing.get(name)
        if have is not None and have < want and name not in warned:
            warned.add(name)
            log.warning(
                "topic %r exists with %d partition(s), fewer than the %d requested; left as is",
                name,
                have,
                want,
            )


async def _ensure_once(
    admin: AIOKafkaAdminClient,
    topics: Mapping[str, int],
    replication_factor: int,
    request_timeout_ms: int,
    created: set[str],
    warned: set[str],
    configs: Mapping[str, Mapping[str, str]],
) -> None:
    existing = await _existing_topics(admin)
    missing = {name: n for name, n in topics.items() if name not in existing}
    _warn_fewer_partitions(existing, {n: p for n, p in topics.items() if n not in created}, warned)
    if not missing:
        return
    response = await admin.create_topics(
        [
            NewTopic(name, n, replication_factor, topic_configs=dict(configs.get(name, {})))
            for name, n in sorted(missing.items())
        ],
        timeout_ms=request_timeout_ms,
    )
    retry: list[str] = []
    for entry in response.topic_errors:
        name, code, message = _topic_error_fields(entry)
        if code == 0:
            created.add(name)
            log.info("created topic %r (%d partitions)", name, missing.get(name, -1))
        elif code == _TOPIC_ALREADY_EXISTS:
            # Another service created it concurrently (or metadata was stale): fine.
            log.debug("topic %r already exists", name)
        else:
            err_cls = for_code(code)
            if getattr(err_cls, "retriable", False):
                retry.append(f"{name}: {err_cls.__name__}")
            else:
                raise err_cls(f"could not create topic {name!r}: {message or err_cls.__name__}")
    if retry:
        raise _Retry(", ".join(retry))


async def _await_visible(admin: AIOKafkaAdminClient, names: set[str]) -> None:
    """Raise _Retry until every topic in ``names`` shows up in metadata."""
    if not names:
        return
    existing = await _existing_topics(admin)
    absent = sorted(n for n in names if n not in existing)
    if absent:
        raise _Retry(f"topics not yet in metadata: {absent}")


def _validate(topics: Mapping[str, int], replication_factor: int) -> None:
    for name, partitions in topics.items():
        if not name or not isinstance(name, str):
            raise ValueError(f"invalid topic name {name!r}")
        if int(partitions) < 1:
            raise ValueError(f"topic {name!r}: partitions must be >= 1, got {partitions}")
    if replication_factor < 1:
        raise ValueError(f"replication_factor must be >= 1, got {replication_factor}")


async def ensure_topics(
    bootstrap_servers: str,
    topics: Mapping[str, int],
    *,
    replication_factor: int = 1,
    timeout_s: float = 30,
    security: KafkaSecurity = PLAINTEXT,
    configs: Mapping[str, Mapping[str, str]] | None = None,
) -> set[str]:
    """Create the missing topics of ``topics`` (name -> partitions); return the names created.

    ``configs`` gives topic configuration by name (e.g. ``retention.ms``), applied when a topic
    is created; a topic that exists keeps its own.

    Topics that already exist are left untouched (a warning is logged when they have fewer
    partitions than requested). Safe to run concurrently from several services: a topic created
    by someone else in between counts as existing. Connection errors and retriable broker errors
    are retried until ``timeout_s``, then :class:`TimeoutError` is raised.
    """
    _validate(topics, replication_factor)
    created: set[str] = set()
    warned: set[str] = set()
    if not topics:
        return created
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    request_timeout_ms = max(1000, min(30_000, int(timeout_s * 1000)))
    backoff = _BACKOFF_START_S
    last_error: BaseException | None = None
    while True:
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise TimeoutError(
                f"could not ensure topics {sorted(topics)} on {bootstrap_servers} within "
                f"{timeout_s}s (created so far: {sorted(created)}); last error: {last_error!r}"
            ) from last_error
        # Probe first: aiokafka's bootstrap logs an ERROR per failed attempt while the broker
        # is still starting.
        if not await broker_reachable(bootstrap_servers, min(5.0, remaining), security=security):
            last_error = KafkaConnectionError(f"{bootstrap_servers} not reachable")
            await asyncio.sleep(min(backoff, max(0.0, deadline - loop.time())))
            backoff = min(backoff * 2, _BACKOFF_MAX_S)
            continue
        remaining = deadline - loop.time()
        admin = AIOKafkaAdminClient(
            bootstrap_servers=bootstrap_servers,
            client_id=_CLIENT_ID,
            request_timeout_ms=request_timeout_ms,
            **security.client_kwargs(),
        )
        try:
            async with asyncio.timeout(remaining):
                await admin.start()
                await _ensure_once(
                    admin,
                    topics,
                    replication_factor,
                    request_timeout_ms,
                    created,
                    warned,
                    configs or {},
                )
                await _await_visible(admin, set(topics))
            return created
        except _Retry as exc:
            last_error = exc
        except KafkaError as exc:
            if not (isinstance(exc, KafkaConnectionError) or getattr(exc, "retriable", False)):
                raise
            last_error = exc
        except (OSError, TimeoutError) as exc:
            last_error = exc
        finally:
            with contextlib.suppress(Exception):
                await admin.close()
        log.debug("ensure_topics retrying after %r", last_error)
        await asyncio.sleep(min(backoff, max(0.0, deadline - loop.time())))
        backoff = min(backoff * 2, _BACKOFF_MAX_S)


# --------------------------------------------------------------------------------------------
# emptiness


async def topics_empty(
    bootstrap_servers: str, topics: Iterable[str], *, security: KafkaSecurity = PLAINTEXT
) -> bool:
    """True when no partition of ``topics`` holds a message (a topic that does not exist counts
    as empty): the end offset of every partition is 0. End offsets never go back on a broker
    that keeps its log (retention moves the start, not the end), so an empty output topic of a
    service that has published before means the broker lost it (Tansu keeps only memory)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        client_id=_CLIENT_ID,
        enable_auto_commit=False,
        **security.client_kwargs(),
    )
    await consumer.start()
    try:
        # The consumer's bootstrap read every topic's metadata: no request names a topic.
        partitions = [
            TopicPartition(topic, partition)
            for topic in sorted(set(topics))
            for partition in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        if not partitions:
            return True
        ends = await consumer.end_offsets(partitions)
        return all(offset == 0 for offset in ends.values())
    finally:
        await consumer.stop()
