"""Notifications' actions and who may take them: declared by notifications, registered with
the shared policy engine (shared/auth/policy.py; docs/access-model.md explains the model)."""

from __future__ import annotations

from shared.auth import Action, ActionRule, Grant, register
from shared.auth.policy import (
    NO_PERSONAL_DATA,
    NO_PERSONS,
    NO_SOCIAL_SERVICES,
    READS_PERSONAL_DATA,
    municipal,
)
from shared.auth.principal import Role


class NotificationsAction(Action):
    READ_LETTER_TASKS = "letter_tasks.read"
    COMPLETE_LETTER_TASK = "letter_task.complete"


# A person's letter task follows a routing decision or a caseworker's assessment (social
# services), unless the municipality profile made the police SSP coordinator its owner: the
# police see and complete only those (and the acute procedure's letters to a group).
# Management, who runs the acute procedure, sees and completes only its letters, which name
# no person.
_LETTER_TASK_STAFF = municipal(Role.TOVHOLDER, Role.TEAM_LEADER, Role.CASEWORKER) | {
    Role.POLICE_COORDINATOR: Grant("municipality", withheld=NO_SOCIAL_SERVICES),
    Role.MANAGEMENT: Grant("municipality", withheld=NO_SOCIAL_SERVICES | NO_PERSONS),
}

register(
    {
        NotificationsAction.READ_LETTER_TASKS: ActionRule(READS_PERSONAL_DATA, _LETTER_TASK_STAFF),
        NotificationsAction.COMPLETE_LETTER_TASK: ActionRule(NO_PERSONAL_DATA, _LETTER_TASK_STAFF),
    }
)
