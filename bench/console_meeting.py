"""Server time of the console's meeting page ("Ugens møde") for a large agenda.

    uv run --no-sync python -m bench.console_meeting [--items 200] [--requests 50]

The console renders the page from four answers: reporting's handover list, intake's names
for the whole agenda (one call), courses' open courses and triage's minutes. Here those
services answer in the process at once (httpx's MockTransport), so what is measured is the
console's own share: calling them, assembling the agenda and rendering the HTML. The page is
asked through the ASGI app, session cookie and all, as a browser would. Target: under 1 s for
200 items (issue 15). Prints the median, 95th percentile and maximum in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from typing import Any

import httpx

from services.console.adapters.platform_api import PlatformApi
from services.console.bootstrap import configured_urls
from services.console.entrypoints.http import create_http_app
from services.console.settings import ConsoleSettings

WEEK = "2026-W49"


def _agenda(items: int) -> list[dict[str, Any]]:
    return [
        {
            "journal_number": f"3700-80123-{n // 2:05d}-26",
            "revision": 1,
            "reported_at": "2026-12-01T08:00:00+01:00",
            "person_key": f"pk_{n:032x}",
            "role": ("sigtet", "antruffet")[n % 2],
            "age_at_incident": 12 + n % 12,
            "offence_code": ("butikstyveri", "vold", "haervaerk")[n % 3],
            "route": ("tovholder", "caseworker")[n % 2],
            "severity": "low",
            "workflow": "minor",
            "owner_role": ("tovholder", "caseworker")[n % 2],
            "letter_task_status": "open",
            "letter_kind": "orientering",
            "due_at": "2026-12-08T08:00:00+01:00",
            "reasons": ["no_active_case"],
            "owner_team": "SSP-medarbejder distrikt nord",
            "earlier_reports": n % 4,
        }
        for n in range(items)
    ]


def _platform(items: int) -> httpx.MockTransport:
    agenda = _agenda(items)
    handover = {"municipality_code": "607", "iso_week": WEEK, "persons": agenda}
    names = {
        "meeting": f"607/{WEEK}",
        "persons": [
            {"person_key": e["person_key"], "cpr": "0101100000", "names": [f"Barn {n}"]}
            for n, e in enumerate(agenda)
        ],
        "not_found": [],
    }
    courses = {
        "courses": [
            {"course_id": str(n), "person_key": e["person_key"], "course_type": "trivsel"}
            for n, e in enumerate(agenda[::4])
        ]
    }
    minutes = {
        "meeting": f"607/{WEEK}",
        "participants": [{"subject": "ABJ", "role": "tovholder"}],
        "items": [],
        "decisions": [],
        "actions": [
            {"journal_number": e["journal_number"], "person_key": e["person_key"]}
            for e in agenda[::2]
        ],
        "notes": [],
    }

    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.startswith("/v1/handover/"):
            return httpx.Response(200, json=handover)
        if path == "/v1/identities/resolve-batch":
            return httpx.Response(200, json=names)
        if path == "/v1/courses":
            return httpx.Response(200, json=courses)
        if path.startswith("/v1/meetings/"):
            return httpx.Response(200, json=minutes)
        return httpx.Response(404, json={"error": "not_found"})

    return httpx.MockTransport(answer)


async def _run(items: int, requests: int) -> list[float]:
    with tempfile.TemporaryDirectory() as data_dir:
        settings = ConsoleSettings(SSP_DATA_DIR=data_dir, SSP_AUTH_SIGNING_KEY="b" * 40)
        client = httpx.AsyncClient(transport=_platform(items))
        app = create_http_app(settings, PlatformApi(configured_urls(settings), client))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://console") as browser:
            login = await browser.get("/login")
            csrf = login.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            await browser.post(
                "/login/udvikling",
                data={"csrf_token": csrf, "rolle": "tovholder", "kommune": "607"},
            )
            url = f"/moede?kommune=607&uge={WEEK}&navne=1"
            first = await browser.get(url)
            assert first.status_code == 200 and first.text.count("<tr>") >= items, "no agenda"
            times = []
            for _ in range(requests):
                started = time.perf_counter()
                page = await browser.get(url)
                times.append(time.perf_counter() - started)
                assert page.status_code == 200
        await client.aclose()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    times = sorted(asyncio.run(_run(args.items, args.requests)))
    ms = [t * 1000 for t in times]
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    print(
        f"meeting page, {args.items} items with names, {args.requests} requests: "
        f"median {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, max {ms[-1]:.1f} ms "
        "(target: under 1000 ms)"
    )


if __name__ == "__main__":
    main()
