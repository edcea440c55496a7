"""For any served set and any codes, an incident's municipality problems are unknown codes
only: an unserved residence or location is accepted (issue 14, part 1)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from services.intake.application.service import IntakeService
from services.intake.domain.municipalities import codes_of_incident, municipality_problems
from services.intake.domain.pseudonym import Pseudonymiser
from shared.contracts import PoliceIncident
from shared.contracts.municipalities import is_municipality_code
from tests.support import example

# Known codes, and well-formed codes that are no municipality's.
POOL = ["607", "376", "657", "161", "575", "101", "999", "000", "123"]
INCIDENT = PoliceIncident.model_validate(example("incident-valid.json"))


def test_the_pool_has_both_kinds() -> None:
    assert {is_municipality_code(c) for c in POOL} == {True, False}


@settings(max_examples=300, deadline=None)
@given(
    served=st.frozensets(st.sampled_from(POOL)),
    location=st.sampled_from(POOL),
    residences=st.lists(st.sampled_from(POOL), min_size=1, max_size=4),
)
def test_the_problems_are_what_municipality_problems_finds(
    served: frozenset[str], location: str, residences: list[str]
) -> None:
    template = INCIDENT.persons[0]
    incident = INCIDENT.model_copy(
        update={
            "location": INCIDENT.location.model_copy(update={"municipality_code": location}),
            "persons": [template.model_copy(update={"municipality_code": c}) for c in residences],
        }
    )
    app: Any = None
    service = IntakeService(
        app,
        Pseudonymiser(b"s" * 32),
        served_municipalities=served,
    )
    raw = json.dumps(incident.model_dump(mode="json")).encode()
    expected = municipality_problems(codes_of_incident(incident), None)
    assert all(p.code == "unknown_municipality" for p in expected)
    assert service._municipality_problems(incident, raw) == expected
