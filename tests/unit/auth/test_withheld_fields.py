"""One declared list of what reveals social services' involvement (shared/auth/withheld.py),
used by triage's decisions and reporting's handover list alike: every field either view has is
classified, so a new field cannot reach the police unnoticed, and both views withhold the same
fields (issue 12, part 5)."""

from __future__ import annotations

import pytest

from services.reporting.application.queries import HandoverEntry
from shared.auth.withheld import (
    SHOWN_WITHOUT_SOCIAL_SERVICES,
    SOCIAL_SERVICES_DETAILS,
    withhold_social_services,
)
from shared.contracts import RoutingDecision


@pytest.mark.parametrize("view", [RoutingDecision, HandoverEntry], ids=lambda v: v.__name__)
def test_every_field_of_a_view_of_a_person_is_classified(view: type) -> None:
    fields = set(view.model_fields)  # type: ignore[attr-defined]
    unclassified = fields - SOCIAL_SERVICES_DETAILS - SHOWN_WITHOUT_SOCIAL_SERVICES
    assert unclassified == set(), "add each to SOCIAL_SERVICES_DETAILS or SHOWN_..."


def test_the_two_lists_do_not_overlap() -> None:
    assert SOCIAL_SERVICES_DETAILS.isdisjoint(SHOWN_WITHOUT_SOCIAL_SERVICES)


def test_the_views_withhold_the_same_fields_where_they_share_them() -> None:
    shared = set(RoutingDecision.model_fields) & set(HandoverEntry.model_fields)
    assert {"route", "reasons", "owner_role", "owner_team", "due_at", "district"} <= shared
    assert {"decision_kind", "psp_ksp_handover"} <= shared
    assert shared & SOCIAL_SERVICES_DETAILS == shared - SHOWN_WITHOUT_SOCIAL_SERVICES


def test_withholding_empties_lists_and_values_and_keeps_the_rest() -> None:
    view = {"route": "caseworker", "reasons": ["active_case"], "history": {"repeat": True}}
    view |= {"person_key": "pk_1", "severity": "high", "co_registered_person_keys": ["pk_2"]}
    assert withhold_social_services(view) == {
        "route": None,
        "reasons": [],
        "history": None,
        "person_key": "pk_1",
        "severity": "high",
        "co_registered_person_keys": [],
    }
