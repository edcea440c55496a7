"""The HTTP server a running service embeds: uvicorn on the process's event loop.

`ssp up` runs several services in one process, so several servers share one loop and the
process, not uvicorn, owns the signals."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import uvicorn
from fastapi import FastAPI

GRACEFUL_SHUTDOWN_S = 5


class _EmbeddedServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class EmbeddedHttpServer:
    """One service's HTTP server: started on the running loop, stopped with the service."""

    def __init__(self, name: str, host: str, port: int) -> None:
        self.name = name
        self.host = host
        self.port = port
        self._server: _EmbeddedServer | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self, app: FastAPI) -> None:
        """Serve `app`; returns once the server listens (raises when it cannot start)."""
        # A stop waits at most GRACEFUL_SHUTDOWN_S for requests in flight, then cancels them:
        # without a bound, one request that never finishes keeps the service from stopping.
        config = uvicorn.Config(
            app,
            host=self.host,
            port=self.port,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        )
        self._server = _EmbeddedServer(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                self._task.result()
                raise RuntimeError(f"{self.name}: HTTP server did not start")
            await asyncio.sleep(0.02)

    @property
    def started(self) -> bool:
        return self._server is not None and self._server.started

    @property
    def url(self) -> str:
        """Where it listens: the bound address (an ephemeral port resolved), else the
        configured one."""
        assert self._server is not None
        for server in self._server.servers:
            for sock in server.sockets:
                host, port = sock.getsockname()[:2]
                return f"http://{host}:{port}"
        return f"http://{self.host}:{self.port}"

    def request_exit(self) -> None:
        if self._server is not None:
            self._server.should_exit = True

    async def stopped(self) -> None:
        """Wait for the server to finish (after `request_exit`)."""
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
