"""Identity resolution: who a pseudonym stands for, and which municipalities may ask.

A person's municipalities are those they were registered as living in (incidents and the case
register); only staff of one of them may resolve the pseudonym (shared/auth/policy.py decides).
They are kept on the identity (`PersonIdentity.RegisteredIn`, `MunicipalityAdded`); identities
stored before that keep them in `PersonMunicipalities`, here, beside the identity store."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from services.intake.application.app import IntakeApplication
from services.intake.application.sealed_data import facts_of, seal_facts
from services.intake.domain.model import IncidentRecord, PersonIdentity
from services.intake.domain.pseudonym import Pseudonymiser
from services.intake.domain.rejections import code_in, list_in, named_in_document
from shared.contracts import is_valid_cpr
from shared.eventstore import TracedAggregate, UnitOfWork
from shared.eventstore.ids import IdSpace, keyed_id
from shared.keys.sealing import PersonSealer

_IDS = IdSpace("urn:ssp:intake:identity-scope")


class PersonMunicipalities(TracedAggregate):
    """The municipalities a pseudonymised person has been registered as living in, for
    identities registered before `PersonIdentity.RegisteredIn` (which carries them since):
    such identities go on keeping them here, so their stores load and resolve as before."""

    class Registered(TracedAggregate.Created):
        person_key: str
        municipality_code: str

    create_id = keyed_id(_IDS, "person_key")

    @classmethod
    def register(
        cls, index_id: UUID, person_key: str, municipality_code: str
    ) -> PersonMunicipalities:
        """`PersonMunicipalities(person_key, municipality_code)` for a caller that has already
        worked out `index_id` (`create_id(person_key)`)."""
        return cls._create(
            cls.Registered, id=index_id, person_key=person_key, municipality_code=municipality_code
        )

    @event(Registered)
    def __init__(self, person_key: str, municipality_code: str) -> None:
        self.person_key = person_key
        self.codes: list[str] = [municipality_code]

    def include(self, municipality_code: str) -> None:
        if municipality_code not in self.codes:
            self._add(municipality_code=municipality_code)

    @event("MunicipalityAdded")
    def _add(self, municipality_code: str) -> None:
        self.codes.append(municipality_code)


@dataclass(frozen=True)
class IdentityIds:
    """A pseudonym and the id of the identity kept about that person, worked out once."""

    person_key: str
    identity_id: UUID

    @classmethod
    def of(cls, person_key: str) -> IdentityIds:
        return cls(person_key, PersonIdentity.create_id(person_key))

    @property
    def index_id(self) -> UUID:
        """Of the `PersonMunicipalities` an identity registered before `RegisteredIn` has;
        worked out only for those."""
        return PersonMunicipalities.create_id(self.person_key)


@dataclass(frozen=True)
class OnePersonInput:
    """Valid input about one person (a case-register event, a concern): the id of its own
    record and the person's identity ids, what the batch's prefetch loads for it."""

    record_id: UUID
    person: IdentityIds

    def aggregate_ids(self) -> Iterator[UUID]:
        yield from (self.record_id, self.person.identity_id)

    @property
    def persons(self) -> tuple[IdentityIds, ...]:
        return (self.person,)


def prefetch_identities(uow: UnitOfWork, persons: Iterable[IdentityIds]) -> None:
    """After the identities were prefetched: the municipalities of those registered before
    `RegisteredIn` (kept apart, in `PersonMunicipalities`), with one more query, only if there
    are any."""
    legacy = []
    for person in persons:
        identity = uow.get(PersonIdentity, person.identity_id)
        if identity is not None and identity.municipalities is None:
            legacy.append(person.index_id)
    uow.prefetch(legacy)


def remember_identity(
    uow: UnitOfWork,
    person: IdentityIds,
    cpr: str,
    name: str | None,
    address: str | None,
    municipality_code: str,
    trace_context: dict[str, str],
    sealer: PersonSealer,
) -> None:
    """Who a pseudonym stands for (sealed with the person's data key), and that staff of
    `municipality_code` (where the person lives) may resolve it. `trace_context` is the
    message's (`current_trace_context()`)."""
    identity = uow.get(PersonIdentity, person.identity_id)
    if identity is None:
        sealed = seal_facts(sealer, person.person_key, cpr=cpr, name=name, address=address)
        uow.add(
            PersonIdentity.register_sealed(
                person.identity_id, person.person_key, sealed, municipality_code, trace_context
            )
        )
        return
    known = facts_of(identity, sealer)
    if known is None:
        return  # erased: nothing more is kept about them under this pseudonym
    # One event per new fact, as `NameRecorded` and `AddressRecorded` were.
    if name and name not in known.names:
        identity.record_facts(sealed=seal_facts(sealer, person.person_key, name=name))
    if address and address not in known.addresses:
        identity.record_facts(sealed=seal_facts(sealer, person.person_key, address=address))
    if identity.municipalities is not None:
        identity.include(municipality_code)
        return
    # Registered before `RegisteredIn`: its municipalities stay where they always were.
    index = uow.get(PersonMunicipalities, person.index_id)
    if index is None:
        uow.add(
            PersonMunicipalities.register(person.index_id, person.person_key, municipality_code)
        )
    else:
        index.include(municipality_code)


@dataclass(frozen=True)
class ResolvedIdentity:
    person_key: str
    cpr: str
    names: tuple[str, ...]
    addresses: tuple[str, ...]
    municipalities: frozenset[str]


@dataclass(frozen=True)
class LetterRecipients:
    """What a letter to the person (or their parents) needs from intake, and nothing more: no
    CPR number. `custodians` are the holders of parental custody with their own addresses,
    when a register has told intake (the police incident names none: empty until a CPR
    register adapter supplies them). `incident` is the person's part in the incident the
    letter is about (codes and times), None when intake has no such incident for them."""

    person_key: str
    names: tuple[str, ...]
    addresses: tuple[str, ...]
    municipalities: frozenset[str]
    custodians: tuple[dict[str, str], ...]
    incident: dict[str, Any] | None


@dataclass(frozen=True)
class PersonsNamed:
    """What a (possibly invalid) document says about whom: for scoping and auditing reads of
    rejected input."""

    municipalities: frozenset[str]
    person_keys: tuple[str, ...]
    case_register: bool = False
    """The document is (or looks like) a case-register event or a concern: social services'
    record, or a child's welfare (issue 15, part 5); not for the police either way."""


WITHHELD = {"withheld": "outside_your_municipalities"}


@dataclass(frozen=True)
class VisiblePart:
    """A rejected document as one caller may see it."""

    original: bytes
    person_keys: tuple[str, ...]
    """The persons shown (for the audit entry)."""
    redacted: bool


class IdentityDirectory:
    def __init__(self, app: IntakeApplication, pseudonymiser: Pseudonymiser) -> None:
        self.app = app
        self.pseudonymiser = pseudonymiser
        self.sealer = app.sealer

    def resolve(self, person_key: str) -> ResolvedIdentity | None:
        uow = UnitOfWork(self.app)
        person = IdentityIds.of(person_key)
        identity = uow.get(PersonIdentity, person.identity_id)
        facts = None if identity is None else facts_of(identity, self.sealer)
        if identity is None or facts is None or facts.cpr is None:
            return None
        codes = identity.municipalities
        if codes is None:  # registered before `RegisteredIn`
            index = uow.get(PersonMunicipalities, person.index_id)
            codes = index.codes if index is not None else []
        return ResolvedIdentity(
            person_key=person_key,
            cpr=facts.cpr,
            names=facts.names,
            addresses=facts.addresses,
            municipalities=frozenset(codes),
        )

    def letter_recipients(self, person_key: str, journal_number: str) -> LetterRecipients | None:
        """Name(s) and address(es) of the person and their part in `journal_number` (issue 16:
        the letter to the parents is addressed at the moment it is rendered)."""
        resolved = self.resolve(person_key)
        if resolved is None:
            return None
        uow = UnitOfWork(self.app)
        record = uow.get(IncidentRecord, IncidentRecord.create_id(journal_number))
        incident: dict[str, Any] | None = None
        accepted = record.accepted if record is not None else None
        if accepted is not None:
            for person in accepted.get("persons", []):
                if person.get("person_key") == person_key:
                    incident = {
                        "journal_number": journal_number,
                        "revision": record.revision if record is not None else None,
                        "role": person.get("role"),
                        "age_at_incident": person.get("age_at_incident"),
                        "offence_code": accepted.get("offence_code"),
                        "occurred_at": accepted.get("occurred_at"),
                        "reported_at": accepted.get("reported_at"),
                    }
        return LetterRecipients(
            person_key=person_key,
            names=resolved.names,
            addresses=resolved.addresses,
            municipalities=resolved.municipalities,
            custodians=(),
            incident=incident,
        )

    def persons_named(self, raw: bytes) -> PersonsNamed:
        """Municipality codes and pseudonyms of the valid CPR numbers a document names; what
        cannot be read is left out (the document failed validation after all)."""
        named = named_in_document(raw)
        keys = {self._person_key(cpr) for cpr in named.cprs}
        return PersonsNamed(
            named.municipalities,
            tuple(sorted(k for k in keys if k is not None)),
            named.case_register or named.concern,
        )

    def visible_part(self, raw: bytes, in_reach: Callable[[str], bool]) -> VisiblePart:
        """What of a rejected document a caller sees who reaches `in_reach`'s municipalities:
        the whole of it when every municipality it names is theirs; otherwise the document
        with each person of another municipality (or of none that can be read) replaced by a
        marker, and the narrative withheld (it may name them)."""
        named = self.persons_named(raw)
        if all(in_reach(code) for code in named.municipalities):
            return VisiblePart(raw, named.person_keys, redacted=False)
        document = json.loads(raw)  # it named municipalities: it is a JSON object
        shown: list[str] = []
        persons = []
        for person in list_in(document.get("persons")):
            code = code_in(person.get("municipality_code")) if isinstance(person, dict) else None
            if code is not None and in_reach(code):
                persons.append(person)
                key = self._person_key(person.get("cpr"))
                if key is not None:
                    shown.append(key)
            else:
                persons.append(dict(WITHHELD))
        document["persons"] = persons
        if "narrative" in document:
            document["narrative"] = dict(WITHHELD)
        redacted = json.dumps(document, ensure_ascii=False).encode()
        return VisiblePart(redacted, tuple(sorted(set(shown))), redacted=True)

    def _person_key(self, cpr: Any) -> str | None:
        if not isinstance(cpr, str) or not is_valid_cpr(cpr):
            return None
        return self.pseudonymiser.person_key(cpr)
