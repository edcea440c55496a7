"""Triage's ids are the documented uuid5 of their names (stored streams are found by them, and
published decision and withdrawal ids must never change): the quick path (`Uuid5s`, the
namespace hashed once) is held to `uuid.uuid5` for any name."""

from __future__ import annotations

from uuid import NAMESPACE_URL, uuid5

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.triage.domain.ids import NAMESPACE, Uuid5s, aggregate_id
from services.triage.domain.incident_triage import withdrawal_id_for
from services.triage.domain.routing import decision_id_for
from shared.contracts.decisions import DECISION_KINDS

DECISIONS = uuid5(NAMESPACE_URL, "urn:ssp:triage:decisions")
NAMES = ["", "3700-80123-00456-26", "pk_9f2c4e1a7b3d5e6f", "æøå-ÆØÅ", "x" * 300, "\x00|\U0001f600"]


@given(st.text())
def test_uuid5s_is_uuid5(name: str) -> None:
    assert Uuid5s(NAMESPACE)(name) == uuid5(NAMESPACE, name)
    assert Uuid5s(DECISIONS).text(name) == str(uuid5(DECISIONS, name))
    assert Uuid5s(NAMESPACE)(name).version == 5


@given(st.text(), st.integers(min_value=1, max_value=10**12), st.text())
def test_decision_and_withdrawal_ids_are_uuid5(journal: str, revision: int, key: str) -> None:
    assert decision_id_for(journal, revision, key) == str(
        uuid5(DECISIONS, f"{journal}|{revision}|{key}")
    )
    for kind in DECISION_KINDS[1:]:
        assert decision_id_for(journal, revision, key, kind) == str(
            uuid5(DECISIONS, f"{journal}|{revision}|{key}|{kind}")
        )
    assert withdrawal_id_for(journal, revision, key) == str(
        uuid5(NAMESPACE, f"withdrawal:{journal}|{revision}|{key}")
    )


@pytest.mark.parametrize("name", NAMES)
def test_ids_of_known_names_are_uuid5(name: str) -> None:
    assert aggregate_id(f"incident:{name}") == uuid5(NAMESPACE, f"incident:{name}")
    assert decision_id_for(name, 1, name) == str(uuid5(DECISIONS, f"{name}|1|{name}"))
    assert decision_id_for(name, 2, name, "revised") == str(
        uuid5(DECISIONS, f"{name}|2|{name}|revised")
    )
