"""`ssp erase` and `ssp erasure-report` (issue 18).

`erase` asks intake's `POST /v1/persons/{person_key}/erasure` with a tovholder's token (a
development one for `--municipality` when none is given): intake destroys the person's data
key, audits the request and publishes `PersonErased`. `erasure-report` asks
`GET /v1/erasures/report` of each service with a keyring (every service; auditor or
management): counts per service, kind, month and reason.
The rotation of the keys that wrap the data keys: `ssp rewrap-keys` (keys_cli.py)."""

from __future__ import annotations

from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.table import Table

from shared.auth import AuthSettings, ProductionKeyConfigured, Role, mint_development_token
from shared.contracts import ERASURE_REASONS
from ssp_platform.audit_cli import service_urls

console = Console()
REPORTING_SERVICES = ("intake", "triage", "courses", "notifications", "reporting")
"""The services whose keyrings record erasures (`GET /v1/erasures/report`)."""

TokenOption = Annotated[
    str | None,
    typer.Option("--token", envvar="SSP_TOKEN", help="bearer token; unset: a development one"),
]


def _headers(token: str | None, role: Role, municipalities: list[str]) -> dict[str, str]:
    if token is None:
        try:
            token = mint_development_token(
                AuthSettings(),
                role=role,
                municipalities=municipalities,
                subject="ssp-cli",
                hours=0.25,
            )
        except ProductionKeyConfigured as exc:
            raise typer.BadParameter(f"{exc}; pass --token or set SSP_TOKEN") from None
    return {"Authorization": f"Bearer {token}"}


def _fail(response: httpx.Response) -> None:
    if response.status_code >= 400:
        body = response.json() if response.content else {}
        console.print(f"Refused ({response.status_code}): {body.get('message', '')}")
        raise typer.Exit(2 if response.status_code in (401, 403) else 1)


def erase(
    person_key: Annotated[str, typer.Argument(help="the person's pseudonym (pk_…)")],
    reason: Annotated[str, typer.Option("--reason", help=f"one of: {', '.join(ERASURE_REASONS)}")],
    municipality: Annotated[
        list[str] | None,
        typer.Option("--municipality", "-m", help="for a development tovholder token (repeat)"),
    ] = None,
    token: TokenOption = None,
) -> None:
    """Erase a person: intake destroys their data key and tells every service (audited)."""
    if reason not in ERASURE_REASONS:
        raise typer.BadParameter(f"--reason must be one of {', '.join(ERASURE_REASONS)}")
    url = service_urls(["intake"])["intake"]
    response = httpx.post(
        f"{url}/v1/persons/{person_key}/erasure",
        json={"reason": reason},
        headers=_headers(token, Role.TOVHOLDER, municipality or []),
        timeout=30,
    )
    _fail(response)
    body = response.json()
    state = "already erased" if body["already"] else "erased"
    console.print(f"{body['person_key']}: {state} ({body['reason']}, {body['erased_at']})")


def erasure_report(
    token: TokenOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the raw JSON")] = False,
) -> None:
    """How much was erased, per service, kind of data, month and reason: counts only."""
    headers = _headers(token, Role.AUDITOR, [])
    rows = []
    for service, url in service_urls(list(REPORTING_SERVICES)).items():
        response = httpx.get(f"{url}/v1/erasures/report", headers=headers, timeout=30)
        _fail(response)
        rows += [{"service": service, **row} for row in response.json()["rows"]]
    if as_json:
        console.print_json(data=rows)
        return
    table = Table(title="Erasures")
    for column in ("service", "kind", "month", "reason", "count"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["service"], row["kind"], row["month"], row["reason"], str(row["count"]))
    console.print(table)
