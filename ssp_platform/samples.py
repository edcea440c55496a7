"""Synthetic police incidents (fictitious CPR numbers) for demos, tests and benchmarks."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

OFFENCES = ("butikstyveri", "tyveri", "haervaerk", "vold", "narkotika", "ordensforstyrrelse")
ROLES = ("antruffet", "sigtet", "forurettet")


def fictitious_cpr(birth: date, serial: int) -> str:
    """A CPR number whose date and century digit are valid (modulus 11 is not required)."""
    yy = birth.year % 100
    seventh = (4 if yy <= 36 else 5) if birth.year >= 2000 else 0
    return f"{birth:%d%m}{yy:02d}-{seventh}{serial % 1000:03d}"


def journal_number(i: int, year: int = 26) -> str:
    return f"{3700 + i // 10**10 % 100:04d}-{i // 10**5 % 10**5:05d}-{i % 10**5:05d}-{year:02d}"


def sample_incident(
    i: int,
    *,
    persons: int = 1,
    municipality_code: str = "607",
    occurred_at: datetime | None = None,
    revision: int = 1,
    age: int | None = None,
    seed: int | None = None,
) -> dict[str, Any]:
    rng = random.Random(i if seed is None else seed)
    occurred = occurred_at or datetime(2026, 11, 15, 22, 40, tzinfo=UTC)
    people = []
    for p in range(persons):
        years = age if age is not None else rng.randint(10, 24)
        birth = (occurred - timedelta(days=365 * years + 40 + rng.randint(0, 300))).date()
        people.append(
            {
                "cpr": fictitious_cpr(birth, i * 7 + p),
                "name": f"Testperson {i}-{p}",
                "role": ROLES[(i + p) % len(ROLES)],
                "municipality_code": municipality_code,
                "school": "Kirstinebjergskolen",
            }
        )
    return {
        "journal_number": journal_number(i),
        "revision": revision,
        "source": "doegnrapport",
        "police_district": "Sydøstjyllands Politi",
        "reported_at": (occurred + timedelta(hours=10)).isoformat(),
        "occurred_at": occurred.isoformat(),
        "offence": {"code": OFFENCES[i % len(OFFENCES)], "text": "syntetisk hændelse"},
        "location": {"municipality_code": municipality_code, "text": "bymidte"},
        "persons": people,
        "flags": [],
        "narrative": "syntetisk",
    }
