"""Person pseudonyms: keyed HMACs of the CPR number.

The same person always gets the same key; without the secret the CPR number cannot be
derived from it (a plain hash could be reversed by trying every valid CPR number)."""

from __future__ import annotations

import hmac

from shared.contracts import normalise_cpr


class Pseudonymiser:
    def __init__(self, secret: bytes) -> None:
        if len(secret) < 32:
            raise ValueError("the pseudonym secret must be at least 32 bytes")
        self._secret = secret

    def person_key(self, cpr: str) -> str:
        return self.key_of_normalised(normalise_cpr(cpr))

    def key_of_normalised(self, cpr: str) -> str:
        """`person_key(cpr)` for a CPR number already normalised (ten digits, as a contract
        model's validated `cpr` is): without checking and normalising it again."""
        # The standard library's one-shot HMAC (OpenSSL): cryptography is not hand-rolled here.
        return "pk_" + hmac.digest(self._secret, b"person:" + cpr.encode(), "sha256").hex()[:32]
