"""A service's keyring on a SQLite file and on PostgreSQL: a batch of new persons gets its data
keys in one transaction, a key another replica created first is the one both use, and a
rotated wrapping key rewraps every data key."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

from sqlalchemy import event

from shared.keys.keyring import PersonKeyring, WrappingKey
from shared.keys.service_keyring import open_service_keyring
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


def test_the_platform_keys_rotation_on_each_store(store_url: str | None, tmp_path: Path) -> None:
    """SSP_KEY_WRAPPING_KEY rotated: with the old key in SSP_RETIRED_WRAPPING_KEYS the data keys
    still open, `rewrap` moves them under the new key, and then the old key is not needed."""
    old, new = (base64.b64encode(secrets.token_bytes(32)).decode() for _ in range(2))

    def opened(current: str, retired: str | None = None) -> PersonKeyring:
        settings = PlatformSettings(
            SSP_DATABASE_URL=store_url,
            SSP_DATA_DIR=str(tmp_path),
            SSP_KEY_WRAPPING_KEY=current,
            SSP_RETIRED_WRAPPING_KEYS=retired,
        )
        return open_service_keyring(settings, "reporting")

    before = opened(old)
    keys = before.keys_of(["dead-letter:1", "dead-letter:2"])
    before.close()
    rotating = opened(new, retired=old)
    try:
        assert rotating.keys_of(list(keys), create=False) == keys
        assert rotating.rewrap() == 2
        assert rotating.count_by_wrapping_key() == {rotating.wrapping.key_id: 2}
    finally:
        rotating.close()
    after = opened(new)
    try:
        assert after.keys_of(list(keys), create=False) == keys
    finally:
        after.close()
