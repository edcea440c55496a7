"""Afviste indberetninger (issue 15, part 6): the open rejections from intake, and one of them
as a form to correct and resubmit. Intake decides who sees what and audits every read (the
list and the rejected input, with the stated purpose); the console keeps nothing."""

from __future__ import annotations

import json
from typing import Any

from services.console.adapters.platform_api import ApiError, PlatformApi
from services.console.application.asking import Problems
from services.console.domain.concern_correction import (
    concern_form,
    concern_problems,
    is_concern_document,
)
from services.console.domain.errors import danish_error
from services.console.domain.rejected_input import (
    CHANNELS,
    danish_problems,
    incident_form,
    is_incident_form,
)
from services.console.domain.user import User

PURPOSE = "afviste indberetninger: ret og indsend"  # ASCII: an HTTP header
PAGE_SIZE = 50


async def open_rejections(api: PlatformApi, user: User, offset: int) -> dict[str, Any]:
    problems = Problems()
    answer = await problems.attempt(api.open_rejections(user.token, PURPOSE, offset, PAGE_SIZE), {})
    rows = [
        {
            **row,
            "channel_text": CHANNELS.get(row.get("channel", ""), row.get("channel", "")),
            "problems_text": (concern_problems if row.get("from_concern") else danish_problems)(
                row.get("problems", [])
            ),
        }
        for row in answer.get("rejections", [])
    ]
    return {
        "rejections": rows,
        "total": answer.get("total", 0),
        "offset": offset,
        "next_offset": answer.get("next_offset"),
        "previous_offset": max(0, offset - PAGE_SIZE) if offset else None,
        "loaded": bool(answer),
        "problems": problems.messages,
    }


def _document(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def correction_view(
    answer: dict[str, Any], document: Any, problems: list[dict[str, str]]
) -> dict[str, Any]:
    """The form for a rejection as intake gave it (`answer`), showing `document` (the kept
    original, or the correction sent back) and its `problems`. A rejected concern is
    corrected as a concern (its own form), an incident as an incident."""
    from_case_register = (
        isinstance(document, dict) and "persons" not in document and "case_id" in document
    )
    concern = bool(answer.get("from_concern")) or is_concern_document(document)
    as_concern = concern and isinstance(document, dict)
    fields = not from_case_register and not concern and is_incident_form(document)
    return {
        "rejection": answer,
        "redacted": bool(answer.get("redacted")),
        "from_case_register": from_case_register,
        "from_concern": concern,
        "form": incident_form(document, problems) if fields else None,
        "concern_form": concern_form(document, problems) if as_concern else None,
        "text": None if fields or as_concern else answer.get("original_text", ""),
        "all_problems": (concern_problems if concern else danish_problems)(problems),
    }


async def rejection(api: PlatformApi, user: User, reference: str) -> dict[str, Any]:
    """One rejection with its input (intake audits the read), or why not."""
    problems = Problems()
    answer = await problems.attempt(api.rejected(user.token, reference, PURPOSE), {})
    if not answer:
        return {"rejection": None, "problems": problems.messages}
    view = correction_view(
        answer, _document(answer.get("original_text", "")), answer.get("reasons", [])
    )
    return {**view, "problems": problems.messages}


async def resubmit(
    api: PlatformApi, user: User, reference: str, corrected: bytes
) -> tuple[dict[str, Any] | None, list[dict[str, str]], str | None]:
    """(intake's answer when accepted, the problems when still invalid, a Danish error)."""
    try:
        answer = await api.resubmit(user.token, reference, corrected)
    except ApiError as exc:
        body = exc.body if isinstance(exc.body, dict) else {}
        if exc.status == 422 and isinstance(body.get("problems"), list):
            return None, body["problems"], None
        return None, [], danish_error(exc.service, exc.status, exc.code)
    return answer if isinstance(answer, dict) else {}, [], None
