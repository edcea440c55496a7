"""Intake's store cipher writes and reads exactly what eventsourcing's AESCipher does."""

from __future__ import annotations

import base64
from concurrent.futures import ThreadPoolExecutor

import pytest
from eventsourcing.cryptography import AESCipher

from services.intake.adapters.cipher import StoreCipher

ENV = {"CIPHER_KEY": base64.b64encode(b"k" * 32).decode()}
PLAINTEXTS = [b"", b"x", "Mads Jensen, 120310-4123 æøå".encode(), bytes(range(256)) * 40]


@pytest.mark.parametrize("plaintext", PLAINTEXTS)
def test_either_cipher_reads_what_the_other_wrote(plaintext: bytes) -> None:
    ours, theirs = StoreCipher(ENV), AESCipher(ENV)
    assert theirs.decrypt(ours.encrypt(plaintext)) == plaintext
    assert ours.decrypt(theirs.encrypt(plaintext)) == plaintext
    sealed = ours.encrypt(plaintext)
    assert len(sealed) == len(theirs.encrypt(plaintext)) == 12 + 16 + len(plaintext)


def test_every_encryption_has_its_own_nonce() -> None:
    cipher = StoreCipher(ENV)
    nonces = {cipher.encrypt(b"same")[:12] for _ in range(1000)}
    assert len(nonces) == 1000


def test_damage_and_another_key_are_refused_as_aescipher_refuses_them() -> None:
    cipher = StoreCipher(ENV)
    sealed = cipher.encrypt(b"personal data")
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(ValueError, match="Invalid cipher tag"):
        cipher.decrypt(tampered)
    other = StoreCipher({"CIPHER_KEY": base64.b64encode(b"o" * 32).decode()})
    with pytest.raises(ValueError, match="Invalid cipher tag"):
        other.decrypt(sealed)
    with pytest.raises(ValueError, match="nonce length"):
        cipher.decrypt(b"short")
    with pytest.raises(ValueError, match="tag length"):
        cipher.decrypt(sealed[:20])
    with pytest.raises(ValueError, match="Invalid key size"):
        StoreCipher({"CIPHER_KEY": base64.b64encode(b"k" * 20).decode()})


def test_threads_may_use_one_cipher_at_once() -> None:
    cipher = StoreCipher(ENV)

    def round_trip(i: int) -> bool:
        plaintext = str(i).encode() * 100
        return all(cipher.decrypt(cipher.encrypt(plaintext)) == plaintext for _ in range(200))

    with ThreadPoolExecutor(4) as pool:
        assert all(pool.map(round_trip, range(16)))
