"""`ssp import`: send the police's SSP list to the running intake, one incident at a time.

The file is read here only to split it into incidents (for the progress bar); each incident's
rows go, as a small CSV in the documented layout, to intake's `POST /v1/incidents/import`, so
every incident is validated, de-duplicated and kept when rejected by exactly the code that
serves the endpoint. Row numbers in intake's answers are those of the small CSV; they are
mapped back to the rows of the file.

The problems are printed per rejected incident: its reference in full on a line of its own
(never cut to the terminal's width: it is what `GET /v1/rejected/{reference}` and the console
take), then a table of its problems whose messages wrap. `--json` prints instead one JSON
document: the counts, one result per incident (the file's rows, journal number, revision,
status, reference) and every problem by row and column.
"""

from __future__ import annotations

import json
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
    results: list[dict[str, Any]] = field(default_factory=list)
    """One per incident sent: the file's rows, journal number, revision, status, reference."""
    rows: int = 0
    incidents: int = 0
    refused: str | None = None
    """Why nothing (more) was imported: the token refused, intake not answering."""

    def as_json(self, path: Path) -> dict[str, Any]:
        """What `ssp import --json` prints."""
        return {
            "file": path.name,
            "exit_code": self.exit_code,
            "rows": self.rows,
            "incidents": self.incidents,
            **{status: self.counts[status] for status in STATUSES},
            "refused_reason": self.refused,
            "results": self.results,
            "errors": self.errors,
        }


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
    path: Path,
    *,
    url: str,
    headers: dict[str, str],
    console: Console,
    as_json: bool = False,
) -> ImportOutcome:
    """Import `path`. Exit code: 0 all imported (or already there), 1 a row was rejected or
    refused or the file is unreadable, 2 the token was refused. `as_json`: no progress bar
    or tables, one JSON document (`ImportOutcome.as_json`) on the console's file."""
    outcome = _import(path, url=url, headers=headers, console=console, quiet=as_json)
    if as_json:
        console.file.write(json.dumps(outcome.as_json(path), ensure_ascii=False, indent=2) + "\n")
    return outcome


def _import(
    path: Path, *, url: str, headers: dict[str, str], console: Console, quiet: bool
) -> ImportOutcome:
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
        if not quiet:
            _print_errors(console, problems, title="Not imported")
        return ImportOutcome(1, errors=problems, refused="unreadable_file")
    police_list = read_police_list(data)
    if police_list.problems:
        problems = [p.as_dict() for p in police_list.problems]
        if not quiet:
            _print_errors(console, problems, title="Not imported")
        return ImportOutcome(1, errors=problems, rows=police_list.rows, refused="invalid_list")
    if police_list.ignored_columns and not quiet:
        console.print(f"Ignored columns: {', '.join(police_list.ignored_columns)}")
    outcome = ImportOutcome(0, rows=police_list.rows, incidents=len(police_list.incidents))
    counts, errors = outcome.counts, outcome.errors
    progress = Progress(
        TextColumn("[bold]importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("incidents"),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
    )
    try:
        with progress, httpx.Client(headers=headers, timeout=30) as client:
            task = progress.add_task("import", total=len(police_list.incidents))
            for incident in police_list.incidents:
                body = _send(client, url, incident)
                for result in body["results"]:
                    counts[result["status"]] += 1
                    outcome.results.append(_result_in_file(incident, result))
                for error in body["errors"]:
                    errors.append({**error, "row": _in_file(incident, error["row"])})
                progress.advance(task)
    except ImportRefused as refused:
        if not quiet:
            console.print(f"Refused ({refused.status}): {refused}")
        outcome.exit_code, outcome.refused = 2, f"token refused ({refused.status})"
        return outcome
    except httpx.HTTPError as exc:
        if not quiet:
            console.print(f"intake at {url} did not answer: {type(exc).__name__}")
        outcome.exit_code, outcome.refused = 1, f"intake did not answer ({type(exc).__name__})"
        return outcome
    errors.sort(key=lambda e: (e["row"], e["column"] or ""))
    outcome.exit_code = 1 if counts["rejected"] or counts["refused"] else 0
    if quiet:
        return outcome
    if errors:
        journals = {r["reference"]: r["journal_number"] for r in outcome.results if r["reference"]}
        _print_errors(console, errors, journals=journals)
    summary = Table(title=f"{path.name}: {police_list.rows} rows")
    summary.add_column("incidents", justify="right")
    for status in STATUSES:
        summary.add_column(status, justify="right")
    summary.add_row(str(len(police_list.incidents)), *(str(counts[s]) for s in STATUSES))
    console.print(summary)
    return outcome


def _result_in_file(incident: ListIncident, result: dict[str, Any]) -> dict[str, Any]:
    return {
        "rows": list(incident.rows),
        # A rejected incident's journal number as the file has it (intake names only valid ones).
        "journal_number": result.get("journal_number") or incident.journal_number,
        "revision": result.get("revision"),
        "status": result["status"],
        "reference": result.get("reference"),
    }


def _print_errors(
    console: Console,
    errors: list[dict[str, Any]],
    title: str = "Problems",
    journals: dict[str, str | None] | None = None,
) -> None:
    """One block per rejected incident: its journal number and reference whole on a line of
    their own (never cut to the terminal's width), then its problems, whose messages wrap."""
    groups: dict[str | None, list[dict[str, Any]]] = {}
    for error in errors:
        groups.setdefault(error.get("reference"), []).append(error)
    console.print(f"[bold]{title}[/bold]")
    for reference, problems in groups.items():
        if reference:
            journal = (journals or {}).get(reference) or "no journal number"
            console.print(f"{journal}: reference {reference}", soft_wrap=True, highlight=False)
        table = Table(show_edge=False, pad_edge=False)
        table.add_column("row", justify="right", no_wrap=True)
        for column in ("column", "code", "message"):
            table.add_column(column, overflow="fold")
        for error in problems:
            table.add_row(
                str(error["row"]), error.get("column") or "", error["code"], error["message"]
            )
        console.print(table)
