"""The `ssp` command."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.console import Console

from shared.auth import (
    DEFAULT_SCOPES,
    AuthSettings,
    ProductionKeyConfigured,
    Role,
    mint_development_token,
)
from shared.auth.access import PURPOSE_HEADER
from shared.auth.audit import purge_expired
from ssp_platform.audit_cli import audit_app, service_urls
from ssp_platform.erasure_cli import erase, erasure_report
from ssp_platform.keys_cli import intake_rewrap_keys, reencrypt_store, rewrap_keys
from ssp_platform.registry import ALL_SERVICES, SERVICES, available
from ssp_platform.review_cli import review_app
from ssp_platform.trace_view import trace_table

app = typer.Typer(
    help="SSP event platform: police report → routing → letter task → read models.",
    no_args_is_help=True,
)
console = Console()
app.add_typer(audit_app, name="audit")
app.command()(erase)
app.command("erasure-report")(erasure_report)
app.command("rewrap-keys")(rewrap_keys)
app.command("intake-rewrap-keys")(intake_rewrap_keys)
app.command("reencrypt-store")(reencrypt_store)
app.add_typer(review_app, name="review")


def _reporting_url() -> str:
    return os.environ.get("SSP_REPORTING_URL", "http://127.0.0.1:8084").rstrip("/")


TokenOption = Annotated[
    str | None,
    typer.Option(
        "--token",
        envvar="SSP_TOKEN",
        help="bearer token; unset: a development operations token (no production key source)",
    ),
]


def _bearer(token: str | None, role: Role) -> dict[str, str]:
    """The caller's token, or on a development platform a short-lived one for `role`."""
    if token is None:
        try:
            token = mint_development_token(AuthSettings(), role=role, subject="ssp-cli", hours=0.25)
        except ProductionKeyConfigured as exc:
            raise typer.BadParameter(f"{exc}; pass --token or set SSP_TOKEN") from None
    return {"Authorization": f"Bearer {token}"}


def _refused(response: httpx.Response) -> None:
    if response.status_code in (401, 403):
        console.print(f"Refused ({response.status_code}): {response.json().get('message', '')}")
        raise typer.Exit(2)


def _serve(names: list[str]) -> None:
    from shared.messaging.security import KafkaSecurityError
    from shared.settings import ConfigurationRefused
    from ssp_platform.platform import serve

    try:
        asyncio.run(serve(names))
    except (ConfigurationRefused, KafkaSecurityError) as exc:
        print(f"ssp: {exc}", file=sys.stderr)
        raise typer.Exit(2) from None


@app.command()
def up() -> None:
    """Run every service in this process (embedded broker and stores unless configured)."""
    _serve(available())


@app.command()
def run(
    service: Annotated[str, typer.Argument(help=f"one of: {', '.join(ALL_SERVICES)}")],
) -> None:
    """Run one service alone."""
    if service not in ALL_SERVICES:
        raise typer.BadParameter(
            f"unknown service {service!r}; choose one of {', '.join(ALL_SERVICES)}"
        )
    _serve([service])


@app.command()
def trace(
    journal_number: str,
    as_json: Annotated[bool, typer.Option("--json", help="print the raw JSON")] = False,
    token: TokenOption = None,
    purpose: Annotated[
        str, typer.Option(help="why you trace it (recorded in the audit trail)")
    ] = "operations: trace a journal number",
) -> None:
    """Show every step each service took for a journal number."""
    response = httpx.get(
        f"{_reporting_url()}/v1/trace/{journal_number}",
        headers={**_bearer(token, Role.OPERATIONS), PURPOSE_HEADER: purpose},
        timeout=10,
    )
    _refused(response)
    if response.status_code == 404:
        console.print(f"No steps recorded for {journal_number}.")
        raise typer.Exit(1)
    response.raise_for_status()
    body = response.json()
    if as_json:
        print(json.dumps(body, indent=2, ensure_ascii=False))
        return
    console.print(trace_table(body))


@app.command()
def rebuild(token: TokenOption = None) -> None:
    """Rebuild reporting's read models from its event store."""
    response = httpx.post(
        f"{_reporting_url()}/v1/admin/rebuild", headers=_bearer(token, Role.OPERATIONS), timeout=300
    )
    _refused(response)
    response.raise_for_status()
    console.print(response.json())


@app.command()
def reroute(
    municipality: Annotated[
        str, typer.Option("--municipality", "-m", help="the municipality code now served")
    ],
    since: Annotated[
        str, typer.Option("--since", help="incidents reported on or after this day (YYYY-MM-DD)")
    ],
    token: TokenOption = None,
) -> None:
    """Route the persons of a municipality that were recorded as not served (it was not in
    SSP_MUNICIPALITIES) in incidents reported since a day, now that it is served: add it to
    SSP_MUNICIPALITIES and restart first. Asks triage's POST /v1/admin/reroute with an
    operations token; running it again routes nobody twice."""
    url = service_urls(["triage"])["triage"]
    response = httpx.post(
        f"{url}/v1/admin/reroute",
        json={"municipality_code": municipality, "since": since},
        headers=_bearer(token, Role.OPERATIONS),
        timeout=300,
    )
    _refused(response)
    if response.status_code in (409, 422):
        body = response.json()
        message = body.get("message") or body.get("detail") or response.text
        console.print(f"ssp reroute: {message}")
        raise typer.Exit(1)
    response.raise_for_status()
    result = response.json()
    console.print(
        f"municipality {result['municipality_code']}: {result['routed']} person(s) routed, "
        f"{result['skipped']} skipped (changed by a later revision)"
    )


@app.command("import")
def import_list(
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, help="the police's SSP list, .csv or .xlsx"),
    ],
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="SSP_TOKEN",
            help="bearer token; unset: a development police_integration token",
        ),
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="print one JSON document (counts, results, problems by row and column) "
            "instead of the progress bar and tables",
        ),
    ] = False,
) -> None:
    """Import the police's SSP list (docs/police-list-import.md) into the running intake, one
    incident at a time through POST /v1/incidents/import; prints every problem by row and
    column, with each rejected incident's reference in full. Exit code 1 when a row was
    rejected or refused."""
    from ssp_platform.police_import import import_file

    if token is None:
        try:
            token = mint_development_token(
                AuthSettings(),
                role=Role.POLICE_INTEGRATION,
                scopes=DEFAULT_SCOPES[Role.POLICE_INTEGRATION],
                subject="ssp-cli",
                hours=0.25,
            )
        except ProductionKeyConfigured as exc:
            raise typer.BadParameter(f"{exc}; pass --token or set SSP_TOKEN") from None
    url = service_urls(["intake"])["intake"]
    headers = {"Authorization": f"Bearer {token}"}
    outcome = import_file(file, url=url, headers=headers, console=console, as_json=as_json)
    raise typer.Exit(outcome.exit_code)


@app.command()
def token(
    role: Annotated[Role, typer.Argument(help="the role the token grants")],
    municipality: Annotated[
        list[str] | None, typer.Option("--municipality", "-m", help="municipality code (repeat)")
    ] = None,
    school: Annotated[
        list[str] | None, typer.Option("--school", help="school, for school representatives")
    ] = None,
    scope: Annotated[
        list[str] | None,
        typer.Option("--scope", help="scope (repeat); default: the role's, e.g. incidents:write"),
    ] = None,
    sub: Annotated[str | None, typer.Option("--sub", help="user or client id")] = None,
    hours: Annotated[float, typer.Option(min=0.01, max=24 * 30, help="lifetime")] = 8,
) -> None:
    """Print a DEVELOPMENT token signed with the platform's development key (refused when an
    identity provider's key is configured, and longer than SSP_AUTH_MAX_TOKEN_LIFETIME_HOURS)."""
    settings = AuthSettings()
    if hours > settings.auth_max_token_lifetime_hours:
        print(
            f"ssp token: --hours {hours:g} exceeds SSP_AUTH_MAX_TOKEN_LIFETIME_HOURS "
            f"({settings.auth_max_token_lifetime_hours:g}); the services would refuse the token",
            file=sys.stderr,
        )
        raise typer.Exit(1)
    try:
        minted = mint_development_token(
            settings,
            role=role,
            municipalities=municipality or [],
            schools=school or [],
            scopes=scope if scope is not None else DEFAULT_SCOPES.get(role, frozenset()),
            subject=sub,
            hours=hours,
        )
    except ProductionKeyConfigured as exc:
        print(f"ssp token: {exc}", file=sys.stderr)
        raise typer.Exit(1) from None
    print(f"development token: role {role}, valid {hours:g} h", file=sys.stderr)
    print(minted)


@app.command("audit-purge")
def audit_purge(
    service: Annotated[
        list[str] | None, typer.Argument(help="services (default: every service)")
    ] = None,
) -> None:
    """Delete audit entries older than SSP_AUDIT_RETENTION_DAYS: the only path that deletes
    them (the database refuses every other delete and every update)."""
    settings = AuthSettings()
    for name in service or list(SERVICES):
        if name not in SERVICES:
            raise typer.BadParameter(f"unknown service {name!r}")
        deleted = purge_expired(settings, name)
        if deleted is None:
            console.print(f"{name}: no audit trail")
        else:
            console.print(f"{name}: {deleted} expired entries deleted")
