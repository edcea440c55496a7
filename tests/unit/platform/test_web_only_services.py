"""A web-only service (the console) under the platform runner: `ssp run console` starts no
broker and no store, and `ssp up` tells it where the other services actually listen."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from shared.settings import PlatformSettings
from shared.webapp import RunningWebService, WebServiceDefinition
from ssp_platform.platform import describe, start_platform, stop_platform


def test_the_console_alone_starts_without_a_broker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CONSOLE_HTTP_PORT", "0")
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)

    async def run() -> tuple[str, int, int]:
        platform = await start_platform(["console"], PlatformSettings())
        try:
            [console] = platform.services
            assert platform.broker is None and platform.bootstrap_servers == ""
            async with httpx.AsyncClient(base_url=console.http_url) as client:
                login = await client.get("/login")
                ready = await client.get("/readyz")
            return describe(platform), login.status_code, ready.status_code
        finally:
            await stop_platform(platform)

    described, login, ready = asyncio.run(run())
    assert login == 200 and ready == 200
    assert "console" in described and "open it in a browser" in described
    assert "embedded Tansu broker" not in described


def test_a_web_service_is_built_with_the_addresses_it_is_given() -> None:
    seen: dict[str, str] = {}

    def build(urls: dict[str, str]) -> FastAPI:
        seen.update(urls)
        return FastAPI()

    definition = WebServiceDefinition(
        name="console",
        settings=PlatformSettings(),
        http_factory=build,
        service_urls={"reporting": "http://127.0.0.1:8084"},
    )
    definition.service_urls.update({"reporting": "http://127.0.0.1:40001"})

    async def run() -> None:
        running = RunningWebService(definition)
        await running.start()
        try:
            assert running.http_url.startswith("http://127.0.0.1:")
        finally:
            await running.stop()

    asyncio.run(run())
    assert seen == {"reporting": "http://127.0.0.1:40001"}
