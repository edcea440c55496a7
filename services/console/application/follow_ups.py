"""Follow-up actions in the console (issue 17, part 2): the form that records one for a young
person, and the overdue next steps on the owner's worklist. Courses decides and audits; the
console only asks with the user's token and says the answer in Danish."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from services.console.adapters.platform_api import ApiError, PlatformApi
from services.console.application.asking import Problems
from services.console.domain.errors import danish_error
from services.console.domain.user import User
from shared.danish import (
    COPENHAGEN,
    FOLLOW_UP_KINDS,
    FOLLOW_UP_OUTCOMES,
    FOLLOW_UP_REFUSALS,
    danish_date,
)

PURPOSE = "min arbejdsliste: opfoelgninger"  # ASCII: an HTTP header
OWNER = re.compile(r"[A-Za-z0-9ÆØÅæøå._-]{1,40}")
JOURNAL = re.compile(r"[0-9]{4}-[0-9]{5}-[0-9]{5}-[0-9]{2}")
MAX_NOTE = 4000


def owners_of(user: User) -> list[str]:
    """The next-step owners that are this user: their role, and their user name where it
    can be an owner."""
    owners = [user.owner_role]
    if OWNER.fullmatch(user.subject) and user.subject not in owners:
        owners.append(user.subject)
    return owners


async def overdue_next_steps(
    api: PlatformApi, user: User, problems: Problems, show_all: bool = False
) -> list[dict[str, Any]]:
    """Next steps not done by their due date that the user owns (or, with `show_all`, every
    one in the user's municipalities), the oldest due first."""
    if not user.records_follow_ups:
        return []
    owners: list[str | None] = [None] if show_all else list(owners_of(user))
    answers = await asyncio.gather(
        *(
            problems.attempt(api.follow_ups(user.token, code, owner, "overdue", PURPOSE), {})
            for code in user.municipalities
            for owner in owners
        )
    )
    seen: set[str] = set()
    found = []
    for answer in answers:
        for action in answer.get("follow_ups", []):
            if action["action_id"] not in seen and action.get("next_step"):
                seen.add(action["action_id"])
                found.append(action)
    found.sort(key=lambda a: (a["next_step"]["due_on"], a["action_id"]))
    return found


@dataclass
class FollowUpForm:
    """What the form holds: as typed (re-shown after a refusal) and the problems found."""

    person_key: str
    municipality: str
    kind: str = ""
    held_on: str = ""
    held_by: str = ""
    outcome: str = "held"
    journal: str = ""
    next_kind: str = ""
    next_owner: str = ""
    next_due: str = ""
    note: str = ""
    problems: list[str] = field(default_factory=list)

    @classmethod
    def blank(cls, user: User, person_key: str, journal: str, today: date) -> FollowUpForm:
        return cls(
            person_key=person_key,
            municipality=user.municipalities[0] if user.municipalities else "",
            held_on=today.isoformat(),
            held_by=user.subject if OWNER.fullmatch(user.subject) else "",
            journal=journal if JOURNAL.fullmatch(journal) else "",
            next_owner=user.owner_role,
        )

    def check(self, user: User) -> None:
        """Each problem in Danish, saying what is allowed."""
        if self.kind not in FOLLOW_UP_KINDS:
            self.problems.append("Vælg hvilken handling, der blev udført.")
        if self.outcome not in FOLLOW_UP_OUTCOMES:
            self.problems.append("Vælg resultatet af handlingen.")
        if self.municipality not in user.municipalities:
            self.problems.append("Vælg en af dine kommuner.")
        if _day(self.held_on) is None:
            self.problems.append("Vælg datoen for handlingen.")
        if not OWNER.fullmatch(self.held_by):
            self.problems.append(
                "Skriv initialerne på den, der udførte handlingen (bogstaver og tal, højst 40)."
            )
        if self.journal and not JOURNAL.fullmatch(self.journal):
            self.problems.append("Journalnummeret skal se sådan ud: 3700-80123-00456-26.")
        if len(self.note) > MAX_NOTE:
            self.problems.append(f"Noten må højst være {MAX_NOTE} tegn.")
        if self.next_kind:
            if self.next_kind not in FOLLOW_UP_KINDS:
                self.problems.append("Vælg hvad næste skridt er.")
            if not OWNER.fullmatch(self.next_owner):
                self.problems.append("Skriv hvem der er ansvarlig for næste skridt.")
            if _day(self.next_due) is None:
                self.problems.append("Vælg fristen for næste skridt.")

    def body(self) -> dict[str, Any]:
        return {
            "person_key": self.person_key,
            "municipality_code": self.municipality,
            "journal_number": self.journal or None,
            "kind": self.kind,
            "held_on": self.held_on,
            "held_by": self.held_by,
            "outcome": self.outcome,
            "next_step": (
                {"kind": self.next_kind, "owner": self.next_owner, "due_on": self.next_due}
                if self.next_kind
                else None
            ),
            "note": self.note,
        }


async def record(api: PlatformApi, user: User, form: FollowUpForm) -> str | None:
    """None when recorded (form.problems empty), else the Danish reason it was not."""
    form.check(user)
    if form.problems:
        return None
    try:
        await api.record_follow_up(user.token, form.body())
    except ApiError as exc:
        form.problems.append(
            FOLLOW_UP_REFUSALS.get(exc.code or "")
            or danish_error(exc.service, exc.status, exc.code)
        )
        return None
    kind = FOLLOW_UP_KINDS[form.kind].lower()
    if form.next_kind:
        due = _day(form.next_due)
        return (
            f"Opfølgningen ({kind}) er gemt. Næste skridt: "
            f"{FOLLOW_UP_KINDS[form.next_kind].lower()}, frist {danish_date(due)}."
        )
    return f"Opfølgningen ({kind}) er gemt."


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def today_of(now: datetime) -> date:
    return now.astimezone(COPENHAGEN).date()
