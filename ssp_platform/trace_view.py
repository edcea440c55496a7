"""`ssp trace` on a terminal: each step in the Danish words of the person's timeline (issue 17),
in three columns that fit 80 characters: when, which service, and what happened, with the
step's code, the person key and the trace id under the words (folded, never cut off)."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text

from shared.danish import short_datetime


def trace_table(body: dict[str, Any]) -> Table:
    table = Table(
        title=f"Sporing af {body['journal_number']}",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        expand=True,
    )
    table.add_column("tid", no_wrap=True, min_width=16)
    table.add_column("tjeneste", no_wrap=True)
    table.add_column("hvad skete", ratio=1, overflow="fold")
    for step in body["steps"]:
        what = Text(step.get("text") or step.get("detail") or "")
        codes = " · ".join(
            part
            for part in (
                step["step"],
                step.get("person_key"),
                f"spor {step['trace_id']}" if step.get("trace_id") else None,
            )
            if part
        )
        what.append(f"\n{codes}", style="dim")
        table.add_row(short_datetime(step["at"]), step["service"], what)
    return table
