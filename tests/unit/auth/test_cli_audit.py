"""`ssp audit export` and `ssp audit search` against every service's real app in this process
(httpx's ASGI transport stands in for the network): who looked at a child, across services,
in time order, with refused attempts; a service that is down is named, not fatal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from ssp_platform import audit_cli
from ssp_platform.cli import app
from tests.unit.auth.support import (
    IN,
    JOURNAL_IN,
    PK_IN,
    SIGNING_KEY,
    WEEK,
    ServiceUnderTest,
    courses_under_test,
    headers,
    intake_under_test,
    mint,
    notifications_under_test,
    reporting_under_test,
    triage_under_test,
)

runner = CliRunner()


class Services(httpx.AsyncBaseTransport):
    """Routes `http://<service>/...` to that service's app; other hosts are unreachable."""

    def __init__(self, apps: dict[str, ServiceUnderTest]) -> None:
        self.apps = {name: httpx.ASGITransport(app=s.api) for name, s in apps.items()}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        target = self.apps.get(request.url.host)
        if target is None:
            raise httpx.ConnectError("connection refused", request=request)
        return await target.handle_async_request(request)


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ServiceUnderTest]]:
    with (
        intake_under_test(tmp_path_factory.mktemp("intake")) as intake,
        reporting_under_test(tmp_path_factory.mktemp("reporting")) as reporting,
        triage_under_test(tmp_path_factory.mktemp("triage")) as triage,
        notifications_under_test(tmp_path_factory.mktemp("notifications")) as notifications,
        courses_under_test(tmp_path_factory.mktemp("courses")) as courses,
    ):
        served = {
            "intake": intake,
            "reporting": reporting,
            "triage": triage,
            "notifications": notifications,
            "courses": courses,
        }
        # Who looks at the child PK_IN (in this order), and one who tries from elsewhere.
        reads = [
            ("intake", "POST", f"/v1/identities/{PK_IN}/resolve", "caseworker",
             {"json": {"purpose": "matching the person to a case"}}),
            ("triage", "GET", f"/v1/decisions/{JOURNAL_IN}", "team_leader", {}),
            ("triage", "GET", f"/v1/decisions/{JOURNAL_IN}", "tovholder@376", {}),
            ("notifications", "GET", f"/v1/letter-tasks?municipality_code={IN}", "tovholder", {}),
            ("reporting", "GET", f"/v1/handover/{IN}/{WEEK}", "school_representative", {}),
            ("courses", "GET", f"/v1/courses/{courses.records['course_in']}", "tovholder", {}),
        ]  # fmt: skip
        for name, method, path, who, extra in reads:
            role, _, municipality = who.partition("@")
            asked = headers(role, municipalities=[municipality or IN])
            served[name].client.request(method, path, headers=asked, **extra)
        yield served


@pytest.fixture
def network(
    services: dict[str, ServiceUnderTest], monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    monkeypatch.setattr(audit_cli, "transport", Services(services))
    env = {f"SSP_{name.upper()}_URL": f"http://{name}" for name in services}
    # The CLI mints its development auditor token with the key the services verify with.
    return {**env, "SSP_AUTH_SIGNING_KEY": SIGNING_KEY}


def _export(network: dict[str, str], *args: str, **env: str) -> dict[str, Any]:
    result = runner.invoke(app, ["audit", "export", PK_IN, "--json", *args], env={**network, **env})
    assert result.exit_code == 0, result.output
    body: dict[str, Any] = json.loads(result.stdout)
    return body


def test_export_answers_who_looked_at_the_child_across_services(network: dict[str, str]) -> None:
    body = _export(network)
    assert body["person_key"] == PK_IN
    assert body["services"] == dict.fromkeys(
        ("intake", "triage", "notifications", "reporting", "courses"), "ok"
    )
    entries = body["entries"]
    seen = [(e["service"], e["role"], e["result"]) for e in entries]
    assert seen[:6] == [
        ("intake", "caseworker", "allowed"),
        ("triage", "team_leader", "allowed"),
        ("triage", "tovholder", "denied"),
        ("notifications", "tovholder", "allowed"),
        ("reporting", "school_representative", "allowed"),
        ("courses", "tovholder", "allowed"),
    ]
    times = [datetime.fromisoformat(e["at"]) for e in entries]
    assert times == sorted(times)
    assert all(PK_IN in e["person_keys"] for e in entries)
    assert all(e["purpose"] for e in entries)  # why: every read stated its purpose
    assert entries[2]["reason"] == "outside_municipality"


def test_the_export_itself_is_recorded_in_every_service(
    network: dict[str, str], services: dict[str, ServiceUnderTest]
) -> None:
    counts = {name: s.audit_count() for name, s in services.items()}
    _export(network, "--purpose", "request from the parents")
    for name, s in services.items():
        assert s.audit_count() == counts[name] + 1
        [entry] = s.audit.search(limit=100_000)[-1:]
        assert (entry.role, entry.action, entry.purpose) == (
            "auditor",
            "audit_trail.export",
            "request from the parents",
        )


def test_a_service_that_is_down_is_named_and_the_others_still_answer(
    network: dict[str, str],
) -> None:
    body = _export(network, SSP_COURSES_URL="http://courses-is-down")
    assert body["services"]["courses"] == "unreachable"
    assert {e["service"] for e in body["entries"]} == {
        "intake",
        "triage",
        "notifications",
        "reporting",
    }


def test_only_an_auditor_may_export(network: dict[str, str]) -> None:
    result = runner.invoke(
        app, ["audit", "export", PK_IN, "--json", "--token", mint("tovholder")], env=network
    )
    assert result.exit_code == 1
    assert set(json.loads(result.stdout)["services"].values()) == {"refused (403)"}


def test_the_table_and_a_search_by_user(network: dict[str, str]) -> None:
    table = runner.invoke(app, ["audit", "export", PK_IN], env={**network, "COLUMNS": "300"})
    assert table.exit_code == 0, table.output
    assert "outside_municipality" in table.stdout and "caseworker" in table.stdout
    search = runner.invoke(
        app,
        ["audit", "search", "--subject", "user-team_leader", "--json", "-s", "triage"],
        env=network,
    )
    assert search.exit_code == 0, search.output
    body = json.loads(search.stdout)
    assert body["services"] == {"triage": "ok"}
    assert [(e["subject"], e["action"]) for e in body["entries"]] == [
        ("user-team_leader", "triage.read")
    ]
