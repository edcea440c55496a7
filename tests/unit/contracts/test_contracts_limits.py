"""Every size is bounded: each free-text field of the contracts has a maximum length, and a
school or police district is a name, never a CPR number (issue 12, part 1)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.contracts import (
    AcceptedIncident,
    CaseRegisterEvent,
    CaseworkerAssessment,
    PoliceIncident,
    PseudonymisedCaseEvent,
)
from shared.contracts.cpr import contains_cpr_like_number
from shared.contracts.errors import parse_bytes
from shared.contracts.generate import message_models
from tests.support import example

INPUTS = (PoliceIncident, CaseRegisterEvent, CaseworkerAssessment)
CARRYING_INPUT_TEXT = (AcceptedIncident, PseudonymisedCaseEvent)


def _unbounded_strings(schema: dict[str, Any], path: str = "$") -> list[str]:
    """Paths of string values with no maxLength, pattern, enum or const in a JSON schema."""
    found: list[str] = []
    if schema.get("type") == "string" and not (
        {"maxLength", "pattern", "enum", "const", "format"} & schema.keys()
    ):
        found.append(path)
    for key, value in schema.items():
        if isinstance(value, dict):
            found += _unbounded_strings(value, f"{path}.{key}")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    found += _unbounded_strings(item, f"{path}.{key}[{i}]")
    return found


@pytest.mark.parametrize("model", INPUTS + CARRYING_INPUT_TEXT, ids=lambda m: m.__name__)
def test_every_string_of_an_input_contract_is_bounded(model: Any) -> None:
    assert _unbounded_strings(model.model_json_schema()) == []


@pytest.mark.parametrize("model", message_models(), ids=lambda m: m.__name__)
def test_every_string_of_every_message_is_bounded(model: Any) -> None:
    # Outputs too: ids, codes and roles the platform writes have a maximum length.
    assert _unbounded_strings(model.model_json_schema()) == []


def _incident_with_person(**changes: Any) -> bytes:
    doc = example("incident-valid.json")
    doc["persons"][0].update(changes)
    return json.dumps(doc).encode()


@pytest.mark.parametrize(
    "school", ["120310-4123", "Skole 1203104123", "0101001234", "Skolen 120310 4123"]
)
def test_a_cpr_like_number_in_a_school_is_a_named_problem(school: str) -> None:
    incident, problems = parse_bytes(_incident_with_person(school=school), PoliceIncident)
    assert incident is None
    assert [(p.field, p.code) for p in problems] == [("persons[0].school", "cpr_in_name")]
    assert all(school not in p.message for p in problems)


def test_a_cpr_like_number_in_the_police_district_is_a_named_problem() -> None:
    doc = example("incident-valid.json")
    doc["police_district"] = "Politi 120310-4123"
    _, problems = parse_bytes(json.dumps(doc).encode(), PoliceIncident)
    assert [(p.field, p.code) for p in problems] == [("police_district", "cpr_in_name")]


@pytest.mark.parametrize("school", ["12345", "\x00Skole", "---"])
def test_a_school_must_be_a_name(school: str) -> None:
    _, problems = parse_bytes(_incident_with_person(school=school), PoliceIncident)
    assert [(p.field, p.code) for p in problems] == [("persons[0].school", "not_a_name")]


@pytest.mark.parametrize(
    "school", ["Kirstinebjergskolen", "Skt. Knuds Skole", "Ø-skolen (afd. 2)", "10. klasse-centret"]
)
def test_real_school_names_pass(school: str) -> None:
    incident, problems = parse_bytes(_incident_with_person(school=school), PoliceIncident)
    assert problems == [] and incident is not None


def test_a_three_megabyte_school_is_rejected_as_too_long() -> None:
    _, problems = parse_bytes(_incident_with_person(school="x" * 3_000_000), PoliceIncident)
    assert [(p.field, p.code) for p in problems] == [("persons[0].school", "string_too_long")]


@given(st.from_regex(r"[0-9]{6}-?[0-9]{4}", fullmatch=True), st.text(max_size=20))
def test_any_cpr_shaped_number_is_found_in_text(cpr: str, around: str) -> None:
    assert contains_cpr_like_number(f"a {cpr} {around}")
