"""Person pseudonyms: keyed HMACs of the CPR number.

The same person always gets the same key; without the secret the CPR number cannot be
derived from it (a plain hash could be reversed by trying every valid CPR number)."""

from __future__ import annotations

import hashlib
import hmac

from shared.contracts import normalise_cpr


class Pseudonymiser:
    def __init__(self, secret: bytes) -> None:
        if len(secret) < 32:
            raise ValueError("the pseudonym secret must be at least 32 bytes")
        # Keyed once, with the constant prefix already hashed: each key copies this state
        # instead of deriving the HMAC's inner and outer pads from the secret again.
        self._keyed = hmac.new(secret, b"person:", hashlib.sha256)

    def person_key(self, cpr: str) -> str:
        digest = self._keyed.copy()
        digest.update(normalise_cpr(cpr).encode())
        return "pk_" + digest.hexdigest()[:32]
