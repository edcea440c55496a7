from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from shared.contracts import (
    FieldProblem,
    IntakeRejection,
    build_rejection,
    describe_validation_error,
    problems_for_bytes,
    salvage_identity,
)
from shared.contracts.errors import loc_to_path


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\xff\xfe{}", "not valid UTF-8"),
        (b"", "not valid JSON"),
        (b"{", "not valid JSON"),
        (b'{"revision": NaN}', "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'"3700-80123-00456-26"', "must be a JSON object"),
        (b"null", "must be a JSON object"),
    ],
)
def test_unreadable_input_is_invalid_json(raw: bytes, message: str) -> None:
    incident, problems = problems_for_bytes(raw)
    assert incident is None
    assert len(problems) == 1
    assert problems[0].field == "$" and problems[0].code == "invalid_json"
    assert message in problems[0].message


def test_empty_object_reports_every_required_field() -> None:
    _, problems = problems_for_bytes(b"{}")
    assert {p.field for p in problems} == {
        "journal_number",
        "revision",
        "source",
        "reported_at",
        "occurred_at",
        "offence",
        "location",
        "persons",
    }
    assert {p.code for p in problems} == {"missing"}


@pytest.mark.parametrize(
    ("loc", "path"),
    [
        ((), "$"),
        (("journal_number",), "journal_number"),
        (("offence", "code"), "offence.code"),
        (("persons", 0, "cpr"), "persons[0].cpr"),
        (("flags", 2), "flags[2]"),
    ],
)
def test_loc_to_path(loc: tuple[int | str, ...], path: str) -> None:
    assert loc_to_path(loc) == path


class _Echo(BaseModel):
    model_config = ConfigDict(hide_input_in_errors=True)
    secret: str

    @field_validator("secret")
    @classmethod
    def _fail(cls, value: str) -> str:
        raise ValueError(f"bad secret {value}")


def test_unknown_error_types_get_a_generic_message() -> None:
    with pytest.raises(ValidationError) as info:
        _Echo(secret="Hemmelig Hansen")
    [problem] = describe_validation_error(info.value)
    assert problem == FieldProblem(
        field="secret", code="value_error", message="invalid value (value_error)"
    )


def test_salvage_identity_only_keeps_valid_values(invalid_incident_bytes: bytes) -> None:
    assert salvage_identity(invalid_incident_bytes) == (None, None)
    assert salvage_identity(b'{"journal_number": "3700-80123-00456-26", "revision": 2}') == (
        "3700-80123-00456-26",
        2,
    )
    assert salvage_identity(b'{"journal_number": 1, "revision": true}') == (None, None)
    assert salvage_identity(b"\xff") == (None, None)


def test_build_rejection(invalid_incident_bytes: bytes) -> None:
    _, problems = problems_for_bytes(invalid_incident_bytes)
    at = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)
    rejection = build_rejection(
        invalid_incident_bytes, problems, channel="kafka", reference="abc", received_at=at
    )
    assert rejection.retrievable_at == "/v1/rejected/abc"
    assert rejection.journal_number is None and rejection.revision is None
    wire = rejection.model_dump_json()
    assert "310299" not in wire and "Test Person" not in wire
    assert IntakeRejection.model_validate_json(wire) == rejection
    generated = build_rejection(b"x", [problems[0]], channel="http")
    assert len(generated.reference) == 36
    assert json.loads(generated.model_dump_json())["channel"] == "http"
