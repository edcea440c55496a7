"""Runs a service that is only a web application: no event store, no Kafka inbox or relay (the
console, which calls the other services' HTTP APIs with the user's own token).

`ssp up` starts such services after the others and tells them where the others actually
listen (`service_urls`), so ephemeral ports work as well as the configured ones."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import FastAPI

from shared.http import add_platform_routes
from shared.http_server import EmbeddedHttpServer
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
        self.http = EmbeddedHttpServer(definition.name, definition.http_host, definition.http_port)

    @property
    def name(self) -> str:
        return self.definition.name

    async def start(self) -> None:
        d = self.definition
        http_app = d.http_factory(dict(d.service_urls))
        add_platform_routes(http_app, self.readiness, d.name)
        await self.http.start(http_app)

    @property
    def http_url(self) -> str:
        return self.http.url

    async def readiness(self) -> dict[str, bool]:
        return {"http": self.http.started}

    async def stop(self) -> None:
        self.http.request_exit()
        await self.http.stopped()
