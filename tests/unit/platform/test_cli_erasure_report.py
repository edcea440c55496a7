"""`ssp erasure-report` (issue 18, part 5) asks every service: intake's persons and rejected
input, and each service's dead letters, counts only; a service it cannot reach is named."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from ssp_platform.cli import app

ROWS = {
    "intake": [{"kind": "person", "month": "2026-12", "reason": "request", "count": 2}],
    "triage": [
        {"kind": "dead_letter", "month": "2026-12", "reason": "retention_deadline", "count": 3}
    ],
}


def answering(down: set[str]) -> Any:
    def get(url: str, **_: Any) -> httpx.Response:
        service = url.split("//", 1)[1].split(".", 1)[0]
        if service in down:
            raise httpx.ConnectError("refused")
        body = {"service": service, "rows": ROWS.get(service, [])}
        return httpx.Response(200, json=body, request=httpx.Request("GET", url))

    return get


@pytest.fixture(autouse=True)
def urls(monkeypatch: pytest.MonkeyPatch) -> None:
    for service in ("intake", "triage", "notifications", "reporting", "courses"):
        monkeypatch.setenv(f"SSP_{service.upper()}_URL", f"http://{service}.test")


def test_the_report_lists_every_services_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(httpx, "get", answering(set()))
    result = CliRunner().invoke(app, ["erasure-report", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [
        {"service": "intake", **ROWS["intake"][0]},
        {"service": "triage", **ROWS["triage"][0]},
    ]


def test_a_service_not_reached_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(httpx, "get", answering({"courses"}))
    result = CliRunner().invoke(app, ["erasure-report"])
    assert result.exit_code == 1
    assert "dead_letter" in result.output and "Not reached" in result.output
    assert "courses" in result.output
