"""Wires the console: settings → the other services' addresses → the web app. It has no event
store and no Kafka: `ssp up` starts it after the others and tells it where they listen."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from services.console.adapters.platform_api import PlatformApi
from services.console.entrypoints.http import create_http_app
from services.console.settings import ConsoleSettings
from shared.webapp import WebServiceDefinition

NAME = "console"


def configured_urls(settings: ConsoleSettings) -> dict[str, str]:
    return {
        "intake": settings.intake_url,
        "triage": settings.triage_url,
        "notifications": settings.notifications_url,
        "reporting": settings.reporting_url,
        "courses": settings.courses_url,
    }


def build_app(settings: ConsoleSettings, urls: dict[str, str]) -> FastAPI:
    client = httpx.AsyncClient(timeout=settings.api_timeout_seconds)
    return create_http_app(settings, PlatformApi({**configured_urls(settings), **urls}, client))


def definition(settings: ConsoleSettings | None = None) -> WebServiceDefinition:
    settings = settings or ConsoleSettings()
    return WebServiceDefinition(
        name=NAME,
        settings=settings,
        http_factory=lambda urls: build_app(settings, urls),
        http_host=settings.http_host,
        http_port=settings.http_port,
        service_urls=configured_urls(settings),
        description="(open it in a browser: the people's console)",
    )
