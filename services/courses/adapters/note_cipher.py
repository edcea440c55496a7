"""The notes of follow-up actions, encrypted at rest in courses' store (issue 17, part 2).

Courses' store holds the coordinators' other notes in clear; a follow-up note says what
happened in a family's home, so each one is sealed with AES-256-GCM before its event is
stored (`COURSES_NOTE_CIPHER_KEY`): a fresh 96-bit nonce per note, the action's id as
associated data (a sealed note copied onto another action does not open), stored as
`v1:` + base64(nonce + ciphertext and tag). An empty note is stored as the empty string.
"""

from __future__ import annotations

import base64
import secrets
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "v1:"
NONCE_BYTES = 12


class NoteUnreadable(ValueError):
    """The sealed note does not open with this key (another key, or damaged)."""


class NoteCipher:
    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("the note cipher key must be 32 bytes (AES-256)")
        self._aesgcm = AESGCM(key)

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
        try:
            return self._aesgcm.decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], action_id.bytes
            ).decode()
        except InvalidTag as exc:
            raise NoteUnreadable("the note does not open with this key") from exc
