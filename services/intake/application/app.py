"""Intake's eventsourcing application: the encrypted store of incidents, identities and
rejected input, with the keyring of the per-person data keys its personal data is sealed with
(issue 18; the keyring's own table, beside the store)."""

from __future__ import annotations

from services.intake.adapters.person_keys import PersonKeyring
from services.intake.adapters.sealing import PersonSealer
from shared.eventstore import ServiceApplication


class IntakeApplication(ServiceApplication):
    name = "intake"

    def __init__(self, env: dict[str, str] | None = None, *, keyring: PersonKeyring) -> None:
        super().__init__(env=env)
        self.keyring = keyring
        self.sealer = PersonSealer(keyring)
