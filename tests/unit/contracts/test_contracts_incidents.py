from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from shared.contracts import PoliceIncident, problems_for_bytes


def _dump(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc).encode()


def test_valid_example_parses(valid_incident_bytes: bytes) -> None:
    incident, problems = problems_for_bytes(valid_incident_bytes)
    assert problems == []
    assert incident is not None
    assert incident.journal_number == "3700-80123-00456-26"
    assert incident.offence.code == "butikstyveri"
    assert [p.cpr for p in incident.persons] == ["1203104123", "0205094871"]
    assert [incident.age_of(p) for p in incident.persons] == [16, 17]
    assert incident.flags == ["rusmidler"]


def test_invalid_example_names_every_bad_field(invalid_incident_bytes: bytes) -> None:
    incident, problems = problems_for_bytes(invalid_incident_bytes)
    assert incident is None
    assert {p.field for p in problems} == {
        "journal_number",
        "revision",
        "occurred_at",
        "offence.code",
        "persons[0].cpr",
        "persons[0].role",
        "persons[0].municipality_code",
    }
    # police_district, narrative, flags and location.text are optional: not reported.
    codes = {p.field: p.code for p in problems}
    assert codes["persons[0].cpr"] == "cpr_date"
    assert codes["offence.code"] == "literal_error"


def test_invalid_example_never_echoes_personal_data(invalid_incident_bytes: bytes) -> None:
    _, problems = problems_for_bytes(invalid_incident_bytes)
    text = json.dumps([p.model_dump() for p in problems], ensure_ascii=False)
    with pytest.raises(ValidationError) as info:
        PoliceIncident.model_validate_json(invalid_incident_bytes)
    for rendered in (text, str(info.value), repr(info.value)):
        for secret in ("310299-1234", "3102991234", "Test Person", "6O7", "spionage", "mistænkt"):
            assert secret not in rendered


def test_repr_hides_cpr_name_address_and_free_text(valid_incident_bytes: bytes) -> None:
    incident = PoliceIncident.model_validate_json(valid_incident_bytes)
    rendered = repr(incident) + str(incident)
    for secret in ("1203104123", "Mads Jensen", "Vestre Ringvej", "To unge", "Tyveri fra butik"):
        assert secret not in rendered


@pytest.mark.parametrize("count", [0, 51])
def test_person_count_out_of_range_is_rejected(incident_doc: dict[str, Any], count: int) -> None:
    person = incident_doc["persons"][0]
    incident_doc["persons"] = [copy.deepcopy(person) for _ in range(count)]
    incident, problems = problems_for_bytes(_dump(incident_doc))
    assert incident is None
    assert [p.field for p in problems] == ["persons"]


@pytest.mark.parametrize("count", [1, 50])
def test_person_count_in_range_is_accepted(incident_doc: dict[str, Any], count: int) -> None:
    incident_doc["persons"] = [copy.deepcopy(incident_doc["persons"][0]) for _ in range(count)]
    incident, problems = problems_for_bytes(_dump(incident_doc))
    assert problems == []
    assert incident is not None and len(incident.persons) == count


def test_optional_fields_may_be_absent(incident_doc: dict[str, Any]) -> None:
    for key in ("police_district", "flags", "narrative"):
        del incident_doc[key]
    del incident_doc["offence"]["text"]
    del incident_doc["location"]["text"]
    for person in incident_doc["persons"]:
        for key in ("name", "address", "school"):
            person.pop(key, None)
    incident = PoliceIncident.model_validate(incident_doc)
    assert incident.police_district is None
    assert incident.flags == []


def test_unknown_fields_are_ignored(incident_doc: dict[str, Any]) -> None:
    incident_doc["future_field"] = {"x": 1}
    incident_doc["persons"][0]["nickname"] = "M"
    incident_doc["offence"]["severity_hint"] = 3
    incident = PoliceIncident.model_validate(incident_doc)
    assert "future_field" not in incident.model_dump()


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("occurred_at", "2026-11-15T22:40:00", "timezone_aware"),
        ("reported_at", 1763280000, "datetime_type"),
        ("revision", True, "int_type"),
        ("revision", "1", "int_type"),
        ("revision", 0, "greater_than_equal"),
        ("journal_number", "3700-80123-00456-2", "string_pattern_mismatch"),
        ("journal_number", "\uff13\uff17\uff10\uff10-80123-00456-26", "string_pattern_mismatch"),
        ("source", "twitter", "literal_error"),
        ("flags", ["bande", "ukendt"], "literal_error"),
    ],
)
def test_field_rules(incident_doc: dict[str, Any], field: str, value: Any, code: str) -> None:
    incident_doc[field] = value
    _, problems = problems_for_bytes(_dump(incident_doc))
    assert [p.code for p in problems] == [code]
    assert problems[0].field.split("[")[0] == field


def test_age_uses_date_of_occurred_at_in_its_own_offset(incident_doc: dict[str, Any]) -> None:
    # Born 12 March 2010. 23:30 at -01:00 on 11 March is already 12 March in UTC.
    incident_doc["occurred_at"] = "2026-03-11T23:30:00-01:00"
    incident = PoliceIncident.model_validate(incident_doc)
    assert incident.age_of(incident.persons[0]) == 15
    assert incident.occurred_at.date() == date(2026, 3, 11)
