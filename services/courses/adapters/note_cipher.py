"""Follow-up notes as issue 17 sealed them: with the service-wide `COURSES_NOTE_CIPHER_KEY`
(AES-256-GCM, a fresh 96-bit nonce per note, the action's id as associated data), stored as
`v1:` + base64(nonce + ciphertext and tag). Since issue 18 every note is sealed under the
person's and the action's keys instead (adapters/texts.py); this opens the notes stored
before (an erasure hides them from every read but cannot shred them: README, "Erasure and
retention"). An empty note is stored as the empty string.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "v1:"
NONCE_BYTES = 12


class NoteUnreadable(ValueError):
    """The sealed note does not open with this key (another key, or damaged)."""


class NoteCipher:
    """Seals with `key`; opens with it or, after a rotation, with one of the `retired` keys
    (`COURSES_RETIRED_NOTE_CIPHER_KEYS`): a note in a stored event is never sealed anew."""

    def __init__(self, key: bytes, retired: Sequence[bytes] = ()) -> None:
        if any(len(k) != 32 for k in (key, *retired)):
            raise ValueError("the note cipher key must be 32 bytes (AES-256)")
        self._aesgcm = AESGCM(key)
        self._all = [self._aesgcm, *(AESGCM(k) for k in retired)]

    @classmethod
    def from_base64(cls, key: str) -> NoteCipher:
        return cls(base64.b64decode(key, validate=True))

    def seal(self, action_id: UUID, note: str) -> str:
        if not note:
            return ""
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._aesgcm.encrypt(nonce, note.encode(), action_id.bytes)
        return PREFIX + base64.b64encode(nonce + sealed).decode()

    def open(self, action_id: UUID, sealed: str) -> str:
        if not sealed:
            return ""
        if not sealed.startswith(PREFIX):
            raise NoteUnreadable("not a sealed note")
        raw = base64.b64decode(sealed[len(PREFIX) :])
        nonce, ciphertext = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
        for aesgcm in self._all:
            try:
                return aesgcm.decrypt(nonce, ciphertext, action_id.bytes).decode()
            except InvalidTag:
                continue
        raise NoteUnreadable("the note does not open with this key")
