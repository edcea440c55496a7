"""Each service has a keyring of its own (shared/keys): the same owner has a different data key
in each, and destroying it in one leaves the others' untouched, also in one database."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect
from sqlalchemy.pool import StaticPool

from shared.keys.keyring import PersonKeyring, WrappingKey
from shared.keys.sealing import PersonSealer


def test_two_services_keep_separate_keys_in_one_database() -> None:
    engine = create_engine(
        "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
    )
    wrapping = WrappingKey.of(b"w" * 32)
    intake = PersonKeyring(engine, wrapping, service="intake")
    courses = PersonKeyring(engine, wrapping, service="courses")
    assert {"intake_person_keys", "courses_person_keys", "courses_erasures"} <= set(
        inspect(engine).get_table_names()
    )

    sealed = PersonSealer(courses).seal(["pk_a"], b"a note about a")
    assert intake.key_of("pk_a") != courses.key_of("pk_a")

    intake.destroy("pk_a", erasure_id="e1", kind="person", reason="request")
    assert intake.is_erased("pk_a") and not courses.is_erased("pk_a")
    assert PersonSealer(courses).open(sealed) == b"a note about a"

    courses.destroy("pk_a", erasure_id="e1", kind="person", reason="request")
    assert PersonSealer(courses).open(sealed) is None
