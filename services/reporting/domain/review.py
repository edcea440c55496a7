"""The review export (issue 17, part 4): a reproducible random sample of persons and the
checks a reviewer (Ankestyrelsen, or the municipality's own quality reviewer) asks of each.

Sampling: the population is the distinct person keys, sorted; `random.Random(seed).sample`
draws `min(size, population)` of them, and the sample is returned sorted. The same seed and the
same population give the same sample on every machine and Python version (the Mersenne
Twister and `sample` are specified for a given seed).

Each check answers from the person's stored timeline rows (step, time, facts), never from
free text: `opfyldt`, `ikke_opfyldt` or `kan_ikke_vurderes`, with the facts it rests on.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel

from shared.danish import COPENHAGEN

Finding = Literal["opfyldt", "ikke_opfyldt", "kan_ikke_vurderes"]
Row = Mapping[str, Any]

FINDING_WORDS: dict[str, str] = {
    "opfyldt": "Opfyldt",
    "ikke_opfyldt": "Ikke opfyldt",
    "kan_ikke_vurderes": "Kan ikke vurderes",
}
ROUTED = frozenset({"routed_caseworker", "routed_tovholder"})
LETTER_INFORMED = frozenset({"sent", "completed"})
OVERDUE_COURSE_EVENTS = frozenset(
    {
        "review_overdue",
        "consent_overdue",
        "contract_measure_overdue",
        "standard_letter_overdue",
        "meeting_missed",
    }
)
CONSENT_SETTLED = frozenset({"consent_given", "consent_not_required"})
NEEDS_CONSENT = frozenset({"measure_started"})


class CheckResult(BaseModel):
    check: str
    question: str
    finding: Finding
    facts: list[str]
    """What the finding rests on, in Danish (codes, dates and counts; never free text)."""


def draw_sample(person_keys: Iterable[str], size: int, seed: int) -> list[str]:
    """`min(size, population)` distinct persons, the same for the same seed and population."""
    population = sorted(set(person_keys))
    chosen = random.Random(seed).sample(population, min(size, len(population)))
    return sorted(chosen)


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _facts(row: Row) -> Mapping[str, Any]:
    facts = row.get("facts") or {}
    return facts if isinstance(facts, Mapping) else {}


def _danish_time(value: str) -> str:
    moment = _when(value)
    local = moment.astimezone(COPENHAGEN) if moment.tzinfo else moment
    return local.strftime("%d.%m.%Y kl. %H:%M")


def earlier_reports_visible(rows: Sequence[Row]) -> CheckResult:
    """(1) Every routing decision counted each earlier police report of the person that the
    platform had accepted before the decision (another journal number, reported earlier)."""
    question = "Var alle tidligere anmeldelser synlige, da der blev truffet afgørelse?"
    reports: dict[str, tuple[datetime, datetime]] = {}
    for row in rows:
        if row["step"] == "incident_accepted" and row.get("journal_number"):
            reported = _facts(row).get("reported_at")
            if isinstance(reported, str) and row["journal_number"] not in reports:
                reports[row["journal_number"]] = (_when(reported), _when(row["at"]))
    decisions = [row for row in rows if row["step"] in ROUTED]
    if not decisions:
        return CheckResult(
            check="tidligere_anmeldelser", question=question, finding="kan_ikke_vurderes",
            facts=["Ingen afgørelse om personen."],
        )  # fmt: skip
    facts: list[str] = []
    finding: Finding = "opfyldt"
    for decision in decisions:
        journal = decision.get("journal_number")
        counted = _facts(decision).get("earlier_reports")
        own = reports.get(str(journal))
        decided = _when(decision["at"])
        known = (
            sum(
                1
                for other, (reported, accepted) in reports.items()
                if other != journal and reported < own[0] and accepted <= decided
            )
            if own
            else None
        )
        label = (
            f"Afgørelse {journal} (revision {decision.get('revision')}) "
            f"{_danish_time(decision['at'])}"
        )
        if not isinstance(counted, int) or known is None:
            facts.append(f"{label}: kendte tidligere anmeldelser kan ikke opgøres.")
            if finding == "opfyldt":
                finding = "kan_ikke_vurderes"
            continue
        facts.append(
            f"{label}: {counted} tidligere anmeldelse(r) indgik; "
            f"{known} var modtaget inden afgørelsen."
        )
        if counted < known:
            finding = "ikke_opfyldt"
    return CheckResult(
        check="tidligere_anmeldelser", question=question, finding=finding, facts=facts
    )


def _letter_tasks(rows: Sequence[Row]) -> dict[str, list[Row]]:
    tasks: dict[str, list[Row]] = {}
    for row in rows:
        if row["step"].startswith("letter_task_"):
            task_id = _facts(row).get("task_id")
            if isinstance(task_id, str):
                tasks.setdefault(task_id, []).append(row)
    return tasks


def parents_informed(rows: Sequence[Row]) -> CheckResult:
    """(2) The parents were informed: each letter task (not cancelled) ended as sent (or
    completed, or waived with a reason) by its deadline."""
    question = "Blev forældrene orienteret, og hvornår?"
    tasks = _letter_tasks(rows)
    facts: list[str] = []
    findings: list[Finding] = []
    for task_id, events in sorted(tasks.items()):
        by_event = {str(_facts(e).get("event")): e for e in events}
        if "cancelled" in by_event:
            facts.append(f"Brevopgave {task_id}: annulleret.")
            continue
        due = str(_facts(events[-1]).get("due_at"))
        ended = next((by_event[e] for e in ("sent", "completed") if e in by_event), None)
        if ended is not None:
            late = _when(ended["at"]) > _when(due)
            facts.append(
                f"Brevopgave {task_id}: brev sendt {_danish_time(ended['at'])}, "
                f"frist {_danish_time(due)}" + (" (efter fristen)." if late else ".")
            )
            findings.append("ikke_opfyldt" if late else "opfyldt")
        elif "waived" in by_event:
            reason = _facts(by_event["waived"]).get("waiver_reason") or "uden begrundelse"
            facts.append(f"Brevopgave {task_id}: frafaldet ({reason}).")
            findings.append("opfyldt" if reason != "uden begrundelse" else "ikke_opfyldt")
        elif "overdue" in by_event:
            facts.append(
                f"Brevopgave {task_id}: ikke sendt, frist {_danish_time(due)} overskredet."
            )
            findings.append("ikke_opfyldt")
        else:
            facts.append(f"Brevopgave {task_id}: åben, frist {_danish_time(due)}.")
            findings.append("kan_ikke_vurderes")
    if not findings:
        facts.append("Ingen brevopgave om orientering af forældrene.")
    return CheckResult(
        check="forældre_orienteret", question=question, finding=_worst(findings), facts=facts
    )


def deadlines_kept(rows: Sequence[Row], today: date | None = None) -> CheckResult:
    """(3) No deadline passed: no letter task or course step was reported overdue, every
    letter ended by its deadline, and a turning-18 handover was completed by its due date
    (still open after it, `today` in the Danish calendar, it was not)."""
    question = "Blev fristerne overholdt?"
    letters = parents_informed(rows)
    facts = [f for f in letters.facts if "frist" in f]
    findings: list[Finding] = [letters.finding] if letters.finding != "kan_ikke_vurderes" else []
    for row in rows:
        event = _facts(row).get("event")
        if row["step"] == "course_changed" and event in OVERDUE_COURSE_EVENTS:
            facts.append(f"Forløb: {event} {_danish_time(row['at'])}.")
            findings.append("ikke_opfyldt")
        elif row["step"] == "meeting_action_agreed" and _facts(row).get("due_on"):
            facts.append(f"Aftalt handling på mødet, frist {_facts(row).get('due_on')}.")
    handover_facts, handover_findings = _handover_kept(rows, today)
    facts += handover_facts
    findings += handover_findings
    if not findings:
        facts.append("Ingen frist at vurdere.")
    return CheckResult(check="frister", question=question, finding=_worst(findings), facts=facts)


def _handover_kept(rows: Sequence[Row], today: date | None) -> tuple[list[str], list[Finding]]:
    """The turning-18 PSP/KSP handover: completed on or before its due date (Danish calendar
    day) is kept, later is not. Still open after its due date (no overdue is published for it,
    so `today` decides) it is not kept either; open before it, it is a fact only."""
    opened = next((r for r in rows if r["step"] == "psp_ksp_handover_opened"), None)
    if opened is None or not _facts(opened).get("due_on"):
        return [], []
    due = date.fromisoformat(str(_facts(opened)["due_on"]))
    completed = next((r for r in rows if r["step"] == "psp_ksp_handover_completed"), None)
    if completed is None:
        if today is not None and today > due:
            return [f"Overdragelse til PSP/KSP: åben efter fristen {due:%d.%m.%Y}."], [
                "ikke_opfyldt"
            ]
        return [f"Overdragelse til PSP/KSP: åben, frist {due:%d.%m.%Y}."], []
    done_on = _when(completed["at"]).astimezone(COPENHAGEN).date()
    late = done_on > due
    fact = (
        f"Overdragelse til PSP/KSP: afsluttet {_danish_time(completed['at'])}, frist "
        f"{due:%d.%m.%Y}" + (" (efter fristen)." if late else ".")
    )
    return [fact], ["ikke_opfyldt" if late else "opfyldt"]


def consent_recorded(rows: Sequence[Row]) -> CheckResult:
    """(4) A course's measure started only after consent was given or recorded as not
    required in that course."""
    question = "Var samtykke registreret, hvor en indsats krævede det?"
    settled: set[str] = set()
    facts: list[str] = []
    finding: Finding = "opfyldt"
    for row in rows:
        if row["step"] != "course_changed":
            continue
        facts_of = _facts(row)
        course, event = str(facts_of.get("course_id")), facts_of.get("event")
        if event in CONSENT_SETTLED:
            settled.add(course)
            facts.append(f"Forløb {course}: {event} {_danish_time(row['at'])}.")
        elif event in NEEDS_CONSENT:
            ok = course in settled
            facts.append(
                f"Forløb {course}: indsats startet {_danish_time(row['at'])}"
                + ("." if ok else " uden registreret samtykke.")
            )
            if not ok:
                finding = "ikke_opfyldt"
    if not facts:
        facts.append("Ingen indsats, der krævede samtykke.")
    return CheckResult(check="samtykke", question=question, finding=finding, facts=facts)


def _worst(findings: Sequence[Finding]) -> Finding:
    if "ikke_opfyldt" in findings:
        return "ikke_opfyldt"
    if not findings or "kan_ikke_vurderes" in findings:
        return "kan_ikke_vurderes"
    return "opfyldt"


def review_checks(rows: Sequence[Row], today: date | None = None) -> list[CheckResult]:
    """Every check of one person, in the order a reviewer asks them; `today` (the Danish
    calendar day) tells whether a deadline still open has passed."""
    return [
        earlier_reports_visible(rows),
        parents_informed(rows),
        deadlines_kept(rows, today),
        consent_recorded(rows),
    ]
