"""Concern documents the concern tests share (issue 15, part 5)."""

from __future__ import annotations

from typing import Any

from tests.unit.auth.support import CPR_IN, IN, SCHOOL

SECRET_TEXT = "Ses ofte sammen med ældre unge ved banegården sent om aftenen"
REPORTER_NAME = "Lærer Hanne Holm"


def concern(concern_id: str = "c-1", **changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "concern_id": concern_id,
        "cpr": CPR_IN,
        "name": "Mads Jensen",
        "municipality_code": IN,
        "school": SCHOOL,
        "category": "grupperinger",
        "reporter": {"kind": "school", "name": REPORTER_NAME, "contact": "hh@skole.example"},
        "text": SECRET_TEXT,
        "registered_at": "2026-11-18T14:05:00+01:00",
    }
    document.update(changes)
    return document


def accepted(concern_id: str, week: str = "2026-W47") -> dict[str, Any]:
    """Intake's answer to a concern accepted for municipality IN."""
    return {
        "status": "accepted",
        "concern_id": concern_id,
        "municipality_code": IN,
        "iso_week": week,
    }
