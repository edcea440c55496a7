"""Sealing personal data with the data keys of the persons it is about (AES-256-GCM).

A sealed value is stored in an event as `{"owners": [...], "sealed": base64(nonce + ct)}`.
Sealed for one owner it opens with that owner's data key. Sealed for several (a document or a
narrative that names them all) it opens with a key derived (HKDF-SHA256) from every one of
their data keys: once any of them is erased, nobody can read it. The owners are the associated
data, so a sealed value cannot be moved to another person."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from shared.keys.keyring import PersonKeyring

Sealed = dict[str, Any]


def is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"owners", "sealed"}


def _key_for(owners: Sequence[str], keys: Mapping[str, bytes]) -> bytes | None:
    if any(owner not in keys for owner in owners):
        return None
    if len(owners) == 1:
        return keys[owners[0]]
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"ssp-intake-all-of:" + "|".join(owners).encode(),
    ).derive(b"".join(keys[owner] for owner in owners))


class PersonSealer:
    """Seals and opens values with the keyring's data keys."""

    def __init__(self, keyring: PersonKeyring) -> None:
        self.keyring = keyring

    def prefetch(self, owners: Iterable[str]) -> None:
        """Load (and create) the data keys of many owners with one query."""
        self.keyring.keys_of(owners)

    def seal(self, owners: Iterable[str], plaintext: bytes) -> Sealed:
        ordered = sorted(set(owners))
        if not ordered:
            raise ValueError("a sealed value has an owner")
        key = _key_for(ordered, self.keyring.keys_of(ordered))
        if key is None:
            raise ValueError("an owner of the value is erased; nothing more is kept about them")
        nonce = secrets.token_bytes(12)
        sealed = nonce + AESGCM(key).encrypt(nonce, plaintext, "|".join(ordered).encode())
        return {"owners": ordered, "sealed": base64.b64encode(sealed).decode()}

    def open(self, value: Sealed) -> bytes | None:
        """The plaintext, or None once an owner's key is destroyed."""
        owners: list[str] = list(value["owners"])
        key = _key_for(owners, self.keyring.keys_of(owners, create=False))
        if key is None:
            return None
        raw = base64.b64decode(value["sealed"])
        try:
            return AESGCM(key).decrypt(raw[:12], raw[12:], "|".join(owners).encode())
        except InvalidTag as exc:
            raise ValueError("a sealed value does not open with its owners' keys") from exc
