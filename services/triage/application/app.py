"""Triage's eventsourcing application: the active-case register, the routing decisions and the
weekly meeting. It holds pseudonyms and codes only, no CPR numbers or names; the free text of
the meeting's minutes is sealed with the keyring's per-person data keys (issue 18; the
keyring's own tables, beside the store)."""

from __future__ import annotations

from shared.eventstore import ServiceApplication
from shared.keys.keyring import PersonKeyring
from shared.keys.sealing import PersonSealer

NAME = "triage"


class TriageApplication(ServiceApplication):
    name = NAME
    keyring: PersonKeyring

    def __init__(
        self, env: dict[str, str] | None = None, *, keyring: PersonKeyring | None = None
    ) -> None:
        """`keyring` None: a throw-away one in memory (tests of the store alone)."""
        self.keyring = keyring or PersonKeyring.in_memory(service=NAME)
        self.sealer = PersonSealer(self.keyring)
        super().__init__(env=env)
