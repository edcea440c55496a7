"""Intake's personal data sealed with per-person data keys (issue 18, part 1): what is sealed
for whom, and how it reads back once someone named in it is erased.

- an identity: CPR number, name and address, for the person;
- rejected input: the original for every person it names and for the rejection itself
  (`rejection:<reference>`; readable while none of them is erased), and each person's part for
  that person and the rejection, so that the others' parts stay readable after one person is
  erased, and nothing is once the rejection's key is destroyed (its deadline after it was
  closed, application/retention.py). Rejected input sealed before the rejection's own key was
  added (issue 18, part 3) names the persons only (and the rejection only when it names none);
  it reads as before;
- an incident's details (offence, location and narrative text, which may name anyone in it):
  for all of its persons."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from services.intake.domain.model import PersonIdentity, RejectedInput
from services.intake.domain.rejections import named_in_document
from shared.contracts import is_valid_cpr
from shared.keys.sealing import PersonSealer, Sealed

ERASED = {"withheld": "erased"}
"""What stands for a person (or a whole document) whose data key is destroyed."""


@dataclass(frozen=True)
class IdentityFacts:
    cpr: str | None
    names: tuple[str, ...]
    addresses: tuple[str, ...]


def facts_of(identity: PersonIdentity, sealer: PersonSealer) -> IdentityFacts | None:
    """What intake knows of a person, the plain values of identities stored before issue 18
    first; None once the person is erased."""
    if identity.erased:
        return None
    cpr = identity.cpr
    names, addresses = list(identity.names), list(identity.addresses)
    for sealed in identity.sealed_facts:
        opened = sealer.open(sealed)
        if opened is None:
            return None
        fact = json.loads(opened)
        cpr = cpr or fact.get("cpr")
        if fact.get("name") and fact["name"] not in names:
            names.append(fact["name"])
        if fact.get("address") and fact["address"] not in addresses:
            addresses.append(fact["address"])
    return IdentityFacts(cpr, tuple(names), tuple(addresses))


def seal_facts(sealer: PersonSealer, person_key: str, **facts: str | None) -> Sealed:
    return sealer.seal([person_key], json.dumps(facts, ensure_ascii=False).encode())


def _document(raw: bytes) -> dict[str, Any] | None:
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return document if isinstance(document, dict) else None


def persons_of(raw: bytes, person_key: Callable[[str], str]) -> Iterator[tuple[int | None, str]]:
    """(index in `persons`, person key) of every readable CPR number a document names; index
    None for a case-register event's one person (at the top, contracts §2)."""
    document = _document(raw)
    if document is None:
        return
    if "persons" not in document and isinstance(document.get("cpr"), str):
        if is_valid_cpr(document["cpr"]):
            yield None, person_key(document["cpr"])
        return
    persons = document.get("persons")
    for index, person in enumerate(persons if isinstance(persons, list) else []):
        cpr = person.get("cpr") if isinstance(person, dict) else None
        if isinstance(cpr, str) and is_valid_cpr(cpr):
            yield index, person_key(cpr)


def rejection_owner(reference: str) -> str:
    """The keyring owner of a rejected input's own key."""
    return f"rejection:{reference}"


def seal_rejected(
    sealer: PersonSealer, raw: bytes, reference: str, person_key: Callable[[str], str]
) -> tuple[Sealed, list[dict[str, Any]]]:
    """The original sealed for all it names and the rejection, and each person's part for
    that person and the rejection."""
    named = list(persons_of(raw, person_key))
    itself = rejection_owner(reference)
    owners = [*(key for _, key in named), itself]
    sealer.prefetch(owners)
    parts: list[dict[str, Any]] = []
    document = _document(raw)
    for index, key in named:
        if index is not None and document is not None:
            part = json.dumps(document["persons"][index], ensure_ascii=False).encode()
            parts.append({"index": index, "sealed": sealer.seal([key, itself], part)})
    return sealer.seal(owners, raw), parts


def municipalities_in(
    rejected: RejectedInput.Recorded | RejectedInput.SealedRecorded, sealer: PersonSealer
) -> frozenset[str]:
    """The municipalities rejected input names, as far as it can still be read (the parts of
    persons not erased)."""
    return named_in_document(original_of(rejected, sealer)).municipalities


def original_of(
    rejected: RejectedInput | RejectedInput.Recorded | RejectedInput.SealedRecorded,
    sealer: PersonSealer,
) -> bytes:
    """The original input as received while everyone it names is readable; once one is
    erased, only the other persons' parts (`{"withheld": "erased", "persons": [...]}`), the
    erased ones replaced by the marker."""
    plain = getattr(rejected, "original_b64", None)  # kept before issue 18
    if plain is not None:
        return base64.b64decode(plain)
    sealed_original: Sealed = getattr(rejected, "sealed_original")  # noqa: B009
    whole = sealer.open(sealed_original)
    if whole is not None:
        return whole
    persons: list[Any] = []
    parts: list[dict[str, Any]] = getattr(rejected, "sealed_persons", None) or []
    for part in sorted(parts, key=lambda p: int(p["index"])):
        opened = sealer.open(part["sealed"])
        persons.append(dict(ERASED) if opened is None else json.loads(opened))
    return json.dumps({**ERASED, "persons": persons}, ensure_ascii=False).encode()
