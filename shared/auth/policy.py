"""The access policy: the one place that decides who may do what with which data.

Endpoints never improvise: they name an `Action` (the route's guard) and, for each record they
would return, ask `decide(principal, action, resource)`. Each service declares its actions and
who may take them in its `application/access_policy.py` and registers them here; `POLICY` is
the whole policy they make together; docs/access-model.md explains it in words.

Retsplejeloven §115 allows sharing only what is necessary (need-to-know), so everything not
granted here is refused: an unknown role, an action without a row, a municipality not in the
token, a school representative's pupil of another school.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Literal

from shared.auth.principal import Principal, Role


class Action(StrEnum):
    """Base of every action. Each service declares its own (`class NotificationsAction(Action)`
    in its `application/access_policy.py`) with, per action, its spec and grants, and registers
    them here (`register`); the platform's own actions are `PlatformAction`."""


class PlatformAction(Action):
    READ_AUDIT_TRAIL = "audit_trail.read"
    EXPORT_AUDIT_TRAIL = "audit_trail.export"


@dataclass(frozen=True)
class ActionSpec:
    reads_personal_data: bool
    """A stated purpose (header `X-Purpose`) is required, and the read is audited with the
    persons it returned."""
    purpose_in_body: bool = False
    """The purpose may also come as `{"purpose": ...}` in the JSON body."""
    rate_limited: bool = False
    """Attempts per user and hour are capped (the service sets the number)."""


class DataKind(StrEnum):
    RECORD = "record"
    """The record itself (a row of a list, a step of a trace, an identity)."""
    SOCIAL_SERVICES = "social_services"
    """What reveals social services' involvement: the route, active-case reasons, the letter
    that follows a caseworker's assessment, case ids. Never for the police (§115)."""
    PSEUDONYM = "pseudonym"
    """Person keys: operations trace the flow without learning who it concerns."""


Reach = Literal["platform", "municipality", "school"]


@dataclass(frozen=True)
class Grant:
    reach: Reach
    """platform: every record; municipality: records of the token's municipalities; school:
    also only pupils of the token's schools."""
    required_scope: str | None = None
    withheld: frozenset[DataKind] = frozenset()
    records_without_municipality: bool = False
    """Records whose municipality cannot be told (e.g. unreadable rejected input) are in reach."""


@dataclass(frozen=True)
class Resource:
    """What an action touches. `municipalities=None` means "not looked at yet": the guard asks
    whether the role may perform the action at all, before any record is loaded."""

    kind: DataKind = DataKind.RECORD
    municipalities: frozenset[str] | None = None
    school: str | None = None
    listing: bool = False
    """A list of the municipality is asked for (each record in it is decided again): a
    school representative may ask, though no single school is named."""

    @classmethod
    def of(
        cls, municipality_code: str, school: str | None = None, kind: DataKind = DataKind.RECORD
    ) -> Resource:
        return cls(kind=kind, municipalities=frozenset({municipality_code}), school=school)

    @classmethod
    def listing_of(cls, municipality_code: str) -> Resource:
        return cls(municipalities=frozenset({municipality_code}), listing=True)

    def with_kind(self, kind: DataKind) -> Resource:
        return replace(self, kind=kind)


ANY_RECORD = Resource()


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    """A code (no values): why, for the audit trail."""


@dataclass(frozen=True)
class ActionRule:
    """One action's spec and its grant per role (roles without one are refused)."""

    spec: ActionSpec
    grants: Mapping[Role, Grant]


MUNICIPAL_STAFF = Grant("municipality")
READS_PERSONAL_DATA = ActionSpec(reads_personal_data=True)
NO_PERSONAL_DATA = ActionSpec(reads_personal_data=False)
NO_SOCIAL_SERVICES = frozenset({DataKind.SOCIAL_SERVICES})
NO_PERSONS = frozenset({DataKind.PSEUDONYM})
STAFF_ROLES = (
    Role.TOVHOLDER,
    Role.TEAM_LEADER,
    Role.CASEWORKER,
    Role.SCHOOL_REPRESENTATIVE,
    Role.POLICE_COORDINATOR,
    Role.EXIT_COORDINATOR,
    Role.MANAGEMENT,
    Role.OPERATIONS,
)


def municipal(*roles: Role) -> dict[Role, Grant]:
    """Each of `roles` as municipal staff: records of the token's municipalities."""
    return {role: MUNICIPAL_STAFF for role in roles}


#: Every registered action's spec, and its grants by role name: the whole policy, assembled
#: from what each service declares.
ACTIONS: dict[Action, ActionSpec] = {}
POLICY: dict[Action, dict[str, Grant]] = {}


def register(rules: Mapping[Action, ActionRule]) -> None:
    """Add a service's actions to the policy. Registering an action again with the same rule
    changes nothing; with another rule, or another action under the same name, it fails."""
    for action, rule in rules.items():
        grants = {str(role): grant for role, grant in rule.grants.items()}
        known = next((a for a in ACTIONS if a == action), None)
        if known is not None and (
            type(known) is not type(action)
            or (ACTIONS[known], POLICY[known]) != (rule.spec, grants)
        ):
            raise ValueError(f"action {action.value!r} is registered with another rule")
        ACTIONS[action] = rule.spec
        POLICY[action] = grants


ERASURE_REPORT_READERS = ActionRule(
    NO_PERSONAL_DATA, {Role.AUDITOR: Grant("platform"), Role.MANAGEMENT: Grant("platform")}
)
"""The rule of every service's READ_ERASURE_REPORT action (issue 18, `ssp erasure-report`):
counts only, per kind, month and reason, for the data protection officer; each service
registers its action with it."""

_AUDITORS = ActionRule(READS_PERSONAL_DATA, {Role.AUDITOR: Grant("platform")})
register({PlatformAction.READ_AUDIT_TRAIL: _AUDITORS, PlatformAction.EXPORT_AUDIT_TRAIL: _AUDITORS})


def decide(principal: Principal, action: Action, resource: Resource = ANY_RECORD) -> Decision:
    grant = POLICY.get(action, {}).get(principal.role)
    if grant is None:
        return Decision(False, "role_not_permitted")
    if grant.required_scope is not None and grant.required_scope not in principal.scopes:
        return Decision(False, "scope_missing")
    if resource.kind in grant.withheld:
        return Decision(False, f"{resource.kind}_withheld")
    if resource.municipalities is None or grant.reach == "platform":
        return Decision(True, "permitted")
    if not resource.municipalities:
        if grant.records_without_municipality:
            return Decision(True, "permitted_without_municipality")
        return Decision(False, "municipality_unknown")
    if not resource.municipalities & principal.municipalities:
        return Decision(False, "outside_municipality")
    if (
        grant.reach == "school"
        and not resource.listing
        and resource.school not in principal.schools
    ):
        return Decision(False, "outside_school")
    return Decision(True, "in_scope")


@dataclass
class Visibility:
    """What one caller may see under one action, asked per record (a convenience over decide)."""

    principal: Principal
    action: Action
    _cache: dict[Resource, bool] = field(default_factory=dict)

    def sees(self, resource: Resource) -> bool:
        if resource not in self._cache:
            self._cache[resource] = decide(self.principal, self.action, resource).allowed
        return self._cache[resource]
