from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from shared.contracts import (
    AcceptedIncident,
    CaseRegisterEvent,
    CaseworkerAssessment,
    ExitReferral,
    LetterTaskEvent,
    PseudonymisedCaseEvent,
    PseudonymousPerson,
    RoutingDecision,
)
from shared.contracts.generate import message_models

DECISION: dict[str, Any] = {
    "decision_id": "d1",
    "journal_number": "3700-80123-00456-26",
    "revision": 1,
    "person_key": "pk1",
    "municipality_code": "607",
    "route": "tovholder",
    "workflow": "minor",
    "age_at_incident": 14,
    "role": "sigtet",
    "offence_code": "butikstyveri",
    "severity": "low",
    "reasons": ["no_active_case"],
    "case_id": None,
    "occurred_at": "2026-11-15T22:40:00+01:00",
    "decided_at": "2026-11-16T08:12:03+01:00",
}


#: Optional fields this project adds to §4 (docs/contracts.md, "Routing decisions").
DECISION_EXTENSIONS = {
    "owner_role",
    "owner_team",
    "due_at",
    "youth_letter_age",
    "profile",
    "district",
    "history",
    "co_registered_person_keys",
    "psp_ksp_handover",
    "revises_decision_id",
    "decision_kind",
    "letters",
    "decided_by",
}


def test_routing_decision_has_the_contract_fields_and_only_optional_extensions() -> None:
    assert set(RoutingDecision.model_fields) == set(DECISION) | DECISION_EXTENSIONS
    for name in DECISION_EXTENSIONS:
        assert not RoutingDecision.model_fields[name].is_required(), name
    decision = RoutingDecision.model_validate({**DECISION, "added_later": 1})  # §4 as written
    assert decision.owner_role is None and decision.co_registered_person_keys == []
    assert decision.psp_ksp_handover is False
    assert decision.decision_kind == "initial" and decision.revises_decision_id is None
    assert RoutingDecision.model_validate_json(decision.model_dump_json()) == decision


def test_letter_task_has_the_contract_fields_and_optional_extensions() -> None:
    optional = {
        "owner_team",
        "reason",
        # issue 16: the endings sent and waived, and escalations
        "channel",
        "letter_version",
        "copies",
        "waiver_reason",
        "by_role",
        "escalated_to",
    }
    for name in optional:
        assert not LetterTaskEvent.model_fields[name].is_required(), name
    assert set(LetterTaskEvent.model_fields) - optional == {
        "task_id",
        "event",
        "journal_number",
        "person_key",
        "municipality_code",
        "kind",
        "recipients",
        "owner_role",
        "due_at",
        "at",
    }


_LETTER_TASK: dict[str, Any] = {
    "task_id": "5acd50df-5b52-501d-8c43-80bc196d119f",
    "event": "created",
    "journal_number": None,
    "person_key": "acute:f0d9b3cb-db8d-5366-9453-099e602ed8d6",
    "municipality_code": "607",
    "kind": "akut_standardbrev",
    "recipients": ["parents", "local_staff"],
    "owner_role": "management",
    "due_at": "2026-11-17T09:00:00Z",
    "at": "2026-11-16T09:00:00Z",
}


def test_only_the_acute_standard_letter_may_name_no_journal_number() -> None:
    """Issue 14, part 3 (000: the acute letter needs no police case): `journal_number` stays
    a required key, null only on akut_standardbrev; every other kind still names its incident."""
    acute = LetterTaskEvent.model_validate(_LETTER_TASK)
    assert acute.journal_number is None
    assert json.loads(acute.model_dump_json())["journal_number"] is None  # present, as null
    for kind in ("orientering", "indkaldelse", "bekymringsbrev", "orientering_forurettet"):
        with pytest.raises(ValidationError, match="journal_number required"):
            LetterTaskEvent.model_validate({**_LETTER_TASK, "kind": kind})
    without_key = {k: v for k, v in _LETTER_TASK.items() if k != "journal_number"}
    with pytest.raises(ValidationError, match="journal_number"):
        LetterTaskEvent.model_validate(without_key)
    schema = LetterTaskEvent.model_json_schema()
    assert "journal_number" in schema["required"]


def test_case_event_and_assessment_examples_from_contracts_md() -> None:
    case = CaseRegisterEvent.model_validate(
        {
            "event": "case_opened",
            "case_id": "DUBU-2026-001234",
            "cpr": "1203104123",
            "municipality_code": "607",
            "team": "Børn og Familie Team Nord",
            "caseworker": "ABJ",
            "at": "2026-10-02T09:00:00+02:00",
        }
    )
    assert case.cpr == "1203104123"
    assert "1203104123" not in repr(case)
    assessment = CaseworkerAssessment.model_validate(
        {
            "journal_number": "3700-80123-00456-26",
            "person_key": "pk1",
            "outcome": "inform",
            "caseworker": "ABJ",
            "at": "2026-11-17T10:00:00+01:00",
            "note": "…",
        }
    )
    assert assessment.outcome == "inform"
    with pytest.raises(ValidationError):
        CaseworkerAssessment.model_validate({**assessment.model_dump(), "outcome": "ignore"})


PERSONAL = {"cpr", "name", "address", "narrative", "text", "note"}


def _property_names(schema: Any) -> set[str]:
    names: set[str] = set()
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "properties":
                names |= set(value)
            names |= _property_names(value)
    elif isinstance(schema, list):
        for item in schema:
            names |= _property_names(item)
    return names


@pytest.mark.parametrize(
    "model",
    [
        AcceptedIncident,
        PseudonymousPerson,
        PseudonymisedCaseEvent,
        RoutingDecision,
        LetterTaskEvent,
    ],
)
def test_no_personal_data_fields_outside_the_input_topics(model: type[BaseModel]) -> None:
    assert not _property_names(model.model_json_schema()) & PERSONAL


def _walk(model: type[BaseModel], seen: set[type[BaseModel]]) -> None:
    if model in seen:
        return
    seen.add(model)
    for name, field in model.model_fields.items():
        assert field.description, f"{model.__name__}.{name} has no description"
        assert field.examples, f"{model.__name__}.{name} has no examples"
        for arg in _nested_models(field.annotation):
            _walk(arg, seen)


def _nested_models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) for m in _nested_models(arg)]


def test_every_field_has_description_and_examples() -> None:
    seen: set[type[BaseModel]] = set()
    for model in message_models():
        _walk(model, seen)
    assert len(seen) > len(message_models())  # nested models were visited too


def test_exit_referral_needs_a_triggering_flag_and_age_15() -> None:
    referral = {
        "referral_id": "r1",
        "journal_number": "3700-80123-00456-26",
        "revision": 1,
        "person_key": "pk1",
        "municipality_code": "376",
        "age_at_incident": 15,
        "workflow": "minor",
        "flags": ["bande"],
        "offence_code": "vold",
        "decision_id": "d1",
        "referred_at": "2026-11-16T08:12:03+01:00",
    }
    parsed = ExitReferral.model_validate(referral)
    assert (parsed.owner_role, parsed.owner_team) == ("exit_coordinator", None)
    for bad in ({"age_at_incident": 14}, {"flags": []}, {"flags": ["vaaben"]}):
        with pytest.raises(ValidationError):
            ExitReferral.model_validate({**referral, **bad})
