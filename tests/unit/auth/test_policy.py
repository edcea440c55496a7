"""The policy's rules, one at a time (the matrix checks them through every endpoint)."""

from __future__ import annotations

import pytest

from services.courses.application.access_policy import CoursesAction
from services.intake.application.access_policy import IntakeAction
from services.notifications.application.access_policy import NotificationsAction
from services.reporting.application.access_policy import ReportingAction
from services.triage.application.access_policy import TriageAction
from shared.auth import (
    ACTIONS,
    POLICY,
    Action,
    ActionRule,
    ActionSpec,
    DataKind,
    Grant,
    PlatformAction,
    Principal,
    Resource,
    Role,
    decide,
    register,
)
from shared.auth.principal import INCIDENTS_WRITE

HANDOVER = ReportingAction.READ_HANDOVER_LIST


def who(
    role: str, *municipalities: str, schools: tuple[str, ...] = (), scopes: tuple[str, ...] = ()
) -> Principal:
    return Principal("u", role, frozenset(municipalities), frozenset(schools), frozenset(scopes))


SERVICE_ACTIONS = (IntakeAction, ReportingAction, TriageAction, NotificationsAction, CoursesAction)


def test_every_action_has_a_spec_and_a_row() -> None:
    """Each service declares its actions and registers them with the policy engine; together
    with the platform's own they are the whole policy, each name once."""
    declared = [a for kind in (PlatformAction, *SERVICE_ACTIONS) for a in kind]
    assert set(ACTIONS) == set(declared) == set(POLICY)
    assert len({a.value for a in declared}) == len(declared)
    assert all(issubclass(kind, Action) for kind in SERVICE_ACTIONS)
    known = {r.value for r in Role}
    assert all(set(grants) <= known for grants in POLICY.values())


@pytest.mark.parametrize(
    ("principal", "action", "resource", "reason"),
    [
        (who("intern", "607"), HANDOVER, Resource.of("607"), "role_not_permitted"),
        (who("management", "607"), HANDOVER, Resource.of("607"), "role_not_permitted"),
        (who("tovholder", "607"), HANDOVER, Resource.of("376"), "outside_municipality"),
        (who("tovholder"), HANDOVER, Resource.of("607"), "outside_municipality"),
        (who("police_integration"), IntakeAction.SUBMIT_INCIDENT, Resource(), "scope_missing"),
        (who("police_coordinator", "607"), ReportingAction.READ_HANDOVER_LIST,
         Resource.of("607", kind=DataKind.SOCIAL_SERVICES), "social_services_withheld"),
        (who("operations"), ReportingAction.READ_TRACE, Resource.of("607", kind=DataKind.PSEUDONYM),
         "pseudonym_withheld"),
        (who("school_representative", "607", schools=("A",)), ReportingAction.READ_HANDOVER_LIST,
         Resource.of("607", school="B"), "outside_school"),
        (who("school_representative", "607", schools=("A",)), ReportingAction.READ_HANDOVER_LIST,
         Resource.of("607"), "outside_school"),
        (who("tovholder", "607"), IntakeAction.READ_REJECTED_INPUT,
         Resource(municipalities=frozenset()), "municipality_unknown"),
        (who("tovholder", "607"), PlatformAction.READ_AUDIT_TRAIL, Resource(),
         "role_not_permitted"),
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
        (who("tovholder", "607", "376"), ReportingAction.READ_HANDOVER_LIST, Resource.of("376")),
        (who("school_representative", "607", schools=("A",)), ReportingAction.READ_HANDOVER_LIST,
         Resource.of("607", school="A")),
        (who("school_representative", "607", schools=("A",)), ReportingAction.READ_HANDOVER_LIST,
         Resource.listing_of("607")),
        (who("police_integration", scopes=(INCIDENTS_WRITE,)), IntakeAction.SUBMIT_INCIDENT,
         Resource()),
        (who("police_coordinator", "607"), IntakeAction.READ_REJECTED_INPUT,
         Resource(municipalities=frozenset())),
        (who("operations"), ReportingAction.READ_TRACE, Resource.of("999")),
        (who("auditor"), PlatformAction.EXPORT_AUDIT_TRAIL, Resource.of("999")),
        (who("caseworker", "607"), IntakeAction.RESOLVE_IDENTITY,
         Resource(municipalities=frozenset({"376", "607"}))),
    ],
)  # fmt: skip
def test_grants(principal: Principal, action: Action, resource: Resource) -> None:
    assert decide(principal, action, resource).allowed is True


def test_personal_reads_need_a_purpose() -> None:
    personal = {a for a, spec in ACTIONS.items() if spec.reads_personal_data}
    assert {
        ReportingAction.READ_HANDOVER_LIST,
        ReportingAction.READ_TRACE,
        IntakeAction.RESOLVE_IDENTITY,
    } <= personal
    assert ReportingAction.READ_STATISTICS not in personal


PERSONAL_READS = [a for a, spec in ACTIONS.items() if spec.reads_personal_data]


@pytest.mark.parametrize("action", PERSONAL_READS)
def test_the_police_never_read_social_services_details(action: Action) -> None:
    """§115: whatever the police may read, what reveals social services' involvement (route,
    case ids, reasons, the letter that follows an assessment) is withheld."""
    if action == IntakeAction.READ_REJECTED_INPUT:
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
    assert decide(police, NotificationsAction.COMPLETE_LETTER_TASK, own).allowed
    assert not decide(police, NotificationsAction.COMPLETE_LETTER_TASK, social).allowed
    assert not decide(police, CoursesAction.READ_COURSES, own).allowed


def test_an_action_is_registered_with_one_rule() -> None:
    rule = ActionRule(ActionSpec(reads_personal_data=False), {Role.AUDITOR: Grant("platform")})
    register(
        {
            PlatformAction.READ_AUDIT_TRAIL: ActionRule(
                ActionSpec(reads_personal_data=True), {Role.AUDITOR: Grant("platform")}
            )
        }
    )  # the same rule again: nothing changes
    with pytest.raises(ValueError, match="another rule"):
        register({PlatformAction.READ_AUDIT_TRAIL: rule})

    class Impostor(Action):
        READ = "letter_tasks.read"

    with pytest.raises(ValueError, match="another rule"):
        register({Impostor.READ: rule})
    assert ACTIONS[NotificationsAction.READ_LETTER_TASKS].reads_personal_data
