"""Intake's personal data sealed with per-person data keys (issue 18, part 1): what is sealed
for whom, and how it reads back once someone named in it is erased.

- an identity: CPR number, name and address, for the person;
- rejected input: the original for every person it names (readable while none is erased; for
  none: for the rejection itself, `rejection:<reference>`), and each person's part for that
  person alone, so that the others' parts stay readable after one is erased;
- an incident's details (offence, location and narrative text, which may name anyone in it):
  for all of its persons."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from services.intake.domain.model import PersonIdentity, RejectedInput
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


def seal_rejected(
    sealer: PersonSealer, raw: bytes, reference: str, person_key: Callable[[str], str]
) -> tuple[Sealed, list[dict[str, Any]]]:
    """The original sealed for all it names, and each person's part for that person."""
    named = list(persons_of(raw, person_key))
    owners = [key for _, key in named] or [f"rejection:{reference}"]
    sealer.prefetch(owners)
    parts: list[dict[str, Any]] = []
    document = _document(raw)
    for index, key in named:
        if index is not None and document is not None:
            part = json.dumps(document["persons"][index], ensure_ascii=False).encode()
            parts.append({"index": index, "sealed": sealer.seal([key], part)})
    return sealer.seal(owners, raw), parts


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
