"""Runs a service that is only a web application: no event store, no Kafka inbox or relay (the
console, which calls the other services' HTTP APIs with the user's own token).

`ssp up` starts such services after the others and tells them where the others actually
listen (`service_urls`), so ephemeral ports work as well as the configured ones."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import FastAPI

from shared.http import add_platform_routes
from shared.runtime import _EmbeddedServer
from shared.settings import PlatformSettings


@dataclass
class WebServiceDefinition:
    name: str
    settings: PlatformSettings
    http_factory: Callable[[dict[str, str]], FastAPI]
    """Builds the app from the other services' base URLs (service name -> `http://host:port`)."""
    http_host: str = "127.0.0.1"
    http_port: int = 0
    service_urls: dict[str, str] = field(default_factory=dict)
    """Where the other services listen: the settings' URLs, overridden by `ssp up` with the
    addresses the services it started actually bound."""
    consumes: tuple[str, ...] = ()
    produces: tuple[str, ...] = ()
    description: str = "(open in a browser)"


class RunningWebService:
    def __init__(self, definition: WebServiceDefinition) -> None:
        self.definition = definition
        self._server: _EmbeddedServer | None = None
        self._server_task: asyncio.Task[None] | None = None

    @property
    def name(self) -> str:
        return self.definition.name

    async def start(self) -> None:
        import uvicorn

        d = self.definition
        http_app = d.http_factory(dict(d.service_urls))
        add_platform_routes(http_app, self.readiness, d.name)
        config = uvicorn.Config(
            http_app, host=d.http_host, port=d.http_port, log_level="warning", lifespan="off"
        )
        self._server = _EmbeddedServer(config)
        self._server_task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._server_task.done():
                self._server_task.result()
                raise RuntimeError(f"{d.name}: HTTP server did not start")
            await asyncio.sleep(0.02)

    @property
    def http_url(self) -> str:
        assert self._server is not None
        for server in self._server.servers:
            for sock in server.sockets:
                host, port = sock.getsockname()[:2]
                return f"http://{host}:{port}"
        return f"http://{self.definition.http_host}:{self.definition.http_port}"

    async def readiness(self) -> dict[str, bool]:
        return {"http": self._server is not None and self._server.started}

    async def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._server_task is not None:
            await asyncio.gather(self._server_task, return_exceptions=True)
