"""Helpers the tests share: a service wired to an in-memory store and faststream's
TestKafkaBroker, and example documents."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import uvicorn
from faststream.kafka import KafkaBroker, TestKafkaBroker

from shared.auth import DEFAULT_SCOPES, AuthSettings, Role, mint_development_token
from shared.eventstore.application import ServiceApplication
from shared.messaging.dead_letters import DeadLetter, for_publication
from shared.messaging.inbox import InboxRuntime, subscribe_inbox
from shared.runtime import ServiceDefinition

FAST_GROUPS_ENV = {"SSP_KAFKA_SESSION_TIMEOUT_MS": "6000"}
"""The environment of a platform a test starts: a 6 s consumer-group session instead of 10 s.
On Tansu a join waits about half the session timeout and a re-join after a restart or a
`kill -9` about all of it more (3 s and 11 s instead of 5 s and 18 s); the services' event
loops answer heartbeats (every 2 s) well within it, also on a loaded machine."""

EXAMPLES = Path(__file__).resolve().parents[1] / "samples" / "incidents"


def example(name: str) -> dict[str, Any]:
    return dict(json.loads((EXAMPLES / name).read_text()))


def outbox(app: ServiceApplication, publications: Any) -> list[Any]:
    """Everything the service's relay would publish, in order (a sealed dead letter opened,
    as the relay opens it)."""
    messages = []
    for notification in app.recorder.select_notifications(start=None, limit=10_000):
        event = app.mapper.to_domain_event(notification)
        if isinstance(event, DeadLetter.Recorded):
            event = for_publication(event, app.keyring)
        messages.extend(publications(event))
    return messages


@dataclass
class InboxHarness:
    app: ServiceApplication
    runtime: InboxRuntime
    broker: KafkaBroker

    async def publish(
        self,
        value: bytes | dict[str, Any],
        topic: str,
        key: str = "k",
        headers: dict[str, str] | None = None,
    ) -> None:
        body = value if isinstance(value, bytes) else json.dumps(value).encode()
        await self.broker.publish(body, topic=topic, key=key.encode(), headers=headers or {})


@asynccontextmanager
async def inbox_harness(definition: ServiceDefinition) -> AsyncIterator[InboxHarness]:
    """The service's real handler behind its real inbox runtime, on TestKafkaBroker."""
    executor = ThreadPoolExecutor(max_workers=1)
    loop = asyncio.get_running_loop()
    app = await loop.run_in_executor(executor, definition.app_factory)
    assert definition.handler_factory is not None
    runtime = InboxRuntime(
        service=definition.name,
        app=app,
        handler=definition.handler_factory(app),
        executor=executor,
        max_attempts=2,
        retry_backoff_s=0.0,
        publish_original_on_dead_letter=definition.publish_original_on_dead_letter,
        max_message_bytes=(
            None
            if definition.rejects_oversized_input
            else definition.settings.kafka_max_message_bytes
        ),
    )
    broker = KafkaBroker("localhost:9092")
    subscribe_inbox(
        broker,
        runtime,
        topics=[definition.settings.topic(t) for t in definition.consumes],
        group_id=definition.name,
        fetch_max_wait_ms=10,
    )
    async with TestKafkaBroker(broker) as test_broker:
        yield InboxHarness(app, runtime, test_broker)
    executor.shutdown()


def topics_of(messages: Sequence[Any]) -> list[str]:
    return [m.topic for m in messages]


def bearer(
    settings: AuthSettings,
    role: str,
    municipalities: Sequence[str] = ("607",),
    *,
    schools: Sequence[str] = (),
    purpose: str = "a test of the service",
) -> dict[str, str]:
    """Headers of a caller with a development token of `role` (signed with the key the
    service built from the same settings verifies), and a stated purpose."""
    token = mint_development_token(
        settings,
        role=role,
        municipalities=municipalities,
        schools=schools,
        scopes=DEFAULT_SCOPES.get(Role(role), frozenset()),
        subject=f"test-{role}",
    )
    return {"Authorization": f"Bearer {token}", "X-Purpose": purpose}


@contextmanager
def serving(api: Any) -> Iterator[str]:
    """A service's real HTTP app on an ephemeral loopback port (uvicorn in a thread), for a
    command of `ssp` to call; its address."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(api, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            threading.Event().wait(0.01)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join()


def raw_store_bytes(database_url: str | None, data_dir: Path) -> bytes:
    """The raw bytes of every SQLite file in `data_dir` (no `database_url`), or of every row of
    every table of the PostgreSQL database: what a scan for personal data reads."""
    if not database_url:
        return b"".join(p.read_bytes() for p in sorted(data_dir.glob("*.sqlite*")))
    found: list[bytes] = []
    with psycopg.connect(database_url) as conn:
        names = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
        for (name,) in names:
            for row in conn.execute(f'SELECT * FROM "{name}"'):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        found.append(bytes(value))
                    elif value is not None:
                        found.append(str(value).encode())
    return b"\n".join(found)


async def stops_when_cancelled_as_woken(
    running: asyncio.Task[Any], wake: Callable[[], None], turns: int
) -> bool:
    """Whether the waiting loop `running` ends when it is cancelled `turns` turns of the event
    loop after `wake()` woke it: `asyncio.wait_for` on Python 3.11 swallowed such a cancel
    (cpython issue 86296) and the loop ran on (shared/waiting.py)."""
    wake()
    for _ in range(turns):
        await asyncio.sleep(0)
    running.cancel()
    done, _ = await asyncio.wait({running}, timeout=2)
    return running in done and running.cancelled()
