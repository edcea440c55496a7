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
        self._secret = secret

    def person_key(self, cpr: str) -> str:
        digest = hmac.new(self._secret, b"person:" + normalise_cpr(cpr).encode(), hashlib.sha256)
        return "pk_" + digest.hexdigest()[:32]
