"""The cipher of intake's store: eventsourcing's `AESCipher` (AES-256-GCM, a fresh random 96-bit
nonce per event, `nonce + tag + ciphertext`), keeping its key's `AESGCM` instead of building
one for every event it encrypts or decrypts, and reading with retired keys too.

Building it cost as much as the encryption itself (~1 µs of ~2.4 µs per event). The stored
bytes are exactly `AESCipher`'s, so stores written by either cipher are read by the other.
One instance per thread: the store is written from the store thread, read by the relay and
the HTTP handlers, and nothing promises that one `AESGCM` may be used by two at once.

Rotation (`INTAKE_RETIRED_STORE_CIPHER_KEYS`, passed here as `CIPHER_RETIRED_KEYS`): events are
always encrypted with the current key; one the current key does not open is tried with each
retired key, so a store stays readable while `ssp reencrypt-store intake` encrypts its events
anew (`reencrypted`).
"""

from __future__ import annotations

import base64
import threading

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.cryptography import AESCipher
from eventsourcing.utils import Environment

RETIRED_KEYS = "CIPHER_RETIRED_KEYS"
"""The environment entry of the retired keys: comma-separated base64 AES-256 keys."""


class StoreCipher(AESCipher):
    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)  # checks the key and its size
        listed = (environment.get(RETIRED_KEYS) or "").split(",")
        self.retired_keys = [base64.b64decode(key) for key in listed if key.strip()]
        for key in self.retired_keys:
            AESCipher.check_key_size(len(key))
        self._local = threading.local()

    def _aesgcms(self) -> list[AESGCM]:
        """The current key's `AESGCM` first, then each retired key's."""
        found: list[AESGCM] | None = getattr(self._local, "aesgcms", None)
        if found is None:
            found = self._local.aesgcms = [AESGCM(k) for k in (self.key, *self.retired_keys)]
        return found

    def encrypt(self, plaintext: bytes) -> bytes:
        nonce = AESCipher.random_bytes(12)
        sealed = self._aesgcms()[0].encrypt(nonce, plaintext, None)
        # The tag in front, as AESCipher stores it.
        return nonce + sealed[-16:] + sealed[:-16]

    def decrypt(self, ciphertext: bytes) -> bytes:
        return self._opened(ciphertext)[0]

    def reencrypted(self, ciphertext: bytes) -> bytes | None:
        """`ciphertext` encrypted with the current key, when a retired key encrypted it; None
        when the current key did. Raises ValueError when no key opens it."""
        plaintext, by_current_key = self._opened(ciphertext)
        return None if by_current_key else self.encrypt(plaintext)

    def _opened(self, ciphertext: bytes) -> tuple[bytes, bool]:
        """The plaintext, and whether the current key opened it."""
        nonce = ciphertext[:12]
        if len(nonce) != 12:
            raise ValueError("Damaged cipher text: invalid nonce length")
        tag = ciphertext[12:28]
        if len(tag) != 16:
            raise ValueError("Damaged cipher text: invalid tag length")
        sealed = ciphertext[28:] + tag
        for index, aesgcm in enumerate(self._aesgcms()):
            try:
                return aesgcm.decrypt(nonce, sealed, None), index == 0
            except InvalidTag:
                continue
        raise ValueError("Invalid cipher tag")
