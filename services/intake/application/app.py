"""Intake's eventsourcing application: the encrypted store of incidents, identities and
rejected input, with the keyring of the per-person data keys its personal data is sealed with
(issue 18; the keyring's own table, beside the store)."""

from __future__ import annotations

import functools

from shared.eventstore import ServiceApplication
from shared.eventstore.erasure import ErasedPersons
from shared.keys.keyring import PersonKeyring
from shared.keys.sealing import PersonSealer


class IntakeApplication(ServiceApplication):
    name = "intake"
    keyring: PersonKeyring

    def __init__(
        self, env: dict[str, str] | None = None, *, keyring: PersonKeyring | None = None
    ) -> None:
        """`keyring` None: a throw-away one in memory (tests of the store alone)."""
        self.keyring = keyring or PersonKeyring.in_memory()
        self.sealer = PersonSealer(self.keyring)
        super().__init__(env=env)

    @functools.cached_property
    def erased_persons(self) -> ErasedPersons:
        """Intake's erased persons are those whose data key it destroyed (the keyring)."""
        return KeyringErasures(self)


class KeyringErasures(ErasedPersons):
    def __init__(self, app: IntakeApplication) -> None:
        super().__init__(app)
        self.keyring = app.keyring

    def refresh(self) -> None:
        self.keyring.erased_owners()  # read again when older than the keyring's cache time

    def _loaded(self) -> set[str]:
        return set(self.keyring.erased_known())

    def __contains__(self, person_key: object) -> bool:
        return person_key in self.keyring.erased_known()

    def is_erased(self, person_key: str) -> bool:
        return person_key in self.keyring.erased_known()
