"""Person pseudonyms: keyed HMACs of the CPR number.

The same person always gets the same key; without the secret the CPR number cannot be
derived from it (a plain hash could be reversed by trying every valid CPR number).

Once a person is erased (issue 18), their pseudonym stays erased everywhere: a later incident
about the same CPR number gets the next generation's pseudonym (HMAC of `person:<cpr>#1`,
`#2`, ...), unknown to every service, so that nothing of the erased person comes back and the
new data is not dropped as erased."""

from __future__ import annotations

import hmac
from collections.abc import Callable

from shared.contracts import normalise_cpr


class Pseudonymiser:
    def __init__(self, secret: bytes, erased: Callable[[str], bool] | None = None) -> None:
        if len(secret) < 32:
            raise ValueError("the pseudonym secret must be at least 32 bytes")
        self._secret = secret
        self._erased = erased or (lambda _: False)

    def person_key(self, cpr: str) -> str:
        return self.key_of_normalised(normalise_cpr(cpr))

    def key_of_normalised(self, cpr: str) -> str:
        """`person_key(cpr)` for a CPR number already normalised (ten digits, as a contract
        model's validated `cpr` is): without checking and normalising it again."""
        subject = b"person:" + cpr.encode()
        key = self._key(subject)
        generation = 0
        while self._erased(key):
            generation += 1
            key = self._key(subject + b"#%d" % generation)
        return key

    def _key(self, subject: bytes) -> str:
        # The standard library's one-shot HMAC (OpenSSL): cryptography is not hand-rolled here.
        return "pk_" + hmac.digest(self._secret, subject, "sha256").hex()[:32]
