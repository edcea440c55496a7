"""Statistik: a meeting's week in figures (reporting's statistics, small counts suppressed) as
bar charts and the clocks of each group in Danish, and, for management, the letter escalations
of now."""

from __future__ import annotations

from typing import Any

from services.console.adapters.platform_api import PlatformApi
from services.console.application.asking import Problems
from services.console.domain.chart import Bar, bar_chart
from services.console.domain.user import User
from shared.danish import CLOCKS, OFFENCES, ROUTES, SEVERITIES, clock_duration, label

CHARTS: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("by_route", "Efter spor", ROUTES),
    ("by_severity", "Efter alvor", SEVERITIES),
    ("by_offence", "Efter overtrædelse", OFFENCES),
)


HIDDEN = "vises ikke"
"""What the statistics page shows for a suppressed value (small counts, issue 14)."""


def _hours(value: object) -> str:
    return clock_duration(value * 3600) if isinstance(value, int | float) else HIDDEN


def _count(value: object) -> str:
    return str(value) if isinstance(value, int) else HIDDEN


def _share(value: object) -> str:
    return f"{round(value * 100)} %" if isinstance(value, int | float) else HIDDEN


def _clock_figures(words: str, figures: dict[str, Any]) -> dict[str, str]:
    return {
        "name": words,
        "count": _count(figures.get("count")),
        "p50": _hours(figures.get("p50_hours")),
        "p90": _hours(figures.get("p90_hours")),
        "max": _hours(figures.get("max_hours")),
    }


def _group_order(group: dict[str, Any]) -> tuple[int, int, str]:
    route, severity = group["route"], group["severity"]
    if route != "all":
        return (1, 0, route)
    if severity != "all":
        return (2, list(SEVERITIES).index(severity) if severity in SEVERITIES else 9, severity)
    return (0, 0, "")


def _group_name(route: str, severity: str) -> str:
    if route != "all":
        return f"Spor: {label(ROUTES, route)}"
    if severity != "all":
        return f"Alvor: {label(SEVERITIES, severity)}"
    return "Alle visiterede"


def clock_groups(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Reporting's clock groups (`HandoverStatistics.clocks`) in Danish: per group its persons,
    each clock's count, median, 90 % and longest time, and the share of letters sent or
    waived within the deadline; a suppressed value (null) reads `vises ikke`. All routed
    persons first, then the routes, then the severities."""
    shown = []
    for group in sorted(groups, key=_group_order):
        figures = group.get("clocks") or {}
        shown.append(
            {
                "name": _group_name(group["route"], group["severity"]),
                "persons": _count(group.get("persons")),
                "share": _share(group.get("share_within_deadline")),
                "clocks": [
                    _clock_figures(words, figures.get(code) or {}) for code, words in CLOCKS
                ],
            }
        )
    return shown


async def statistics(api: PlatformApi, user: User, municipality: str, week: str) -> dict[str, Any]:
    problems = Problems()
    answer = await problems.attempt(api.statistics(user.token, municipality, week), {})
    escalations = (
        await problems.attempt(api.letter_escalations(user.token, municipality), None)
        if user.reads_escalation_counts
        else None
    )  # counts of now, not of the week: no names (management's view, issue 16 part 6)
    tables = []
    for key, title, words in CHARTS:
        cells = answer.get(key, [])
        bars = [Bar(label(words, c["value"]), c.get("count")) for c in cells]
        tables.append({"title": title, "bars": bars, "svg": bar_chart(title, bars)})
    return {
        "loaded": bool(answer),
        "persons": answer.get("persons"),
        "tables": tables,
        "suppressed_below": answer.get("suppressed_below", 3),
        "clocks": clock_groups(answer.get("clocks") or []),
        "escalations": escalations,
        "problems": problems.messages,
    }
