"""The audit trail across every service: each keeps its own (shared/auth/audit.py) and answers
auditors on `GET /v1/audit/export/{person_key}` and `GET /v1/audit`. "Who looked at this child,
when and why" is the union of those answers, merged by time: `ssp audit export` prints it, the
console's timeline page shows it to an auditor (issue 17, part 5). Each service records the
auditor's request in its own trail too."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx


@dataclass
class Collected:
    """Every service's answer: its entries, or why it gave none."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    services: dict[str, str] = field(default_factory=dict)
    """service → `ok`, `unreachable`, `refused (401)`, …"""

    def as_json(self) -> dict[str, Any]:
        return {"services": self.services, "entries": self.entries}


async def collect(
    client: httpx.AsyncClient,
    urls: Mapping[str, str],
    path: str,
    headers: Mapping[str, str],
    params: Mapping[str, str] | None = None,
) -> Collected:
    """Ask every service at once (`urls`: service → base address) with the caller's headers;
    merge their entries by time (then service and id)."""
    answers = await asyncio.gather(
        *(_ask(client, f"{url}{path}", headers, params) for url in urls.values())
    )
    collected = Collected()
    for name, (status, entries) in zip(urls, answers, strict=True):
        collected.services[name] = status
        collected.entries.extend(entries)
    collected.entries.sort(
        key=lambda e: (datetime.fromisoformat(e["at"]), e["service"], e.get("id") or 0)
    )
    return collected


async def _ask(
    client: httpx.AsyncClient,
    url: str,
    headers: Mapping[str, str],
    params: Mapping[str, str] | None,
) -> tuple[str, list[dict[str, Any]]]:
    try:
        response = await client.get(url, headers=dict(headers), params=params)
    except httpx.TransportError:
        return "unreachable", []
    if response.status_code != 200:
        return f"refused ({response.status_code})", []
    entries: list[dict[str, Any]] = response.json()["entries"]
    return "ok", entries
