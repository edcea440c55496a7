"""A case's id (the task id) is `uuid5` of the journal number and person key in notifications'
namespace, however it is computed: ids stored and published before must still be found."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.notifications.domain.letter_task_case import LetterTaskCase

NAMESPACE = uuid5(NAMESPACE_URL, "urn:ssp:notifications")


@given(st.text(), st.text())
def test_the_case_id_is_uuid5_of_the_journal_number_and_person_key(
    journal_number: str, person_key: str
) -> None:
    try:
        expected = uuid5(NAMESPACE, f"letter-task:{journal_number}:{person_key}")
    except UnicodeEncodeError:  # a lone surrogate: neither can encode it
        with pytest.raises(UnicodeEncodeError):
            LetterTaskCase.create_id(journal_number, person_key)
        return
    made = LetterTaskCase.create_id(journal_number, person_key)
    assert made == expected
    assert (made.version, made.variant, str(made)) == (5, expected.variant, str(expected))


def test_a_known_case_id() -> None:
    assert LetterTaskCase.create_id("3700-80123-00456-26", "pk_a") == UUID(
        "fc519982-bfb6-5e9d-bc11-51af5f63e233"
    )
