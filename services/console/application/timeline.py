"""The person's timeline page (issue 17): reporting's timeline of the young person, a page at a
time, in the Danish words reporting gives each row; the clocks of each police report; and, for
an auditor, every service's audit trail of the person merged by time (part 5: the data
subject's right of access answered from one place). Everything is asked with the user's own
token, so each service decides and audits what it gives."""

from __future__ import annotations

from typing import Any

from services.console.adapters.platform_api import PlatformApi
from services.console.application.asking import Problems
from services.console.domain.user import User
from shared.danish import CLOCKS, NOTHING, clock_duration

PAGE_SIZE = 100
PURPOSE = "tidslinje for barnet"
AUDIT_PURPOSE = "indsigt: hvem har set oplysningerne"
RESULTS = {"allowed": "Givet", "denied": "Afvist"}


def _clock(seconds: object) -> str:
    if not isinstance(seconds, int | float):
        return "Kører stadig"
    return clock_duration(seconds)


async def person_timeline(
    api: PlatformApi, user: User, person_key: str, offset: int
) -> dict[str, Any]:
    problems = Problems()
    answer = await problems.attempt(
        api.person_timeline(user.token, person_key, PURPOSE, offset, PAGE_SIZE), {}
    )
    clocks = [
        {
            "journal_number": journal,
            "clocks": [(words, _clock(readings.get(name))) for name, words in CLOCKS],
            "within_deadline": readings.get("within_deadline"),
        }
        for journal, readings in (answer.get("clocks") or {}).items()
    ]
    view: dict[str, Any] = {
        "person_key": person_key,
        "rows": answer.get("rows", []),
        "total": answer.get("total", 0),
        "offset": offset,
        "next_offset": answer.get("next_offset"),
        "previous_offset": max(offset - PAGE_SIZE, 0) if offset else None,
        "clocks": clocks,
        "audit": None,
        "problems": problems.messages,
    }
    if user.reads_audit_trail:
        trail = await api.audit_trail_of(user.token, person_key, AUDIT_PURPOSE)
        view["audit"] = {
            "entries": [
                {**entry, "result_text": RESULTS.get(entry["result"], entry["result"])}
                for entry in trail.entries
            ],
            "unanswered": [name for name, state in trail.services.items() if state != "ok"],
        }
    return view


def within(value: object) -> str:
    return {True: "Ja", False: "Nej"}.get(value, NOTHING) if isinstance(value, bool) else NOTHING
