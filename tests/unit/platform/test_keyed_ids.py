"""`keyed_id`: an aggregate's `create_id` declared by the creation fields that key it. It must
make the same ids as the hand-written f-string it replaces (ids are stored), take its keys
by position and by name (eventsourcing passes them by name), and refuse, when the class is
defined, a key that no creation event has."""

from __future__ import annotations

import inspect
from uuid import UUID

import pytest
from eventsourcing.domain import Aggregate, event
from hypothesis import given
from hypothesis import strategies as st

from shared.eventstore.ids import IdSpace, keyed_id

_IDS = IdSpace("urn:ssp:test")


class Register(Aggregate):
    create_id = keyed_id(_IDS, "person_key", prefix="cases")

    @event("Started")
    def __init__(self, person_key: str) -> None:
        self.person_key = person_key


class Pair(Aggregate):
    class Opened(Aggregate.Created):
        person_key: str
        journal_number: str

    create_id = keyed_id(_IDS, "person_key", "journal_number")

    @classmethod
    def open(cls, person_key: str, journal_number: str) -> Pair:
        return cls._create(cls.Opened, person_key=person_key, journal_number=journal_number)


@given(st.text(), st.text(), st.text())
def test_the_id_is_the_one_of_the_name_the_keys_make(a: str, b: str, c: str) -> None:
    assert keyed_id(_IDS, "x", prefix="p").__func__(a) == _IDS(f"p:{a}")
    assert keyed_id(_IDS, "x", "y").__func__(a, b) == _IDS(f"{a}:{b}")
    three = keyed_id(_IDS, "x", "y", "z", prefix="p:q")
    assert three.__func__(a, b, c) == _IDS(f"p:q:{a}:{b}:{c}")
    assert three.__func__(z=c, y=b, x=a) == _IDS(f"p:q:{a}:{b}:{c}")


def test_eventsourcing_derives_a_new_aggregates_id_from_its_creation_fields() -> None:
    assert Register(person_key="k").id == Register.create_id("k") == _IDS("cases:k")
    pair = Pair.open("k", "j")
    assert pair.id == Pair.create_id("k", "j") == _IDS("k:j")
    assert isinstance(pair.id, UUID)


def test_create_id_shows_its_keys_as_its_parameters() -> None:
    assert list(inspect.signature(Pair.create_id).parameters) == ["person_key", "journal_number"]
    assert Pair.create_id.__qualname__ == "Pair.create_id"


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [((), {}), (("k", "j", "x"), {}), (("k",), {"person_key": "k"}), (("k",), {"other": "j"})],
)
def test_create_id_refuses_keys_it_does_not_have(
    args: tuple[str, ...], kwargs: dict[str, str]
) -> None:
    with pytest.raises(TypeError):
        Pair.create_id(*args, **kwargs)


def _raised_in_class_body(error: BaseException) -> BaseException:
    # Python 3.11 wraps an error in __set_name__ in a RuntimeError; 3.12 raises it as it is.
    return error.__cause__ if isinstance(error, RuntimeError) and error.__cause__ else error


def test_a_key_no_creation_event_has_fails_when_the_class_is_defined() -> None:
    with pytest.raises((TypeError, RuntimeError)) as raised:

        class Misspelt(Aggregate):
            create_id = keyed_id(_IDS, "person_kye", prefix="cases")

            @event("Started")
            def __init__(self, person_key: str) -> None:
                self.person_key = person_key

    error = _raised_in_class_body(raised.value)
    assert isinstance(error, TypeError)
    assert "person_kye" in str(error)
    assert "Misspelt.__init__" in str(error)


def test_every_creation_event_must_have_the_keys() -> None:
    with pytest.raises((TypeError, RuntimeError)) as raised:

        class OneLacksIt(Aggregate):
            class Opened(Aggregate.Created):
                person_key: str
                journal_number: str

            class Reopened(Aggregate.Created):
                person_key: str

            create_id = keyed_id(_IDS, "person_key", "journal_number")

    error = _raised_in_class_body(raised.value)
    assert isinstance(error, TypeError)
    assert "journal_number" in str(error)
    assert "Reopened" in str(error)


def test_keys_must_be_distinct() -> None:
    with pytest.raises(TypeError):
        keyed_id(_IDS, "person_key", "person_key")
