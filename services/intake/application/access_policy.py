"""Intake's actions and who may take them: declared by intake, registered with the
shared policy engine (shared/auth/policy.py; docs/access-model.md explains the model)."""

from __future__ import annotations

from shared.auth.policy import (
    MUNICIPAL_STAFF,
    Action,
    ActionRule,
    ActionSpec,
    Grant,
    register,
)
from shared.auth.principal import INCIDENTS_WRITE, Role


class IntakeAction(Action):
    SUBMIT_INCIDENT = "incident.submit"
    IMPORT_INCIDENTS = "incident.import"
    READ_REJECTED_INPUT = "rejected_input.read"
    RESUBMIT_REJECTED_INPUT = "rejected_input.resubmit"
    RESOLVE_IDENTITY = "identity.resolve"


register(
    {
        # Police publish for a police district serving several municipalities: not scoped.
        IntakeAction.SUBMIT_INCIDENT: ActionRule(
            ActionSpec(reads_personal_data=False),
            {
                Role.POLICE_INTEGRATION: Grant("platform", required_scope=INCIDENTS_WRITE),
                Role.POLICE_COORDINATOR: Grant("platform", required_scope=INCIDENTS_WRITE),
            },
        ),
        # The weekly police list as a spreadsheet: the police for the district; a tovholder who
        # received it only the incidents whose every municipality is theirs.
        IntakeAction.IMPORT_INCIDENTS: ActionRule(
            ActionSpec(reads_personal_data=False),
            {
                Role.POLICE_INTEGRATION: Grant("platform", required_scope=INCIDENTS_WRITE),
                Role.POLICE_COORDINATOR: Grant("platform", required_scope=INCIDENTS_WRITE),
                Role.TOVHOLDER: MUNICIPAL_STAFF,
            },
        ),
        # The publisher corrects its own input; the coordinator of the municipality may help.
        IntakeAction.READ_REJECTED_INPUT: ActionRule(
            ActionSpec(reads_personal_data=True),
            {
                Role.POLICE_COORDINATOR: Grant("municipality", records_without_municipality=True),
                Role.TOVHOLDER: MUNICIPAL_STAFF,
            },
        ),
        IntakeAction.RESUBMIT_REJECTED_INPUT: ActionRule(
            ActionSpec(reads_personal_data=False),
            {
                Role.POLICE_COORDINATOR: Grant("municipality", records_without_municipality=True),
                Role.TOVHOLDER: MUNICIPAL_STAFF,
            },
        ),
        # Those who contact the family or match the person to a case need the name and CPR.
        IntakeAction.RESOLVE_IDENTITY: ActionRule(
            ActionSpec(reads_personal_data=True, purpose_in_body=True, rate_limited=True),
            {
                Role.TOVHOLDER: MUNICIPAL_STAFF,
                Role.TEAM_LEADER: MUNICIPAL_STAFF,
                Role.CASEWORKER: MUNICIPAL_STAFF,
            },
        ),
    }
)
