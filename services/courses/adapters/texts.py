"""Courses' free text sealed under the keys of the person it is about and of its record
(crypto-shredding, issue 18).

Every free text courses stores — a TRIVSEL+ course's rationale, goal and measure descriptions,
review and closing notes; an exit programme's talk, meeting, decline and end notes; a
follow-up action's note — is sealed before its event is stored (AES-256-GCM,
`shared/keys/sealing.py`) with a key derived from two data keys in courses' keyring
(`courses_person_keys`): the person's (owner `pk_…`) and the record's (`course:<id>`,
`follow-up:<id>`). Destroying either makes the text unreadable in every stored event and
every backup: the person's when the person is erased (`PersonErased`), the record's when its
retention deadline passes (application/retention.py) while the person's other records stay
readable. The owners are the associated data, so a sealed text cannot be moved to another
record. Stored as `s2:` + the sealed value's JSON; an empty text stays empty.

Text stored before issue 18 is opened as it was stored: a follow-up note sealed with the
service-wide `COURSES_NOTE_CIPHER_KEY` (`v1:`, adapters/note_cipher.py), a course's text in
clear. Erasure hides both from every read (the aggregate is erased), but neither is
crypto-shredded: see the README ("Erasure and retention")."""

from __future__ import annotations

import json
from collections.abc import Sequence
from uuid import UUID

from services.courses.adapters.note_cipher import PREFIX as LEGACY_NOTE_PREFIX
from services.courses.adapters.note_cipher import NoteCipher
from shared.keys.keyring import PersonKeyring
from shared.keys.sealing import PersonSealer, is_sealed

SEALED_PREFIX = "s2:"


class CourseTexts:
    """Seals and opens courses' free text with the keyring's data keys."""

    def __init__(self, keyring: PersonKeyring, legacy: NoteCipher | None = None) -> None:
        self.keyring = keyring
        self.sealer = PersonSealer(keyring)
        self.legacy = legacy

    def seal(self, owners: Sequence[str], text: str) -> str:
        if not text:
            return ""
        sealed = self.sealer.seal(owners, text.encode())
        return SEALED_PREFIX + json.dumps(sealed, separators=(",", ":"))

    def open(self, stored: str | None, legacy_id: UUID | None = None) -> str | None:
        """The text; None once a key it was sealed with was destroyed. `legacy_id`: the
        follow-up action a note sealed before issue 18 was sealed for."""
        if not stored:
            return stored
        if stored.startswith(SEALED_PREFIX):
            try:
                sealed = json.loads(stored[len(SEALED_PREFIX) :])
            except ValueError:
                return stored  # text typed so before issue 18
            if is_sealed(sealed):
                plain = self.sealer.open(sealed)
                return None if plain is None else plain.decode()
        if stored.startswith(LEGACY_NOTE_PREFIX) and legacy_id is not None and self.legacy:
            return self.legacy.open(legacy_id, stored)
        return stored
