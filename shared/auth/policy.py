"""The access policy: the one place that decides who may do what with which data.

Endpoints never improvise: they name an `Action` (the route's guard) and, for each record they
would return, ask `decide(principal, action, resource)`. The table `POLICY` below is the whole
policy; docs/access-model.md explains it in words.

Retsplejeloven §115 allows sharing only what is necessary (need-to-know), so everything not
granted here is refused: an unknown role, an action without a row, a municipality not in the
token, a school representative's pupil of another school.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Literal

from shared.auth.principal import INCIDENTS_WRITE, Principal, Role


class Action(StrEnum):
    SUBMIT_INCIDENT = "incident.submit"
    IMPORT_INCIDENTS = "incident.import"
    READ_REJECTED_INPUT = "rejected_input.read"
    RESUBMIT_REJECTED_INPUT = "rejected_input.resubmit"
    RESOLVE_IDENTITY = "identity.resolve"
    READ_HANDOVER_LIST = "handover_list.read"
    READ_STATISTICS = "statistics.read"
    READ_TRACE = "trace.read"
    READ_CO_REGISTRATIONS = "co_registrations.read"
    REBUILD_READ_MODELS = "read_models.rebuild"
    READ_AUDIT_TRAIL = "audit_trail.read"
    EXPORT_AUDIT_TRAIL = "audit_trail.export"
    # triage
    READ_TRIAGE = "triage.read"
    READ_PROFILES = "profiles.read"
    READ_NOT_SERVED = "not_served.read"
    READ_PSP_KSP_HANDOVERS = "psp_ksp_handovers.read"
    COMPLETE_PSP_KSP_HANDOVER = "psp_ksp_handover.complete"
    REROUTE_NOT_SERVED = "not_served.reroute"
    # notifications
    READ_LETTER_TASKS = "letter_tasks.read"
    COMPLETE_LETTER_TASK = "letter_task.complete"
    # courses
    READ_TRIVSEL_ELIGIBILITY = "trivsel_eligibility.read"
    READ_COURSES = "courses.read"
    MANAGE_TRIVSEL_COURSE = "trivsel_course.manage"
    REFER_TO_EXIT_PROGRAMME = "exit_programme.refer"
    MANAGE_EXIT_PROGRAMME = "exit_programme.manage"
    READ_EXIT_REFERRALS = "exit_referrals.read"
    MANAGE_ACUTE_PROCEDURE = "acute_procedure.manage"


@dataclass(frozen=True)
class ActionSpec:
    reads_personal_data: bool
    """A stated purpose (header `X-Purpose`) is required, and the read is audited with the
    persons it returned."""
    purpose_in_body: bool = False
    """The purpose may also come as `{"purpose": ...}` in the JSON body."""
    rate_limited: bool = False
    """Attempts per user and hour are capped (the service sets the number)."""


ACTIONS: dict[Action, ActionSpec] = {
    Action.SUBMIT_INCIDENT: ActionSpec(reads_personal_data=False),
    Action.IMPORT_INCIDENTS: ActionSpec(reads_personal_data=False),
    Action.READ_REJECTED_INPUT: ActionSpec(reads_personal_data=True),
    Action.RESUBMIT_REJECTED_INPUT: ActionSpec(reads_personal_data=False),
    Action.RESOLVE_IDENTITY: ActionSpec(
        reads_personal_data=True, purpose_in_body=True, rate_limited=True
    ),
    Action.READ_HANDOVER_LIST: ActionSpec(reads_personal_data=True),
    Action.READ_STATISTICS: ActionSpec(reads_personal_data=False),
    Action.READ_TRACE: ActionSpec(reads_personal_data=True),
    Action.READ_CO_REGISTRATIONS: ActionSpec(reads_personal_data=True),
    Action.REBUILD_READ_MODELS: ActionSpec(reads_personal_data=False),
    Action.READ_AUDIT_TRAIL: ActionSpec(reads_personal_data=True),
    Action.EXPORT_AUDIT_TRAIL: ActionSpec(reads_personal_data=True),
    # triage
    Action.READ_TRIAGE: ActionSpec(reads_personal_data=True),
    Action.READ_PROFILES: ActionSpec(reads_personal_data=False),
    Action.READ_NOT_SERVED: ActionSpec(reads_personal_data=False),
    Action.READ_PSP_KSP_HANDOVERS: ActionSpec(reads_personal_data=True),
    Action.COMPLETE_PSP_KSP_HANDOVER: ActionSpec(reads_personal_data=False),
    Action.REROUTE_NOT_SERVED: ActionSpec(reads_personal_data=False),
    # notifications
    Action.READ_LETTER_TASKS: ActionSpec(reads_personal_data=True),
    Action.COMPLETE_LETTER_TASK: ActionSpec(reads_personal_data=False),
    # courses: commands answer with the course, and are audited with its person, but a
    # command states its own purpose (no X-Purpose needed)
    Action.READ_TRIVSEL_ELIGIBILITY: ActionSpec(reads_personal_data=True),
    Action.READ_COURSES: ActionSpec(reads_personal_data=True),
    Action.MANAGE_TRIVSEL_COURSE: ActionSpec(reads_personal_data=False),
    Action.REFER_TO_EXIT_PROGRAMME: ActionSpec(reads_personal_data=False),
    Action.MANAGE_EXIT_PROGRAMME: ActionSpec(reads_personal_data=False),
    Action.READ_EXIT_REFERRALS: ActionSpec(reads_personal_data=True),
    Action.MANAGE_ACUTE_PROCEDURE: ActionSpec(reads_personal_data=False),
}


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


def _grants(roles: dict[Role, Grant]) -> dict[str, Grant]:
    return {str(role): grant for role, grant in roles.items()}


_MUNICIPAL_STAFF = Grant("municipality")
_NO_SOCIAL_SERVICES = frozenset({DataKind.SOCIAL_SERVICES})

POLICY: dict[Action, dict[str, Grant]] = {
    # Police publish for a police district serving several municipalities: not scoped.
    Action.SUBMIT_INCIDENT: _grants(
        {
            Role.POLICE_INTEGRATION: Grant("platform", required_scope=INCIDENTS_WRITE),
            Role.POLICE_COORDINATOR: Grant("platform", required_scope=INCIDENTS_WRITE),
        }
    ),
    # The weekly police list as a spreadsheet: the police for the district; a tovholder who
    # received it only the incidents whose every municipality is theirs.
    Action.IMPORT_INCIDENTS: _grants(
        {
            Role.POLICE_INTEGRATION: Grant("platform", required_scope=INCIDENTS_WRITE),
            Role.POLICE_COORDINATOR: Grant("platform", required_scope=INCIDENTS_WRITE),
            Role.TOVHOLDER: _MUNICIPAL_STAFF,
        }
    ),
    # The publisher corrects its own input; the coordinator of the municipality may help.
    # A rejected case-register event is social services' record: not for the police.
    Action.READ_REJECTED_INPUT: _grants(
        {
            Role.POLICE_COORDINATOR: Grant(
                "municipality", withheld=_NO_SOCIAL_SERVICES, records_without_municipality=True
            ),
            Role.TOVHOLDER: _MUNICIPAL_STAFF,
        }
    ),
    Action.RESUBMIT_REJECTED_INPUT: _grants(
        {
            Role.POLICE_COORDINATOR: Grant(
                "municipality", withheld=_NO_SOCIAL_SERVICES, records_without_municipality=True
            ),
            Role.TOVHOLDER: _MUNICIPAL_STAFF,
        }
    ),
    # Those who contact the family or match the person to a case need the name and CPR.
    Action.RESOLVE_IDENTITY: _grants(
        {
            Role.TOVHOLDER: _MUNICIPAL_STAFF,
            Role.TEAM_LEADER: _MUNICIPAL_STAFF,
            Role.CASEWORKER: _MUNICIPAL_STAFF,
        }
    ),
    Action.READ_HANDOVER_LIST: _grants(
        {
            Role.TOVHOLDER: _MUNICIPAL_STAFF,
            Role.TEAM_LEADER: _MUNICIPAL_STAFF,
            Role.CASEWORKER: _MUNICIPAL_STAFF,
            Role.SCHOOL_REPRESENTATIVE: Grant("school", withheld=_NO_SOCIAL_SERVICES),
            Role.POLICE_COORDINATOR: Grant("municipality", withheld=_NO_SOCIAL_SERVICES),
        }
    ),
    Action.READ_STATISTICS: _grants(
        {
            Role.MANAGEMENT: _MUNICIPAL_STAFF,
            Role.TOVHOLDER: _MUNICIPAL_STAFF,
            Role.TEAM_LEADER: _MUNICIPAL_STAFF,
            Role.POLICE_COORDINATOR: _MUNICIPAL_STAFF,
        }
    ),
    # Auditors follow a journal through every service with its persons' keys, to check
    # what each service did with them (and who then looked: GET /v1/audit).
    Action.READ_TRACE: _grants(
        {
            Role.OPERATIONS: Grant("platform", withheld=frozenset({DataKind.PSEUDONYM})),
            Role.AUDITOR: Grant("platform"),
            Role.TOVHOLDER: _MUNICIPAL_STAFF,
            Role.TEAM_LEADER: _MUNICIPAL_STAFF,
            Role.CASEWORKER: _MUNICIPAL_STAFF,
        }
    ),
    # Who appears together with a person (the group-level specific intervention): for those
    # who plan the intervention. It names other young people, so neither the police nor a
    # school (who would learn of pupils of other schools) nor management sees it.
    Action.READ_CO_REGISTRATIONS: _grants(
        {
            Role.TOVHOLDER: _MUNICIPAL_STAFF,
            Role.TEAM_LEADER: _MUNICIPAL_STAFF,
            Role.CASEWORKER: _MUNICIPAL_STAFF,
        }
    ),
    Action.REBUILD_READ_MODELS: _grants({Role.OPERATIONS: Grant("platform")}),
    Action.READ_AUDIT_TRAIL: _grants({Role.AUDITOR: Grant("platform")}),
    Action.EXPORT_AUDIT_TRAIL: _grants({Role.AUDITOR: Grant("platform")}),
}

# --- triage, notifications, courses ---------------------------------------------------------
_NO_PERSONS = frozenset({DataKind.PSEUDONYM})
_STAFF_ROLES = (
    Role.TOVHOLDER,
    Role.TEAM_LEADER,
    Role.CASEWORKER,
    Role.SCHOOL_REPRESENTATIVE,
    Role.POLICE_COORDINATOR,
    Role.EXIT_COORDINATOR,
    Role.MANAGEMENT,
    Role.OPERATIONS,
)

POLICY |= {
    # A routing decision *is* social services' involvement (route, active case, case id):
    # the police see the person's decision without it; decisions carry no school, so school
    # representatives have no grant (need-to-know fails closed).
    Action.READ_TRIAGE: _grants(
        {
            Role.TOVHOLDER: _MUNICIPAL_STAFF,
            Role.TEAM_LEADER: _MUNICIPAL_STAFF,
            Role.CASEWORKER: _MUNICIPAL_STAFF,
            Role.POLICE_COORDINATOR: Grant("municipality", withheld=_NO_SOCIAL_SERVICES),
        }
    ),
    # The municipalities' published procedures: no personal data.
    Action.READ_PROFILES: _grants({role: Grant("platform") for role in _STAFF_ROLES}),
    # Persons of municipalities not served here (issue 14, part 1): operations see journal
    # numbers and times, never person keys, and route them once the municipality is served.
    Action.READ_NOT_SERVED: _grants({Role.OPERATIONS: Grant("platform", withheld=_NO_PERSONS)}),
    Action.REROUTE_NOT_SERVED: _grants({Role.OPERATIONS: Grant("platform")}),
    # The PSP/KSP handover of a young person who turned 18 with an open item (issue 14, part
    # 4): the municipality's staff who own it (the profile names the contact's role).
    Action.READ_PSP_KSP_HANDOVERS: _grants(
        {
            Role.TOVHOLDER: _MUNICIPAL_STAFF,
            Role.TEAM_LEADER: _MUNICIPAL_STAFF,
            Role.CASEWORKER: _MUNICIPAL_STAFF,
        }
    ),
    Action.COMPLETE_PSP_KSP_HANDOVER: _grants(
        {
            Role.TOVHOLDER: _MUNICIPAL_STAFF,
            Role.TEAM_LEADER: _MUNICIPAL_STAFF,
            Role.CASEWORKER: _MUNICIPAL_STAFF,
        }
    ),
    # A letter task follows a routing decision or a caseworker's assessment (social
    # services), unless the municipality profile made the police SSP coordinator its owner:
    # the police see and complete only those.
    Action.READ_LETTER_TASKS: _grants(
        {
            Role.TOVHOLDER: _MUNICIPAL_STAFF,
            Role.TEAM_LEADER: _MUNICIPAL_STAFF,
            Role.CASEWORKER: _MUNICIPAL_STAFF,
            Role.POLICE_COORDINATOR: Grant("municipality", withheld=_NO_SOCIAL_SERVICES),
        }
    ),
    Action.COMPLETE_LETTER_TASK: _grants(
        {
            Role.TOVHOLDER: _MUNICIPAL_STAFF,
            Role.TEAM_LEADER: _MUNICIPAL_STAFF,
            Role.CASEWORKER: _MUNICIPAL_STAFF,
            Role.POLICE_COORDINATOR: Grant("municipality", withheld=_NO_SOCIAL_SERVICES),
        }
    ),
    # TRIVSEL+ is the SSP coordinator's course; the team leader follows it.
    Action.READ_TRIVSEL_ELIGIBILITY: _grants(
        {Role.TOVHOLDER: _MUNICIPAL_STAFF, Role.TEAM_LEADER: _MUNICIPAL_STAFF}
    ),
    # Courses hold free text about the young person. Management runs the acute-event
    # procedure, which names no person, and sees no course about a person.
    Action.READ_COURSES: _grants(
        {
            Role.TOVHOLDER: _MUNICIPAL_STAFF,
            Role.TEAM_LEADER: _MUNICIPAL_STAFF,
            Role.EXIT_COORDINATOR: _MUNICIPAL_STAFF,
            Role.MANAGEMENT: Grant("municipality", withheld=_NO_PERSONS),
        }
    ),
    Action.MANAGE_TRIVSEL_COURSE: _grants({Role.TOVHOLDER: _MUNICIPAL_STAFF}),
    # The police and the coordinator refer; the exit coordinator runs the programme.
    Action.REFER_TO_EXIT_PROGRAMME: _grants(
        {
            Role.EXIT_COORDINATOR: _MUNICIPAL_STAFF,
            Role.TOVHOLDER: _MUNICIPAL_STAFF,
            Role.POLICE_COORDINATOR: _MUNICIPAL_STAFF,
        }
    ),
    Action.MANAGE_EXIT_PROGRAMME: _grants({Role.EXIT_COORDINATOR: _MUNICIPAL_STAFF}),
    # Triage's referrals (bande/ekstremisme, 15+): the exit coordinator takes them up; the
    # coordinator (tovholder) follows them, as they refer too.
    Action.READ_EXIT_REFERRALS: _grants(
        {Role.EXIT_COORDINATOR: _MUNICIPAL_STAFF, Role.TOVHOLDER: _MUNICIPAL_STAFF}
    ),
    Action.MANAGE_ACUTE_PROCEDURE: _grants(
        {Role.MANAGEMENT: _MUNICIPAL_STAFF, Role.TOVHOLDER: _MUNICIPAL_STAFF}
    ),
}


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
