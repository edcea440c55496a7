"""`ssp import`: send the police's SSP list to the running intake, one incident at a time.

The file is read here only to split it into incidents (for the progress bar); each incident's
rows go, as a small CSV in the documented layout, to intake's `POST /v1/incidents/import`, so
every incident is validated, de-duplicated and kept when rejected by exactly the code that
serves the endpoint. Row numbers in intake's answers are those of the small CSV; they are
mapped back to the rows of the file.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from services.intake.adapters.police_list import ListIncident, read_police_list, to_csv
from services.intake.adapters.spreadsheet_guard import (
    SpreadsheetLimits,
    SpreadsheetRefused,
    check_spreadsheet,
)

STATUSES = ("accepted", "duplicate", "superseded", "rejected", "refused")


@dataclass
class ImportOutcome:
    exit_code: int
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[dict[str, Any]] = field(default_factory=list)


class ImportRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _send(client: httpx.Client, url: str, incident: ListIncident) -> dict[str, Any]:
    response = client.post(
        f"{url}/v1/incidents/import",
        content=to_csv(incident.cells),
        headers={"Content-Type": "text/csv"},
    )
    if response.status_code in (401, 403):
        raise ImportRefused(response.status_code, response.json().get("message", ""))
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def _in_file(incident: ListIncident, row: int) -> int:
    """Row `row` of the incident's own CSV (header = row 1) → its row in the file."""
    index = row - 2
    return incident.rows[index] if 0 <= index < len(incident.rows) else incident.rows[0]


def import_file(
    path: Path, *, url: str, headers: dict[str, str], console: Console
) -> ImportOutcome:
    """Import `path`. Exit code: 0 all imported (or already there), 1 a row was rejected or
    refused or the file is unreadable, 2 the token was refused."""
    limits = SpreadsheetLimits()
    try:
        if path.stat().st_size > limits.max_bytes:
            raise SpreadsheetRefused(
                "too_large", f"the list may be at most {limits.max_bytes} bytes"
            )
        data = path.read_bytes()
        check_spreadsheet(data, limits)  # before parsing: a spreadsheet bomb stops here
    except SpreadsheetRefused as refused:
        problems = [{"row": 1, "column": None, "code": refused.code, "message": refused.message}]
        _print_errors(console, problems, title="Not imported")
        return ImportOutcome(1, errors=problems)
    police_list = read_police_list(data)
    if police_list.problems:
        problems = [p.as_dict() for p in police_list.problems]
        _print_errors(console, problems, title="Not imported")
        return ImportOutcome(1, errors=problems)
    if police_list.ignored_columns:
        console.print(f"Ignored columns: {', '.join(police_list.ignored_columns)}")
    counts: Counter[str] = Counter()
    errors: list[dict[str, Any]] = []
    progress = Progress(
        TextColumn("[bold]importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("incidents"),
        TimeElapsedColumn(),
        console=console,
    )
    try:
        with progress, httpx.Client(headers=headers, timeout=30) as client:
            task = progress.add_task("import", total=len(police_list.incidents))
            for incident in police_list.incidents:
                body = _send(client, url, incident)
                for result in body["results"]:
                    counts[result["status"]] += 1
                for error in body["errors"]:
                    errors.append({**error, "row": _in_file(incident, error["row"])})
                progress.advance(task)
    except ImportRefused as refused:
        console.print(f"Refused ({refused.status}): {refused}")
        return ImportOutcome(2, counts, errors)
    except httpx.HTTPError as exc:
        console.print(f"intake at {url} did not answer: {type(exc).__name__}")
        return ImportOutcome(1, counts, errors)
    if errors:
        _print_errors(console, sorted(errors, key=lambda e: (e["row"], e["column"] or "")))
    summary = Table(title=f"{path.name}: {police_list.rows} rows")
    summary.add_column("incidents", justify="right")
    for status in STATUSES:
        summary.add_column(status, justify="right")
    summary.add_row(str(len(police_list.incidents)), *(str(counts[s]) for s in STATUSES))
    console.print(summary)
    return ImportOutcome(1 if counts["rejected"] or counts["refused"] else 0, counts, errors)


def _print_errors(console: Console, errors: list[dict[str, Any]], title: str = "Problems") -> None:
    table = Table(title=title)
    for column in ("row", "column", "code", "message", "reference"):
        table.add_column(column)
    for error in errors:
        table.add_row(
            str(error["row"]),
            error.get("column") or "",
            error["code"],
            error["message"],
            error.get("reference") or "",
        )
    console.print(table)
