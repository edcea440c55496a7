"""What a letter says and to whom (issue 16, parts 1 and 3): pure rules, no files, no I/O.

- One template per letter kind x audience, the person's role in the incident choosing the
  paragraph that tells what happened (`_rolle/{role}`): `template_name(kind, audience)`.
- The audience of a recipient: `parents` → `foraeldre`; `youth` → `den_unge` under 18,
  `den_unge_voksne` from 18.
- One copy per recipient set: the young person gets one; the parents get one each at their own
  address when the register names custodians living apart, else one to the child's address.
- The context a template is rendered with: names and addresses only at the moment of rendering
  (from intake); everything else from the task and the municipality's letter profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, get_args

from services.notifications.domain.recipients import ADULT_AGE
from shared.contracts.incidents import Role
from shared.contracts.letter_tasks import LETTER_KINDS, LetterKind, Recipient

Audience = Literal["foraeldre", "den_unge", "den_unge_voksne"]
AUDIENCES: tuple[Audience, ...] = get_args(Audience)
ROLES: tuple[Role, ...] = get_args(Role)

#: What happened, in general terms (never the police's narrative): the offence category.
OFFENCE_TEXT: dict[str, str] = {
    "butikstyveri": "tyveri fra en butik",
    "tyveri": "tyveri",
    "indbrud": "indbrud",
    "haervaerk": "hærværk",
    "vold": "vold",
    "trusler": "trusler",
    "roeveri": "røveri",
    "narkotika": "euforiserende stoffer",
    "vaaben": "våben",
    "brandstiftelse": "brand",
    "faerdsel": "færdsel",
    "digital_kraenkelse": "digital krænkelse",
    "seksualforbrydelse": "en seksualforbrydelse",
    "ordensforstyrrelse": "uro på et offentligt sted",
    "andet": "en hændelse, politiet har registreret",
}

_MONTHS = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)


def danish_date(day: date) -> str:
    """15. november 2026."""
    return f"{day.day}. {_MONTHS[day.month - 1]} {day.year}"


def audience(recipient: Recipient, age: int | None) -> Audience:
    if recipient == "parents":
        return "foraeldre"
    return "den_unge_voksne" if age is not None and age >= ADULT_AGE else "den_unge"


def template_name(kind: LetterKind, audience: Audience) -> str:
    return f"{kind}/{audience}.html.j2"


def every_template() -> list[tuple[LetterKind, Audience]]:
    return [(kind, who) for kind in LETTER_KINDS for who in AUDIENCES]


@dataclass(frozen=True)
class Addressee:
    """Who one copy is addressed to: names and address lines (personal data: never stored)."""

    recipient: Recipient
    audience: Audience
    salutation: str
    address_lines: tuple[str, ...]
    address_note: str | None


@dataclass(frozen=True)
class PersonFacts:
    """What intake says at the moment of rendering (`/letter-recipients`)."""

    names: tuple[str, ...]
    addresses: tuple[str, ...]
    custodians: tuple[tuple[str, str], ...]
    role: Role
    age_at_incident: int | None
    offence_code: str
    occurred_on: date | None


def _address_lines(address: str | None) -> tuple[str, ...]:
    if not address:
        return ()
    return tuple(part.strip() for part in address.split(",") if part.strip())


GROUP_LETTER_PREFIX = "acute:"
"""The person key of a letter to a group (the acute procedure's standard letter, 000 step 4:
"forældre og medarbejdere lokalt"): it names nobody and is handed out, not addressed."""


def is_group_letter(person_key: str) -> bool:
    return person_key.startswith(GROUP_LETTER_PREFIX)


#: What a group letter is rendered from: no person, no address, no offence named.
GROUP_FACTS = PersonFacts(
    names=(),
    addresses=(),
    custodians=(),
    role="antruffet",
    age_at_incident=None,
    offence_code="andet",
    occurred_on=None,
)


def group_addressees(recipients: list[Recipient]) -> list[Addressee]:
    """One copy per audience, handed out to every family and to the local staff."""
    return [
        Addressee(
            recipient,
            audience(recipient, None),
            "Kære forældre" if recipient == "parents" else "Kære alle",
            ("Til forældre og medarbejdere",) if recipient == "parents" else ("Til de unge",),
            None,
        )
        for recipient in recipients
    ]


def addressees(recipients: list[Recipient], facts: PersonFacts) -> list[Addressee]:
    """One copy per recipient set, in the order of `recipients` (parents first)."""
    name = facts.names[-1] if facts.names else None
    address = facts.addresses[-1] if facts.addresses else None
    copies: list[Addressee] = []
    for recipient in recipients:
        who = audience(recipient, facts.age_at_incident)
        if recipient == "youth":
            lines = (name or "Den unge", *_address_lines(address))
            note = None if address else "Adresse ikke oplyst af politiet: brevet må afleveres."
            salutation = f"Kære {name}" if name else "Kære du"
            copies.append(Addressee(recipient, who, salutation, lines, note))
        elif facts.custodians:
            # The register names the custodians: parents living apart get a copy each.
            for custodian, custodian_address in facts.custodians:
                lines = (custodian, *_address_lines(custodian_address))
                copies.append(Addressee(recipient, who, f"Kære {custodian}", lines, None))
        else:
            lines = (
                f"Forældremyndighedsindehaveren for {name}" if name else "Forældrene",
                *_address_lines(address),
            )
            note = (
                "Adressen er barnets, som politiet har oplyst den; forældrenes egen adresse "
                "er ikke registreret."
                if address
                else "Hverken forældrenes eller barnets adresse er oplyst: brevet må afleveres."
            )
            copies.append(Addressee(recipient, who, "Kære forældre", lines, note))
    return copies


def context(
    *,
    kind: LetterKind,
    addressee: Addressee,
    facts: PersonFacts,
    journal_number: str | None,
    profile: dict[str, Any],
    sender: dict[str, Any],
    today: datetime,
) -> dict[str, Any]:
    """Everything a template may use, and nothing else (StrictUndefined checks the rest)."""
    child_name = facts.names[-1] if facts.names else "jeres barn"
    parents = addressee.audience == "foraeldre"
    local = profile["local_paragraphs"]
    return {
        "letterhead": {
            "municipality_name": profile["municipality_name"],
            **profile["letterhead"],
        },
        "sender": sender,
        "recipient": {
            "salutation": addressee.salutation,
            "address_lines": list(addressee.address_lines),
            "address_note": addressee.address_note,
        },
        "child": {"name": child_name},
        "who": {
            "subject": f"jeres barn, {child_name}," if parents else "du",
            "object": "jeres barn" if parents else "dig",
        },
        "incident": {
            "journal_number": journal_number,
            "role": facts.role,
            "offence_text": OFFENCE_TEXT.get(facts.offence_code, OFFENCE_TEXT["andet"]),
            "date_text": danish_date(facts.occurred_on) if facts.occurred_on else "for nylig",
        },
        "letter": {
            "kind": kind,
            "audience": addressee.audience,
            "date_text": danish_date(today.date()),
        },
        "local_paragraphs": [*local.get("all", []), *local.get(kind, [])],
    }


def sample_facts(role: Role, age: int) -> PersonFacts:
    """A made-up person for checking every template at start-up and in the tests."""
    return PersonFacts(
        names=("Prøve Prøvesen",),
        addresses=("Prøvevej 1, 7000 Fredericia",),
        custodians=(),
        role=role,
        age_at_incident=age,
        offence_code="haervaerk",
        occurred_on=date(2026, 11, 15),
    )
