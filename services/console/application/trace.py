"""Sporing: one journal number's way through the platform, as reporting traces it (and audits
the read)."""

from __future__ import annotations

from typing import Any

from services.console.adapters.platform_api import PlatformApi
from services.console.application.asking import Problems
from services.console.domain.user import User


async def trace(api: PlatformApi, user: User, journal_number: str) -> dict[str, Any]:
    problems = Problems()
    answer = await problems.attempt(api.trace(user.token, journal_number, "sporing"), {})
    return {
        "journal_number": journal_number,
        "steps": answer.get("steps", []),
        "problems": problems.messages,
    }
