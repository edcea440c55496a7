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


OLD_KEY = base64.b64encode(b"o" * 32).decode()
ROTATED = {**ENV, "CIPHER_RETIRED_KEYS": f"{OLD_KEY}, "}


def test_a_retired_key_still_opens_what_it_encrypted_and_nothing_is_encrypted_with_it() -> None:
    old = StoreCipher({"CIPHER_KEY": OLD_KEY})
    sealed_before = old.encrypt(b"personal data")
    rotated = StoreCipher(ROTATED)
    assert rotated.decrypt(sealed_before) == b"personal data"
    sealed_now = rotated.encrypt(b"personal data")
    with pytest.raises(ValueError, match="Invalid cipher tag"):
        old.decrypt(sealed_now)
    assert StoreCipher(ENV).decrypt(sealed_now) == b"personal data"


def test_reencrypted_moves_only_what_a_retired_key_encrypted() -> None:
    rotated = StoreCipher(ROTATED)
    current_only = StoreCipher(ENV)
    assert rotated.reencrypted(rotated.encrypt(b"x")) is None
    moved = rotated.reencrypted(StoreCipher({"CIPHER_KEY": OLD_KEY}).encrypt(b"x"))
    assert moved is not None and current_only.decrypt(moved) == b"x"
    unknown = StoreCipher({"CIPHER_KEY": base64.b64encode(b"u" * 32).decode()})
    with pytest.raises(ValueError, match="Invalid cipher tag"):
        rotated.reencrypted(unknown.encrypt(b"x"))


def test_a_retired_key_of_the_wrong_size_is_refused() -> None:
    with pytest.raises(ValueError, match="Invalid key size"):
        StoreCipher({**ENV, "CIPHER_RETIRED_KEYS": base64.b64encode(b"k" * 20).decode()})
