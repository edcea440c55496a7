"""The policy's rules, one at a time (the matrix checks them through every endpoint)."""

from __future__ import annotations

import pytest

from shared.auth import ACTIONS, POLICY, Action, DataKind, Principal, Resource, Role, decide
from shared.auth.principal import INCIDENTS_WRITE

HANDOVER = Action.READ_HANDOVER_LIST


def who(
    role: str, *municipalities: str, schools: tuple[str, ...] = (), scopes: tuple[str, ...] = ()
) -> Principal:
    return Principal("u", role, frozenset(municipalities), frozenset(schools), frozenset(scopes))


def test_every_action_has_a_spec_and_a_row() -> None:
    assert set(ACTIONS) == set(Action) == set(POLICY)
    known = {r.value for r in Role}
    assert all(set(grants) <= known for grants in POLICY.values())


@pytest.mark.parametrize(
    ("principal", "action", "resource", "reason"),
    [
        (who("intern", "607"), HANDOVER, Resource.of("607"), "role_not_permitted"),
        (who("management", "607"), HANDOVER, Resource.of("607"), "role_not_permitted"),
        (who("tovholder", "607"), HANDOVER, Resource.of("376"), "outside_municipality"),
        (who("tovholder"), HANDOVER, Resource.of("607"), "outside_municipality"),
        (who("police_integration"), Action.SUBMIT_INCIDENT, Resource(), "scope_missing"),
        (who("police_coordinator", "607"), Action.READ_HANDOVER_LIST,
         Resource.of("607", kind=DataKind.SOCIAL_SERVICES), "social_services_withheld"),
        (who("operations"), Action.READ_TRACE, Resource.of("607", kind=DataKind.PSEUDONYM),
         "pseudonym_withheld"),
        (who("school_representative", "607", schools=("A",)), Action.READ_HANDOVER_LIST,
         Resource.of("607", school="B"), "outside_school"),
        (who("school_representative", "607", schools=("A",)), Action.READ_HANDOVER_LIST,
         Resource.of("607"), "outside_school"),
        (who("tovholder", "607"), Action.READ_REJECTED_INPUT, Resource(municipalities=frozenset()),
         "municipality_unknown"),
        (who("tovholder", "607"), Action.READ_AUDIT_TRAIL, Resource(), "role_not_permitted"),
    ],
)  # fmt: skip
def test_refusals_say_why(
    principal: Principal, action: Action, resource: Resource, reason: str
) -> None:
    assert decide(principal, action, resource).allowed is False
    assert decide(principal, action, resource).reason == reason


@pytest.mark.parametrize(
    ("principal", "action", "resource"),
    [
        (who("tovholder", "607", "376"), Action.READ_HANDOVER_LIST, Resource.of("376")),
        (who("school_representative", "607", schools=("A",)), Action.READ_HANDOVER_LIST,
         Resource.of("607", school="A")),
        (who("school_representative", "607", schools=("A",)), Action.READ_HANDOVER_LIST,
         Resource.listing_of("607")),
        (who("police_integration", scopes=(INCIDENTS_WRITE,)), Action.SUBMIT_INCIDENT, Resource()),
        (who("police_coordinator", "607"), Action.READ_REJECTED_INPUT,
         Resource(municipalities=frozenset())),
        (who("operations"), Action.READ_TRACE, Resource.of("999")),
        (who("auditor"), Action.EXPORT_AUDIT_TRAIL, Resource.of("999")),
        (who("caseworker", "607"), Action.RESOLVE_IDENTITY,
         Resource(municipalities=frozenset({"376", "607"}))),
    ],
)  # fmt: skip
def test_grants(principal: Principal, action: Action, resource: Resource) -> None:
    assert decide(principal, action, resource).allowed is True


def test_personal_reads_need_a_purpose() -> None:
    personal = {a for a, spec in ACTIONS.items() if spec.reads_personal_data}
    assert {Action.READ_HANDOVER_LIST, Action.READ_TRACE, Action.RESOLVE_IDENTITY} <= personal
    assert Action.READ_STATISTICS not in personal


PERSONAL_READS = [a for a, spec in ACTIONS.items() if spec.reads_personal_data]


@pytest.mark.parametrize("action", PERSONAL_READS)
def test_the_police_never_read_social_services_details(action: Action) -> None:
    """§115: whatever the police may read, what reveals social services' involvement (route,
    case ids, reasons, the letter that follows an assessment) is withheld."""
    if action == Action.READ_REJECTED_INPUT:
        return  # their own input, before anyone routed it: nothing of social services
    hidden = Resource.of("607", kind=DataKind.SOCIAL_SERVICES)
    for role in (Role.POLICE_COORDINATOR, Role.POLICE_INTEGRATION):
        police = who(role, "607", scopes=(INCIDENTS_WRITE,))
        assert decide(police, action, hidden).allowed is False, (role, action)


@pytest.mark.parametrize("action", PERSONAL_READS)
def test_management_and_operations_read_no_persons(action: Action) -> None:
    """Management: aggregates (and courses naming nobody); operations: flows without keys."""
    for role in (Role.MANAGEMENT, Role.OPERATIONS):
        grant = POLICY[action].get(role)
        assert grant is None or DataKind.PSEUDONYM in grant.withheld, (role, action)


@pytest.mark.parametrize("action", PERSONAL_READS)
def test_school_representatives_reach_only_their_schools(action: Action) -> None:
    grant = POLICY[action].get(Role.SCHOOL_REPRESENTATIVE)
    assert grant is None or grant.reach == "school"


def test_the_police_complete_only_the_tasks_they_own() -> None:
    police = who("police_coordinator", "607")
    own = Resource.of("607")
    social = Resource.of("607", kind=DataKind.SOCIAL_SERVICES)
    assert decide(police, Action.COMPLETE_LETTER_TASK, own).allowed
    assert not decide(police, Action.COMPLETE_LETTER_TASK, social).allowed
    assert not decide(police, Action.READ_COURSES, own).allowed
