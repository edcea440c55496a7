"""Min arbejdsliste: the letter tasks still to do (the role's own, those escalated to it, or
all), the courses with a deadline passed or consent awaited, the young people to hand over and
the overdue next steps; and the worklist's task actions: complete, waive, show and send a
letter, and send the week's letters shown. Gathered from the services' APIs with the user's
token; nothing is kept."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.console.adapters.platform_api import ApiError, PlatformApi
from services.console.application.asking import Problems, refusal_of
from services.console.application.follow_ups import overdue_next_steps
from services.console.domain.errors import danish_error
from services.console.domain.user import User
from services.console.domain.weeks import current_iso_week, shift_week
from shared.danish import (
    SEND_CHANNELS,
    course_deadline,
    danish_datetime,
    label,
    parse_moment,
    time_left,
)

STILL_TO_DO = ("open", "overdue")
"""The letter tasks' statuses the worklist asks for."""
MAX_COURSES_LOOKED_AT = 50
"""The worklist reads at most this many open courses' details (reviews and consent due)."""


async def worklist(api: PlatformApi, user: User, now: datetime, show_all: bool) -> dict[str, Any]:
    problems = Problems()
    mine, hidden = await letter_tasks_shown(api, user, now, show_all, problems)
    courses = await courses_due(api, user, problems) if user.reads_courses else []
    handovers = await handover_tasks(api, user, now, problems) if user.reads_minutes else []
    next_steps = await overdue_next_steps(api, user, problems, show_all)
    return {
        "tasks": mine,
        "next_steps": next_steps,
        "handovers": handovers,
        "hidden": hidden,
        "courses": courses,
        "show_all": show_all,
        "problems": problems.messages,
    }


WITHOUT_POLICE_CASE = "akut hændelse uden politisag"


def task_reference(task: dict[str, Any]) -> str:
    """What names a letter task to its reader: its journal number. The acute procedure's letter
    without a police case has none (issue 14, part 3)."""
    if task.get("journal_number"):
        return str(task["journal_number"])
    if task.get("kind") == "akut_standardbrev":
        return WITHOUT_POLICE_CASE
    return str(task.get("task_id", ""))


async def letter_tasks_shown(
    api: PlatformApi, user: User, now: datetime, show_all: bool, problems: Problems
) -> tuple[list[dict[str, Any]], int]:
    """The open and overdue letter tasks the worklist shows (the role's own and those escalated
    to the role, or all), soonest due first, and how many more there are. An escalated task
    is marked `escalated`."""
    purpose = "min arbejdsliste"
    tasks: list[dict[str, Any]] = []
    escalated: set[str] = set()
    if user.reads_letters:
        level = user.escalation_level
        asked: list[tuple[str, str, str | None]] = [
            (code, status, None) for code in user.municipalities for status in STILL_TO_DO
        ]
        if level is not None:
            asked += [(code, "to_do", level) for code in user.municipalities]
        answers = await asyncio.gather(
            *(
                problems.attempt(api.letter_tasks(user.token, code, status, purpose, to), {})
                for code, status, to in asked
            )
        )
        seen: set[str] = set()
        for (_, _, to), answer in zip(asked, answers, strict=True):
            for task in answer.get("tasks", []):
                if to is not None:
                    escalated.add(task["task_id"])
                if task["task_id"] not in seen:
                    seen.add(task["task_id"])
                    tasks.append(task)
    for task in tasks:
        task["escalated"] = task["task_id"] in escalated
    mine = [
        t for t in tasks if show_all or t["escalated"] or t.get("owner_role") == user.owner_role
    ]
    mine.sort(key=lambda t: (parse_moment(t.get("due_at")) or now, t["task_id"]))
    for task in mine:
        due = parse_moment(task.get("due_at"))
        task["reference"] = task_reference(task)
        task["time_left"] = time_left(due, now)
        task["is_overdue"] = task.get("status") == "overdue" or (due is not None and due < now)
    return mine, len(tasks) - len(mine)


async def courses_due(api: PlatformApi, user: User, problems: Problems) -> list[dict[str, Any]]:
    """Open courses whose review, follow-up, monthly meeting or letter is overdue, or whose
    consent is still awaited."""
    purpose = "min arbejdsliste: forloeb med frister"
    listed = await asyncio.gather(
        *(
            problems.attempt(api.courses(user.token, code, purpose), {})
            for code in user.municipalities
        )
    )
    summaries = [c for answer in listed for c in answer.get("courses", []) if c.get("person_key")]
    details = await asyncio.gather(
        *(
            problems.attempt(api.course(user.token, c["course_id"], purpose), {})
            for c in summaries[:MAX_COURSES_LOOKED_AT]
        )
    )
    due = []
    for course in details:
        overdue = course.get("overdue") or {}
        flags = (
            [name for name, value in overdue.items() if value]
            if isinstance(overdue, dict)
            else list(overdue)
        )
        consent = course.get("consent") or {}
        waiting_for_consent = consent.get("status") == "requested"
        if flags or waiting_for_consent:
            due.append(
                {
                    "course_id": course.get("course_id"),
                    "course_type": course.get("course_type"),
                    "journal_number": course.get("journal_number"),
                    "person_key": course.get("person_key"),
                    "overdue": [course_deadline(flag) for flag in flags],
                    "waiting_for_consent": waiting_for_consent,
                }
            )
    return due


HANDOVER_KINDS = (
    ("psp_ksp_handover", "Overdrag til PSP/KSP: fyldt 18 med et åbent punkt"),
    ("exit_referral", "Henvist til exit-koordinatoren"),
)


async def handover_tasks(
    api: PlatformApi, user: User, now: datetime, problems: Problems
) -> list[dict[str, Any]]:
    """This and last week's young people to hand over: adults to the PSP/KSP cooperation,
    exit referrals, and items a newly opened case handed to the caseworker."""
    weeks = (current_iso_week(now), shift_week(current_iso_week(now), -1))
    purpose = "min arbejdsliste: overdragelser"
    answers = await asyncio.gather(
        *(
            problems.attempt(api.handover(user.token, code, week, purpose), {})
            for code in user.municipalities
            for week in weeks
        )
    )
    found = []
    for answer in answers:
        for entry in answer.get("persons", []):
            reasons = [text for key, text in HANDOVER_KINDS if entry.get(key)]
            if entry.get("decision_kind") == "handover":
                reasons.append("Overdraget til sagsbehandleren: en sag blev åbnet")
            if reasons:
                found.append(
                    {
                        **entry,
                        "what": reasons,
                        "municipality_code": answer["municipality_code"],
                        "iso_week": answer["iso_week"],
                    }
                )
    return found


async def waive_task(api: PlatformApi, user: User, task_id: str, reason: str) -> str | None:
    """None when waived, else the Danish reason (also when notifications cannot waive yet)."""
    try:
        await api.waive_task(user.token, task_id, reason)
    except ApiError as exc:
        if exc.status in (404, 405) and exc.code is None:
            return "Brevtjenesten kan endnu ikke frafalde breve. Afslut opgaven i stedet."
        return danish_error(exc.service, exc.status, exc.code)
    return None


async def complete_task(api: PlatformApi, user: User, task_id: str) -> str | None:
    """None when done, else the Danish reason."""
    return await refusal_of(api.complete_task(user.token, task_id))


LETTER_PURPOSE = "brev til foraeldre"  # ASCII: an HTTP header (like "forloeb" above)
MAX_BATCH = 200  # notifications' limit per batch
SEND_REFUSALS = {
    "task_ended": "Brevet er ikke sendt: opgaven er allerede afsluttet (brevet kan være sendt "
    "eller frafaldet).",
    "intake_unavailable": "Brevet er ikke sendt: modtagernes navne og adresse kunne ikke hentes "
    "lige nu. Prøv igen om lidt.",
    "send_failed": "Brevet er ikke sendt: forsendelsen mislykkedes. Prøv igen om lidt.",
}
BATCH_RESULTS = {
    "already_ended": "allerede afsluttet",
    "not_found": "findes ikke eller er uden for din adgang",
    "failed": "forsendelsen mislykkedes",
}


@dataclass(frozen=True)
class LetterRefused:
    status: int
    message: str


def send_refusal(exc: ApiError) -> str:
    if exc.code in SEND_REFUSALS:
        return SEND_REFUSALS[exc.code]
    if exc.status == 409:
        return SEND_REFUSALS["task_ended"]
    return "Brevet er ikke sendt: " + danish_error(exc.service, exc.status, exc.code)


def sent_message(task: dict[str, Any]) -> str:
    channel = label(SEND_CHANNELS, task.get("channel") or "outbox")
    return (
        f"Brevet for {task_reference(task)} er sendt ({channel}) {danish_datetime(task.get('at'))}."
    )


async def letter_pdf(api: PlatformApi, user: User, task_id: str) -> bytes | LetterRefused:
    """The letter's PDF (notifications audits the read), or the Danish reason it is not."""
    try:
        return await api.letter_pdf(user.token, task_id, LETTER_PURPOSE)
    except ApiError as exc:
        if exc.status == 502:
            reason = "modtagernes navne og adresse kunne ikke hentes lige nu. Prøv igen om lidt."
        else:
            reason = danish_error(exc.service, exc.status, exc.code)
        return LetterRefused(exc.status, f"Brevet kan ikke vises: {reason}")


async def send_letter(api: PlatformApi, user: User, task_id: str) -> tuple[bool, str]:
    """(sent, the Danish message): the channel and time, or why not."""
    try:
        task = await api.send_letter(user.token, task_id)
    except ApiError as exc:
        return False, send_refusal(exc)
    return True, sent_message(task if isinstance(task, dict) else {})


@dataclass
class BatchSent:
    """The week's letters sent from the worklist: how many, and a Danish line per failure."""

    sent: int = 0
    failures: list[str] = field(default_factory=list)


async def send_shown_letters(
    api: PlatformApi, user: User, now: datetime, show_all: bool
) -> BatchSent:
    """Send the letters of the open and overdue tasks the worklist shows (as it shows them now),
    at most MAX_BATCH per call to notifications."""
    problems = Problems()
    shown, _ = await letter_tasks_shown(api, user, now, show_all, problems)
    outcome = BatchSent(failures=problems.messages)
    journal_of = {t["task_id"]: t["reference"] for t in shown}
    task_ids = list(journal_of)
    for start in range(0, len(task_ids), MAX_BATCH):
        try:
            answer = await api.send_letters(user.token, task_ids[start : start + MAX_BATCH])
        except ApiError as exc:
            outcome.failures.append(danish_error(exc.service, exc.status, exc.code))
            continue
        for result in answer.get("results", []):
            if result.get("result") == "sent":
                outcome.sent += 1
                continue
            why = BATCH_RESULTS.get(result.get("result"), "forsendelsen mislykkedes")
            task_id = result.get("task_id")
            outcome.failures.append(f"{journal_of.get(task_id, task_id)}: {why}")
    return outcome
