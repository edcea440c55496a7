"""Which municipalities an input names, and whether each is Danish and served here.

A police district serves several municipalities with one stream (001: "politikredsens 7
kommuner"; 003: "de 11 kommuner i Politikredsen"); a deployment serves some of them
(`SSP_MUNICIPALITIES`). An input naming a code that is not a Danish municipality is rejected and
kept like any other bad input. An incident that happened in, or names persons living in, a
neighbouring municipality is accepted: the persons living in a served municipality are routed,
the others are marked not served (`served: false`) and recorded by triage without a decision
(issue 14, part 1). A case-register event comes from one municipality's own register: one of an
unserved municipality is still rejected (`municipality_not_served`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from shared.contracts import FieldProblem, PoliceIncident
from shared.contracts.common import MUNICIPALITY_CODE_PATTERN
from shared.contracts.municipalities import (
    DEFAULT_SERVED_MUNICIPALITIES,
    MUNICIPALITY_NOT_SERVED,
    UNKNOWN_MUNICIPALITY,
    is_municipality_code,
)

__all__ = [
    "DEFAULT_MUNICIPALITIES",
    "MUNICIPALITY_NOT_SERVED",
    "UNKNOWN_MUNICIPALITY",
    "codes_of_document",
    "codes_of_incident",
    "municipality_problems",
]

DEFAULT_MUNICIPALITIES = DEFAULT_SERVED_MUNICIPALITIES

_CODE = re.compile(MUNICIPALITY_CODE_PATTERN)


def codes_of_incident(incident: PoliceIncident) -> list[tuple[str, str]]:
    """(field path, code) of every municipality a valid incident names."""
    named = [("location.municipality_code", incident.location.municipality_code)]
    named += [
        (f"persons[{i}].municipality_code", person.municipality_code)
        for i, person in enumerate(incident.persons)
    ]
    return named


def codes_of_document(doc: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The same for a document that failed validation: only well-formed codes (the pattern
    problem is reported by the contract already)."""
    named: list[tuple[str, Any]] = []
    location = doc.get("location")
    if isinstance(location, Mapping):
        named.append(("location.municipality_code", location.get("municipality_code")))
    persons = doc.get("persons")
    if isinstance(persons, list):
        named += [
            (f"persons[{i}].municipality_code", person.get("municipality_code"))
            for i, person in enumerate(persons)
            if isinstance(person, Mapping)
        ]
    return [(path, code) for path, code in named if isinstance(code, str) and _CODE.match(code)]


def municipality_problems(
    named: Iterable[tuple[str, str]], served: frozenset[str] | None
) -> list[FieldProblem]:
    """One problem per field naming an unknown municipality, or (unless `served` is None) one
    this deployment does not serve. Messages never contain the code: a residence municipality
    is personal data about the person."""
    problems = []
    for path, code in named:
        if not is_municipality_code(code):
            problems.append(
                FieldProblem(
                    field=path,
                    code=UNKNOWN_MUNICIPALITY,
                    message="not a Danish municipality code",
                )
            )
        elif served is not None and code not in served:
            problems.append(
                FieldProblem(
                    field=path,
                    code=MUNICIPALITY_NOT_SERVED,
                    message="this deployment does not serve the municipality (SSP_MUNICIPALITIES)",
                )
            )
    return problems
