"""Ugens møde: the weekly meeting's agenda (the week's police reports and the concerns), one
child's item on it (earlier reports, who appears together with them, open courses, letter
tasks, the minutes) with the names for those who may resolve them, and what the meeting
records: its decision on route and owner, agreed actions and notes. Asked of the services with
the user's token and the meeting as the stated purpose; nothing is kept."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from services.console.adapters.platform_api import ApiError, PlatformApi
from services.console.application.asking import Problems, refusal_of
from services.console.application.worklist import STILL_TO_DO
from services.console.domain.errors import danish_error
from services.console.domain.user import User


def meeting_purpose(meeting: str) -> str:
    return f"ugens moede {meeting}"  # header values are ASCII


async def resolve_names(
    api: PlatformApi, user: User, meeting: str, person_keys: list[str], problems: Problems
) -> dict[str, str]:
    if not person_keys or not user.can_resolve_names:
        return {}
    answer = await problems.attempt(
        api.resolve_meeting(
            user.token, meeting, sorted(set(person_keys)), meeting_purpose(meeting)
        ),
        {},
    )
    return {
        p["person_key"]: " / ".join(p.get("names") or []) or "(navn ikke oplyst)"
        for p in answer.get("persons", [])
    }


def _sort_key(entry: dict[str, Any]) -> tuple[str, str, str]:
    return (entry.get("reported_at") or "", entry["journal_number"], entry["person_key"])


async def agenda_concerns(
    api: PlatformApi, user: User, municipality: str, week: str, problems: Problems
) -> tuple[list[dict[str, Any]], bool]:
    """The concerns that do not come from the police on the meeting's agenda (issue 15,
    part 5) the user may see, and whether the meeting has been held."""
    if not user.reads_meeting:
        return [], False
    name = f"{municipality}/{week}"
    answer = await problems.attempt(
        api.meeting_concerns(user.token, municipality, week, meeting_purpose(name)), {}
    )
    concerns = sorted(answer.get("concerns", []), key=lambda c: c.get("registered_at", ""))
    return concerns, bool(answer.get("held"))


async def meeting(
    api: PlatformApi, user: User, municipality: str, week: str, with_names: bool
) -> dict[str, Any]:
    problems = Problems()
    name = f"{municipality}/{week}"
    # The agenda: the week's police reports (reporting) and the concerns (triage, issue 15).
    handover, (concerns, held) = await asyncio.gather(
        problems.attempt(api.handover(user.token, municipality, week, meeting_purpose(name)), {}),
        agenda_concerns(api, user, municipality, week, problems),
    )
    entries = sorted(handover.get("persons", []), key=_sort_key)
    on_agenda = [e["person_key"] for e in entries] + [c["person_key"] for c in concerns]
    courses_task = (
        problems.attempt(api.courses(user.token, municipality, meeting_purpose(name)), {})
        if user.reads_courses
        else _nothing()
    )
    names_task = resolve_names(api, user, name, on_agenda, problems) if with_names else _no_names()
    minutes_task = (
        problems.attempt(api.minutes(user.token, municipality, week, meeting_purpose(name)), {})
        if user.reads_minutes
        else _nothing()
    )
    courses, names, minutes = await asyncio.gather(courses_task, names_task, minutes_task)
    open_courses = Counter(
        c["person_key"] for c in courses.get("courses", []) if c.get("person_key")
    )
    taken_up = Counter(
        (a["journal_number"], a["person_key"])
        for a in [*minutes.get("decisions", []), *minutes.get("actions", [])]
    )
    items = [
        {
            **entry,
            "name": names.get(entry["person_key"]),
            "open_courses": open_courses[entry["person_key"]],
            "recorded": taken_up[(entry["journal_number"], entry["person_key"])],
        }
        for entry in entries
    ]
    return {
        "meeting": name,
        "items": items,
        "concerns": [{**c, "name": names.get(c["person_key"])} for c in concerns],
        "held": held,
        "minutes": minutes or None,
        "loaded": bool(handover),
        "with_names": with_names and bool(names),
        "problems": problems.messages,
    }


async def _nothing() -> dict[str, Any]:
    return {}


async def _no_lists() -> list[dict[str, Any]]:
    return []


async def _no_names() -> dict[str, str]:
    return {}


async def meeting_item(
    api: PlatformApi,
    user: User,
    municipality: str,
    week: str,
    journal_number: str,
    person_key: str,
    with_names: bool,
) -> dict[str, Any]:
    """One child on the agenda: the item, earlier reports, who appears together with them,
    open courses, and (for those who may) the names."""
    problems = Problems()
    name = f"{municipality}/{week}"
    purpose = meeting_purpose(name)
    handover = await problems.attempt(api.handover(user.token, municipality, week, purpose), {})
    entry = next(
        (
            e
            for e in handover.get("persons", [])
            if e["journal_number"] == journal_number and e["person_key"] == person_key
        ),
        None,
    )
    if entry is None:
        if not problems.messages:
            problems.messages.append(danish_error("reporting", 404))
        return {"meeting": name, "entry": None, "problems": problems.messages}
    decision_task = problems.attempt(api.decisions(user.token, journal_number, purpose), {})
    co_task = (
        problems.attempt(api.co_registered(user.token, person_key, purpose), {})
        if user.reads_co_registrations
        else _nothing()
    )
    courses_task = (
        problems.attempt(api.courses(user.token, municipality, purpose), {})
        if user.reads_courses
        else _nothing()
    )
    minutes_task = (
        problems.attempt(api.minutes(user.token, municipality, week, purpose), {})
        if user.reads_minutes
        else _nothing()
    )
    letters_task = (
        asyncio.gather(
            *(
                problems.attempt(api.letter_tasks(user.token, municipality, status, purpose), {})
                for status in STILL_TO_DO
            )
        )
        if user.reads_letters
        else _no_lists()
    )
    concerns_task = (  # the child's history: concerns beside the reports (issue 15)
        problems.attempt(api.person_concerns(user.token, person_key, purpose), {})
        if user.reads_person_concerns
        else _nothing()
    )
    decisions, co_registered, courses, minutes, letters, concerns = await asyncio.gather(
        decision_task, co_task, courses_task, minutes_task, letters_task, concerns_task
    )
    letter_tasks = [
        t
        for answer in letters
        for t in answer.get("tasks", [])
        if t.get("journal_number") == journal_number and t.get("person_key") == person_key
    ]

    def of_item(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            r
            for r in records
            if r.get("journal_number") == journal_number and r.get("person_key") == person_key
        ]

    decision = next(
        (d for d in decisions.get("decisions", []) if d.get("person_key") == person_key), None
    )
    history = (decision or {}).get("history") or {}
    together = co_registered.get("persons", [])
    names: dict[str, str] = {}
    if with_names:
        names = await resolve_names(
            api, user, name, [person_key, *(p["person_key"] for p in together)], problems
        )
    return {
        "meeting": name,
        "entry": entry,
        "decision": decision,
        "earlier_reports": history.get("reports", []),
        "earlier_count": history.get("earlier_reports", entry.get("earlier_reports")),
        "concerns": concerns.get("concerns", []),
        "co_registered": [{**p, "name": names.get(p["person_key"])} for p in together],
        "courses": [c for c in courses.get("courses", []) if c.get("person_key") == person_key],
        "name": names.get(person_key),
        "with_names": with_names and bool(names),
        "letter_tasks": letter_tasks,
        "actions": of_item(minutes.get("actions", [])),
        "notes": of_item(minutes.get("notes", [])),
        "meeting_decisions": of_item(minutes.get("decisions", [])),
        "problems": problems.messages,
    }


async def agree_action(
    api: PlatformApi, user: User, municipality: str, week: str, body: dict[str, Any]
) -> str | None:
    """None when recorded, else the Danish reason."""
    return await refusal_of(api.agree_action(user.token, municipality, week, body))


async def record_note(
    api: PlatformApi, user: User, municipality: str, week: str, body: dict[str, Any]
) -> str | None:
    """None when recorded, else the Danish reason."""
    return await refusal_of(api.record_note(user.token, municipality, week, body))


async def revise_at_meeting(
    api: PlatformApi,
    user: User,
    meeting_name: str,
    journal_number: str,
    person_key: str,
    route: str,
    owner_role: str,
    owner_team: str | None,
) -> tuple[bool, str | None]:
    """(revised, Danish problem or None)."""
    try:
        answer = await api.revise_at_meeting(
            user.token,
            journal_number,
            person_key,
            {
                "meeting": meeting_name,
                "route": route,
                "owner_role": owner_role,
                "owner_team": owner_team,
            },
        )
    except ApiError as exc:
        return False, danish_error(exc.service, exc.status, exc.code)
    return bool(answer.get("revised")), None
