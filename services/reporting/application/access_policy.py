"""Reporting's actions and who may take them: declared by reporting, registered with the
shared policy engine (shared/auth/policy.py; docs/access-model.md explains the model)."""

from __future__ import annotations

from shared.auth.policy import (
    MUNICIPAL_STAFF,
    NO_PERSONS,
    NO_SOCIAL_SERVICES,
    Action,
    ActionRule,
    ActionSpec,
    Grant,
    register,
)
from shared.auth.principal import Role


class ReportingAction(Action):
    READ_HANDOVER_LIST = "handover_list.read"
    READ_STATISTICS = "statistics.read"
    READ_TRACE = "trace.read"
    READ_CO_REGISTRATIONS = "co_registrations.read"
    REBUILD_READ_MODELS = "read_models.rebuild"


register(
    {
        ReportingAction.READ_HANDOVER_LIST: ActionRule(
            ActionSpec(reads_personal_data=True),
            {
                Role.TOVHOLDER: MUNICIPAL_STAFF,
                Role.TEAM_LEADER: MUNICIPAL_STAFF,
                Role.CASEWORKER: MUNICIPAL_STAFF,
                Role.SCHOOL_REPRESENTATIVE: Grant("school", withheld=NO_SOCIAL_SERVICES),
                Role.POLICE_COORDINATOR: Grant("municipality", withheld=NO_SOCIAL_SERVICES),
            },
        ),
        ReportingAction.READ_STATISTICS: ActionRule(
            ActionSpec(reads_personal_data=False),
            {
                Role.MANAGEMENT: MUNICIPAL_STAFF,
                Role.TOVHOLDER: MUNICIPAL_STAFF,
                Role.TEAM_LEADER: MUNICIPAL_STAFF,
                Role.POLICE_COORDINATOR: MUNICIPAL_STAFF,
            },
        ),
        ReportingAction.READ_TRACE: ActionRule(
            ActionSpec(reads_personal_data=True),
            {
                Role.OPERATIONS: Grant("platform", withheld=NO_PERSONS),
                Role.TOVHOLDER: MUNICIPAL_STAFF,
                Role.TEAM_LEADER: MUNICIPAL_STAFF,
                Role.CASEWORKER: MUNICIPAL_STAFF,
            },
        ),
        # Who appears together with a person (the group-level specific intervention): for those
        # who plan the intervention. It names other young people, so neither the police nor a
        # school (who would learn of pupils of other schools) nor management sees it.
        ReportingAction.READ_CO_REGISTRATIONS: ActionRule(
            ActionSpec(reads_personal_data=True),
            {
                Role.TOVHOLDER: MUNICIPAL_STAFF,
                Role.TEAM_LEADER: MUNICIPAL_STAFF,
                Role.CASEWORKER: MUNICIPAL_STAFF,
            },
        ),
        ReportingAction.REBUILD_READ_MODELS: ActionRule(
            ActionSpec(reads_personal_data=False),
            {Role.OPERATIONS: Grant("platform")},
        ),
    }
)
