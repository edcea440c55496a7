"""The page Kvalitetsgennemgang (issue 17, part 4): reporting's review sample of a municipality's
year, each person with the finding of every check, and links to each person's export (PDF and
JSON). Asked with the user's own token: reporting decides, scopes and audits each person."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from services.console.adapters.platform_api import PlatformApi
from services.console.application.asking import Problems
from services.console.domain.user import User
from shared.contracts.municipalities import MUNICIPALITIES

PURPOSE = "kvalitetsgennemgang: review sample"
"""An HTTP header: ASCII only."""
CHECKS = (
    ("tidligere_anmeldelser", "Tidligere anmeldelser synlige"),
    ("forældre_orienteret", "Forældre orienteret"),
    ("frister", "Frister overholdt"),
    ("samtykke", "Samtykke registreret"),
)
FINDINGS = {
    "opfyldt": "Opfyldt",
    "ikke_opfyldt": "Ikke opfyldt",
    "kan_ikke_vurderes": "Kan ikke vurderes",
}
LARGEST_SAMPLE = 1000


@dataclass(frozen=True)
class SampleRequest:
    municipality: str
    year: int
    size: int
    seed: int
    names: bool = False
    """Resolve the children's names (intake, the review as purpose), for a role allowed to."""


def municipalities_of(user: User) -> list[tuple[str, str]]:
    """The municipalities the user may review (the auditor: every one), by name."""
    codes = user.municipalities or tuple(MUNICIPALITIES)
    return sorted(((c, MUNICIPALITIES.get(c, c)) for c in codes), key=lambda pair: pair[1])


async def review_sample(api: PlatformApi, user: User, asked: SampleRequest) -> dict[str, Any]:
    problems = Problems()
    answer = await problems.attempt(
        api.review_sample(
            user.token, asked.municipality, asked.year, asked.size, asked.seed, PURPOSE
        ),
        {},
    )
    persons = [
        {
            "person_key": p["person_key"],
            "findings": [p["findings"].get(check, "kan_ikke_vurderes") for check, _ in CHECKS],
        }
        for p in answer.get("persons", [])
    ]
    failed = sum(1 for p in persons if "ikke_opfyldt" in p["findings"])
    names: dict[str, str] = {}
    if asked.names and persons and user.can_resolve_names:
        keys = [p["person_key"] for p in persons]
        review = f"{asked.municipality}/{asked.year}"
        resolved = await problems.attempt(api.resolve_review(user.token, review, keys, PURPOSE), {})
        names = {
            p["person_key"]: _joined(p) or "(navn ikke oplyst)" for p in resolved.get("persons", [])
        }
    return {
        "persons": persons,
        "names": names,
        "population": answer.get("population"),
        "failed": failed,
        "problems": problems.messages,
    }


async def named(api: PlatformApi, user: User, review: str, person_key: str) -> str | None:
    """The child's name for one export, resolved at intake with the review as occasion
    (`review`: `607/2026`; audited there, and counted against the review's limit): None when
    the user may not resolve names or intake knows no name."""
    if not user.can_resolve_names:
        return None
    resolved = await api.resolve_review(user.token, review, [person_key], PURPOSE)
    return next((_joined(p) for p in resolved.get("persons", [])), "") or None


def _joined(resolved: dict[str, Any]) -> str:
    """A resolved person's names as the page and the export show them ("" for none)."""
    return " / ".join(resolved.get("names") or [])


async def person_export(
    api: PlatformApi, user: User, person_key: str, pdf: bool, name: str | None
) -> bytes:
    """One person's export as reporting gives it: with the name, when there is one (the PDF
    typeset by reporting, the JSON's `name` filled in here)."""
    if name is None:
        return await api.person_review(user.token, person_key, PURPOSE, pdf)
    if pdf:
        return await api.named_person_review_pdf(user.token, person_key, PURPOSE, name)
    document = json.loads(await api.person_review(user.token, person_key, PURPOSE, False))
    return json.dumps({**document, "name": name}, ensure_ascii=False).encode()
