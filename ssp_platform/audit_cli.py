"""`ssp audit export|search`: the audit trail across every service, for auditors.

Each service keeps its own append-only audit trail (shared/auth/audit.py) and answers auditors
on `GET /v1/audit/export/{person_key}` and `GET /v1/audit`. "Who looked at this child, when
and why" is the union of those answers: these commands ask every service and merge the entries
by time. Each service records the auditor's request in its own trail too."""

from __future__ import annotations

import asyncio
import importlib
import json
import os
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.table import Table

from shared.auth import AuthSettings, ProductionKeyConfigured, Role, mint_development_token
from shared.auth.access import PURPOSE_HEADER
from shared.auth.audit_merge import Collected
from shared.auth.audit_merge import collect as merged
from ssp_platform.registry import SERVICES

audit_app = typer.Typer(help="The audit trail of every service: who read what, when and why.")
console = Console()

transport: httpx.AsyncBaseTransport | None = None
"""How requests reach the services (None: the network); tests put the apps here."""

DEFAULT_PURPOSE = "auditor: a person's request to know who has seen their data"


def service_urls(names: list[str] | None = None) -> dict[str, str]:
    """Where each service answers: `SSP_<NAME>_URL`, else its settings' HTTP host and port."""
    urls = {}
    for name in names or list(SERVICES):
        if name not in SERVICES:
            raise typer.BadParameter(f"unknown service {name!r}; choose from {', '.join(SERVICES)}")
        configured = os.environ.get(f"SSP_{name.upper()}_URL")
        if configured:
            urls[name] = configured.rstrip("/")
            continue
        settings = _settings_of(name)
        # A service listening on every interface is asked on the loopback one.
        wildcard = settings.http_host in ("0.0.0.0", "::")  # noqa: S104 - compared, not bound
        host = "127.0.0.1" if wildcard else settings.http_host
        urls[name] = f"http://{host}:{settings.http_port}"
    return urls


def _settings_of(name: str) -> Any:
    module = importlib.import_module(SERVICES[name].rsplit(".", 1)[0] + ".settings")
    [settings_class] = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, AuthSettings)
        and value is not AuthSettings
        and value.__module__ == module.__name__
    ]
    return settings_class()


def auditor_headers(token: str | None, purpose: str) -> dict[str, str]:
    if token is None:
        try:
            token = mint_development_token(
                AuthSettings(), role=Role.AUDITOR, subject="ssp-cli-auditor", hours=0.25
            )
        except ProductionKeyConfigured as exc:
            raise typer.BadParameter(f"{exc}; pass --token or set SSP_TOKEN") from None
    return {"Authorization": f"Bearer {token}", PURPOSE_HEADER: purpose}


async def collect(
    urls: Mapping[str, str],
    path: str,
    headers: Mapping[str, str],
    params: Mapping[str, str] | None = None,
    via: httpx.AsyncBaseTransport | None = None,
) -> Collected:
    """Ask every service at once; merge their entries by time (shared/auth/audit_merge.py)."""
    async with httpx.AsyncClient(transport=via, timeout=30) as client:
        return await merged(client, urls, path, headers, params)


def _print(collected: Collected, title: str, as_json: bool, extra: dict[str, Any]) -> None:
    if as_json:
        print(json.dumps({**extra, **collected.as_json()}, indent=2, ensure_ascii=False))
        return
    table = Table(title=title)
    for column in ("at (UTC)", "service", "user", "role", "action", "result", "purpose", "term"):
        table.add_column(column)
    for e in collected.entries:
        result = e["result"] if e["result"] == "allowed" else f"{e['result']}: {e['reason']}"
        table.add_row(
            e["at"],
            e["service"],
            e["subject"],
            e["role"],
            e["action"],
            result,
            e.get("purpose") or "",
            e.get("term") or "",
        )
    console.print(table)
    status = ", ".join(f"{name}: {state}" for name, state in collected.services.items())
    console.print(f"{len(collected.entries)} entries. Services: {status}")


def _finish(collected: Collected) -> None:
    if not any(state == "ok" for state in collected.services.values()):
        raise typer.Exit(1)


TokenOption = Annotated[
    str | None,
    typer.Option(
        "--token",
        envvar="SSP_TOKEN",
        help="an auditor's bearer token; unset: a development auditor token",
    ),
]
ServiceOption = Annotated[
    list[str] | None,
    typer.Option("--service", "-s", help="ask only this service (repeat); default: every one"),
]
PurposeOption = Annotated[
    str, typer.Option(help="why you look (recorded in every service's audit trail)")
]
JsonOption = Annotated[bool, typer.Option("--json", help="print the merged JSON")]


@audit_app.command()
def export(
    person_key: Annotated[str, typer.Argument(help="the person's pseudonym (pk_…)")],
    as_json: JsonOption = False,
    token: TokenOption = None,
    service: ServiceOption = None,
    purpose: PurposeOption = DEFAULT_PURPOSE,
) -> None:
    """Who looked at this person, when and why: every service's export, merged by time."""
    collected = asyncio.run(
        collect(
            service_urls(service),
            f"/v1/audit/export/{person_key}",
            auditor_headers(token, purpose),
            via=transport,
        )
    )
    _print(collected, f"Who looked at {person_key}", as_json, {"person_key": person_key})
    _finish(collected)


@audit_app.command()
def search(
    person_key: Annotated[str | None, typer.Option(help="entries naming this pseudonym")] = None,
    subject: Annotated[str | None, typer.Option(help="entries of this user (`sub`)")] = None,
    since: Annotated[
        datetime | None, typer.Option(help="from this time (UTC unless given)")
    ] = None,
    until: Annotated[datetime | None, typer.Option(help="before this time")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="per service")] = 1000,
    as_json: JsonOption = False,
    token: TokenOption = None,
    service: ServiceOption = None,
    purpose: PurposeOption = "auditor: review of the audit trail",
) -> None:
    """Search every service's audit trail (by person, user and time), merged by time."""
    params = {"limit": str(limit)}
    for name, value in (("person_key", person_key), ("subject", subject)):
        if value is not None:
            params[name] = value
    for name, moment in (("since", since), ("until", until)):
        if moment is not None:
            params[name] = moment.isoformat()
    collected = asyncio.run(
        collect(
            service_urls(service),
            "/v1/audit",
            auditor_headers(token, purpose),
            params=params,
            via=transport,
        )
    )
    _print(collected, "Audit trail", as_json, {"query": params})
    _finish(collected)
