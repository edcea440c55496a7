"""The `ssp` command."""

from __future__ import annotations

import asyncio
import json
import os
from typing import Annotated

import httpx
import typer
from rich.console import Console
from rich.table import Table

from ssp_platform.registry import SERVICES, available

app = typer.Typer(
    help="SSP event platform: police report → routing → letter task → read models.",
    no_args_is_help=True,
)
console = Console()


def _reporting_url() -> str:
    return os.environ.get("SSP_REPORTING_URL", "http://127.0.0.1:8084").rstrip("/")


@app.command()
def up() -> None:
    """Run every service in this process (embedded broker and stores unless configured)."""
    from ssp_platform.platform import serve

    asyncio.run(serve(available()))


@app.command()
def run(service: Annotated[str, typer.Argument(help=f"one of: {', '.join(SERVICES)}")]) -> None:
    """Run one service alone."""
    from ssp_platform.platform import serve

    if service not in SERVICES:
        raise typer.BadParameter(
            f"unknown service {service!r}; choose one of {', '.join(SERVICES)}"
        )
    asyncio.run(serve([service]))


@app.command()
def trace(
    journal_number: str,
    as_json: Annotated[bool, typer.Option("--json", help="print the raw JSON")] = False,
) -> None:
    """Show every step each service took for a journal number."""
    response = httpx.get(f"{_reporting_url()}/v1/trace/{journal_number}", timeout=10)
    if response.status_code == 404:
        console.print(f"No steps recorded for {journal_number}.")
        raise typer.Exit(1)
    response.raise_for_status()
    body = response.json()
    if as_json:
        print(json.dumps(body, indent=2, ensure_ascii=False))
        return
    table = Table(title=f"Trace of {journal_number}")
    for column in ("at", "service", "step", "person", "detail", "trace id"):
        table.add_column(column)
    for step in body["steps"]:
        table.add_row(
            step["at"],
            step["service"],
            step["step"],
            step.get("person_key") or "",
            step.get("detail") or "",
            step.get("trace_id") or "",
        )
    console.print(table)


@app.command()
def rebuild() -> None:
    """Rebuild reporting's read models from its event store."""
    response = httpx.post(f"{_reporting_url()}/v1/admin/rebuild", timeout=300)
    response.raise_for_status()
    console.print(response.json())
