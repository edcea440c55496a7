"""Notifications' actions and who may take them: declared by notifications, registered with the
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


class NotificationsAction(Action):
    READ_LETTER_TASKS = "letter_tasks.read"
    COMPLETE_LETTER_TASK = "letter_task.complete"


register(
    {
        # A person's letter task follows a routing decision or a caseworker's assessment (social
        # services), unless the municipality profile made the police SSP coordinator its owner:
        # the police see and complete only those (and the acute procedure's letter to a group).
        # Management, who runs the acute procedure, sees and completes only its letters, which
        # name no person.
        NotificationsAction.READ_LETTER_TASKS: ActionRule(
            ActionSpec(reads_personal_data=True),
            {
                Role.TOVHOLDER: MUNICIPAL_STAFF,
                Role.TEAM_LEADER: MUNICIPAL_STAFF,
                Role.CASEWORKER: MUNICIPAL_STAFF,
                Role.POLICE_COORDINATOR: Grant("municipality", withheld=NO_SOCIAL_SERVICES),
                Role.MANAGEMENT: Grant("municipality", withheld=NO_SOCIAL_SERVICES | NO_PERSONS),
            },
        ),
        NotificationsAction.COMPLETE_LETTER_TASK: ActionRule(
            ActionSpec(reads_personal_data=False),
            {
                Role.TOVHOLDER: MUNICIPAL_STAFF,
                Role.TEAM_LEADER: MUNICIPAL_STAFF,
                Role.CASEWORKER: MUNICIPAL_STAFF,
                Role.POLICE_COORDINATOR: Grant("municipality", withheld=NO_SOCIAL_SERVICES),
                Role.MANAGEMENT: Grant("municipality", withheld=NO_SOCIAL_SERVICES | NO_PERSONS),
            },
        ),
    }
)
