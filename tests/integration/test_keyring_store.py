"""A service's keyring on a SQLite file and on PostgreSQL: a batch of new persons gets its data
keys in one transaction, and a key another replica created first is the one both use."""

from __future__ import annotations

import secrets
from pathlib import Path

from sqlalchemy import event

from shared.keys.keyring import PersonKeyring, WrappingKey
from shared.settings import PlatformSettings


def _keyring(store_url: str | None, tmp_path: Path, wrapping: WrappingKey) -> PersonKeyring:
    settings = PlatformSettings(SSP_DATABASE_URL=store_url, SSP_DATA_DIR=str(tmp_path))
    return PersonKeyring.open(settings, wrapping, service="intake")


def test_a_batch_of_new_persons_gets_its_keys_in_one_commit(
    store_url: str | None, tmp_path: Path
) -> None:
    keyring = _keyring(store_url, tmp_path, WrappingKey.of(secrets.token_bytes(32)))
    commits: list[object] = []
    event.listen(keyring.engine, "commit", commits.append)
    try:
        owners = [f"pk_{n:04d}" for n in range(200)]
        keys = keyring.keys_of(owners)
        assert set(keys) == set(owners)
        assert len(set(keys.values())) == 200
        assert len(commits) == 1
        keyring._cache.clear()
        assert keyring.keys_of(owners, create=False) == keys
    finally:
        keyring.close()


def test_a_key_another_replica_created_first_is_kept(store_url: str | None, tmp_path: Path) -> None:
    wrapping = WrappingKey.of(secrets.token_bytes(32))
    first = _keyring(store_url, tmp_path, wrapping)
    second = _keyring(store_url, tmp_path, wrapping)
    try:
        theirs = first.key_of("pk_shared")
        # The second replica found no key when it looked, and creates one in the same batch
        # as a person only it has seen: the stored key wins, the new person gets theirs.
        second._create({"pk_shared", "pk_only_second"})
        loaded = second.keys_of(["pk_shared", "pk_only_second"], create=False)
        assert loaded["pk_shared"] == theirs
        assert "pk_only_second" in loaded
    finally:
        first.close()
        second.close()
