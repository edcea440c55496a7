"""What each page shows, gathered from the services' APIs with the user's token: the worklist,
the weekly meeting and one child's item on it, the trace and the statistics. Nothing is kept:
every page asks again, so every read is decided and audited where the data is.

Over 400 lines because the pages share how they ask (the user's token, the services' errors
turned into Danish messages); one module per page is the next step when a page grows."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from services.console.adapters.platform_api import ApiError, PlatformApi
from services.console.application.follow_ups import overdue_next_steps
from services.console.domain.chart import Bar, bar_chart
from services.console.domain.errors import danish_error
from services.console.domain.user import User
from services.console.domain.weeks import current_iso_week, shift_week
from shared.danish import (
    CLOCKS,
    OFFENCES,
    ROUTES,
    SEND_CHANNELS,
    SEVERITIES,
    clock_duration,
    course_deadline,
    danish_datetime,
    label,
    parse_moment,
    time_left,
)

T = TypeVar("T")

STILL_TO_DO = ("open", "overdue")
"""The letter tasks' statuses the worklist asks for."""
MAX_COURSES_LOOKED_AT = 50
"""The worklist reads at most this many open courses' details (reviews and consent due)."""


def meeting_purpose(meeting: str) -> str:
    return f"ugens moede {meeting}"  # header values are ASCII


@dataclass
class Problems:
    """Danish messages of the calls that failed; the page shows what it could get."""

    messages: list[str] = field(default_factory=list)

    async def attempt(self, call: Awaitable[T], default: T) -> T:
        try:
            return await call
        except ApiError as exc:
            message = danish_error(exc.service, exc.status, exc.code)
            if message not in self.messages:
                self.messages.append(message)
            return default


# --- Min arbejdsliste -----------------------------------------------------------------------
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


async def refusal_of(call: Awaitable[object]) -> str | None:
    """None when the call to a service succeeded, else why not, in Danish."""
    try:
        await call
    except ApiError as exc:
        return danish_error(exc.service, exc.status, exc.code)
    return None


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


# --- Ugens møde -----------------------------------------------------------------------------
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


# --- Sporing og Statistik -------------------------------------------------------------------
async def trace(api: PlatformApi, user: User, journal_number: str) -> dict[str, Any]:
    problems = Problems()
    answer = await problems.attempt(api.trace(user.token, journal_number, "sporing"), {})
    return {
        "journal_number": journal_number,
        "steps": answer.get("steps", []),
        "problems": problems.messages,
    }


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


Page = Callable[..., Awaitable[dict[str, Any]]]
