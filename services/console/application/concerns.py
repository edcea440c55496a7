"""Bekymringer (issue 15, part 5) in the console: the form that registers a concern that does
not come from the police (sent to intake with the user's own token), the concerns on a weekly
meeting's agenda (triage decides who sees which), and one concern with the person's earlier
concerns (reporting) and, for those allowed, who reported it and what they wrote (intake
audits that read). Nothing is kept here."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import uuid4

from services.console.adapters.platform_api import ApiError, PlatformApi
from services.console.application.asking import Problems
from services.console.application.meeting import agenda_concerns, meeting_purpose, resolve_names
from services.console.domain.errors import danish_error
from services.console.domain.user import User
from shared.danish import CONCERN_CATEGORIES, REPORTER_KINDS

MAX_TEXT = 4000
MAX_NAME = 200
FIELDS = {
    "cpr": "CPR-nummer",
    "name": "Navn",
    "municipality_code": "Kommune",
    "school": "Skole",
    "category": "Hvad bekymringen handler om",
    "reporter.kind": "Hvem er bekymret",
    "reporter.name": "Indberetterens navn",
    "reporter.contact": "Kontakt til indberetteren",
    "text": "Beskrivelse",
    "registered_at": "Tidspunkt",
    "concern_id": "Bekymringens id",
}
"""The form's field for each field of the contract (intake names the contract's)."""
WHY = {
    "missing": "skal udfyldes",
    "string_too_long": "er for lang",
    "string_too_short": "skal udfyldes",
    "literal_error": "skal være et af valgene",
    "unknown_municipality": "er ikke en dansk kommune",
    "municipality_not_served": "er ikke en af de kommuner, platformen betjener",
    "not_a_name": "skal være et navn (bogstaver)",
    "cpr_in_name": "må ikke indeholde et CPR-nummer",
}
"""Why a field was refused, in Danish (a CPR number's own codes: `cpr_...`)."""


def new_concern_id() -> str:
    """Given to the form when it is shown: sending the same form twice registers it once."""
    return str(uuid4())


@dataclass
class ConcernForm:
    """What the person typed (shown again when something must be corrected)."""

    concern_id: str
    cpr: str = ""
    name: str = ""
    municipality_code: str = ""
    school: str = ""
    category: str = ""
    reporter_kind: str = ""
    reporter_name: str = ""
    reporter_contact: str = ""
    text: str = ""
    problems: list[str] = field(default_factory=list)

    def missing(self) -> list[str]:
        """What the console can tell before asking intake: the required fields and sizes."""
        found = []
        required = {
            "cpr": self.cpr,
            "category": self.category,
            "reporter.kind": self.reporter_kind,
            "text": self.text,
        }
        for name, value in required.items():
            if not value:
                found.append(f"{FIELDS[name]} skal udfyldes.")
        if self.category and self.category not in CONCERN_CATEGORIES:
            found.append(f"{FIELDS['category']} skal være et af valgene.")
        if self.reporter_kind and self.reporter_kind not in REPORTER_KINDS:
            found.append(f"{FIELDS['reporter.kind']} skal være et af valgene.")
        if len(self.cpr) > 20:
            found.append(f"{FIELDS['cpr']} skrives med ti cifre, fx 120310-4123.")
        if len(self.text) > MAX_TEXT:
            found.append(f"{FIELDS['text']} må højst have {MAX_TEXT} tegn.")
        for name, value in (
            ("name", self.name),
            ("reporter.name", self.reporter_name),
            ("reporter.contact", self.reporter_contact),
        ):
            if len(value) > MAX_NAME:
                found.append(f"{FIELDS[name]} må højst have {MAX_NAME} tegn.")
        return found

    def document(self, now: datetime) -> dict[str, Any]:
        """The `Concern` intake takes (docs/contracts.md)."""
        reporter: dict[str, Any] = {"kind": self.reporter_kind}
        if self.reporter_name:
            reporter["name"] = self.reporter_name
        if self.reporter_contact:
            reporter["contact"] = self.reporter_contact
        return {
            "concern_id": self.concern_id,
            "cpr": self.cpr,
            "name": self.name or None,
            "municipality_code": self.municipality_code,
            "school": self.school or None,
            "category": self.category,
            "reporter": reporter,
            "text": self.text,
            "registered_at": now.isoformat(),
        }


def danish_problems(problems: list[dict[str, Any]]) -> list[str]:
    """Intake's problems (field and code) as the form's fields, in Danish; never a value."""
    said = []
    for problem in problems:
        name = FIELDS.get(str(problem.get("field")), "Et felt")
        code = str(problem.get("code", ""))
        why = (
            "er ikke et gyldigt CPR-nummer"
            if code.startswith("cpr_") and code != "cpr_in_name"
            else WHY.get(code, "er ikke gyldig")
        )
        line = f"{name} {why}."
        if line not in said:
            said.append(line)
    return said


@dataclass(frozen=True)
class Registered:
    municipality_code: str
    iso_week: str
    duplicate: bool


async def register(
    api: PlatformApi, user: User, form: ConcernForm, now: datetime
) -> Registered | list[str]:
    """Registered, or the Danish problems to show on the form (a concern intake rejected is
    kept there for correction all the same)."""
    try:
        body = await api.register_concern(user.token, form.document(now))
    except ApiError as exc:
        if exc.status != 422 or not isinstance(exc.body, dict):
            return [danish_error(exc.service, exc.status, exc.code)]
        kept = (
            "Indberetningen er gemt som afvist hos modtagelsen (reference "
            f"{exc.body.get('reference')}) og kan rettes under Afviste indberetninger."
        )
        return [*danish_problems(exc.body.get("problems", [])), kept]
    return Registered(body["municipality_code"], body["iso_week"], body["status"] == "duplicate")


async def concern_page(
    api: PlatformApi,
    user: User,
    municipality: str,
    week: str,
    concern_id: str,
    *,
    with_name: bool,
    with_text: bool,
) -> dict[str, Any]:
    """One concern on the agenda (as triage shows it to the user), the young person's other
    concerns, and, asked for, the name and what the reporter wrote."""
    problems = Problems()
    name = f"{municipality}/{week}"
    purpose = meeting_purpose(name)
    listed, _ = await agenda_concerns(api, user, municipality, week, problems)
    concern = next((c for c in listed if c.get("concern_id") == concern_id), None)
    if concern is None:
        if not problems.messages:
            problems.messages.append(danish_error("triage", 404))
        return {"concern": None, "problems": problems.messages}
    person_key = concern["person_key"]
    history_task = (
        problems.attempt(api.person_concerns(user.token, person_key, purpose), {})
        if user.reads_person_concerns
        else asyncio.sleep(0, {})
    )
    text_task = (
        problems.attempt(api.concern(user.token, concern_id, purpose), {})
        if with_text and user.reads_concern_text
        else asyncio.sleep(0, {})
    )
    names_task = (
        resolve_names(api, user, name, [person_key], problems)
        if with_name
        else asyncio.sleep(0, {})
    )
    history, text, names = await asyncio.gather(history_task, text_task, names_task)
    return {
        "concern": concern,
        "name": names.get(person_key),
        "earlier": [c for c in history.get("concerns", []) if c.get("concern_id") != concern_id],
        "confidential": text or None,
        "problems": problems.messages,
    }
