"""Erasing a person (issue 18, part 3): intake destroys the person's data key, marks their
identity erased and records the erasure, which the relay publishes as `PersonErased` on
`ssp.intake.person-erasures.v1` for every service to forget the pseudonym.

The key goes first: once it is gone nothing sealed with it can be read, whatever happens
next. Asking again (after a crash between the two steps, or twice) records the erasure once,
with the first erasure's id and time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from services.intake.application.app import IntakeApplication
from services.intake.application.identities import IdentityIds, PersonMunicipalities
from services.intake.application.sealed_data import rejection_owner
from services.intake.domain.model import PersonIdentity
from shared.contracts import ErasureReason
from shared.eventstore import UnitOfWork
from shared.eventstore.erasure import ErasedPerson
from shared.eventstore.ids import IdSpace

_ERASURE_IDS = IdSpace("urn:ssp:intake:erasure-ids")


@dataclass(frozen=True)
class ErasureOutcome:
    erasure: ErasedPerson
    already: bool
    """The person had been erased before (nothing more was done)."""


def municipalities_of(uow: UnitOfWork, person: IdentityIds) -> list[str]:
    identity = uow.get(PersonIdentity, person.identity_id)
    if identity is None:
        return []
    if identity.municipalities is not None:
        return list(identity.municipalities)
    index = uow.get(PersonMunicipalities, person.index_id)  # registered before `RegisteredIn`
    return list(index.codes) if index is not None else []


class Eraser:
    def __init__(self, app: IntakeApplication, clock: Callable[[], datetime]) -> None:
        self.app = app
        self.clock = clock

    def municipalities(self, person_key: str) -> list[str] | None:
        """Where the person lives (whose staff may erase them); None: intake knows no such
        person (neither an identity nor a data key nor an erasure)."""
        uow = UnitOfWork(self.app)
        codes = municipalities_of(uow, IdentityIds.of(person_key))
        if codes:
            return codes
        known = self.app.keyring.keys_of([person_key], create=False) or (
            self.app.keyring.erasure_of(person_key) is not None
        )
        return [] if known else None

    def shred_rejection(self, reference: str, reason: ErasureReason) -> bool:
        """Destroy a rejected input's own key (`rejection:<reference>`,
        application/sealed_data.py): its original and every person's part become unreadable
        (the persons it names stay). False: it was already."""
        owner = rejection_owner(reference)
        if self.app.keyring.erasure_of(owner) is not None:
            return False
        at = self.clock()
        erasure_id = _ERASURE_IDS.text(f"{owner}|{at.isoformat()}")
        self.app.keyring.destroy(owner, erasure_id, "rejected_input", reason, at)
        return True

    def erase(self, person_key: str, reason: ErasureReason) -> ErasureOutcome:
        uow = UnitOfWork(self.app)
        person = IdentityIds.of(person_key)
        recorded = uow.get(ErasedPerson, ErasedPerson.create_id(person_key))
        if recorded is not None:
            return ErasureOutcome(recorded, already=True)
        codes = municipalities_of(uow, person)
        at = self.clock()
        erasure_id = _ERASURE_IDS.text(f"{person_key}|{at.isoformat()}")
        destroyed = self.app.keyring.destroy(person_key, erasure_id, "person", reason, at)
        identity = uow.get(PersonIdentity, person.identity_id)
        if identity is not None and not identity.erased:
            identity.mark_erased(erasure_id=destroyed.erasure_id, reason=destroyed.reason)
        erasure = ErasedPerson(
            person_key=person_key,
            erasure_id=destroyed.erasure_id,
            reason=destroyed.reason,
            erased_at=destroyed.erased_at,
            municipality_code=codes[0] if codes else None,
        )
        uow.add(erasure)
        uow.commit()
        return ErasureOutcome(erasure, already=False)
