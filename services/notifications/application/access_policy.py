"""Notifications' actions and who may take them: declared by notifications, registered with
the shared policy engine (shared/auth/policy.py; docs/access-model.md explains the model)."""

from __future__ import annotations

from shared.auth import ERASURE_REPORT_READERS, Action, ActionRule, Grant, register
from shared.auth.policy import (
    NO_PERSONAL_DATA,
    NO_PERSONS,
    NO_SOCIAL_SERVICES,
    READS_PERSONAL_DATA,
    municipal,
)
from shared.auth.principal import ASSESSMENTS_WRITE, Role


class NotificationsAction(Action):
    READ_LETTER_TASKS = "letter_tasks.read"
    COMPLETE_LETTER_TASK = "letter_task.complete"
    READ_LETTER = "letter.read"
    SEND_LETTER = "letter.send"
    WAIVE_LETTER_TASK = "letter_task.waive"
    READ_LETTER_ESCALATIONS = "letter_escalations.read"
    RECORD_ASSESSMENT = "assessment.record"
    READ_ERASURE_REPORT = "notifications_erasure_report.read"


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
        # Issue 16: the rendered letter names the person and the address (a stated purpose,
        # audited); those who may complete a task preview, send and waive its letter (the
        # waiver further limited to the task's owner role and the team leader, by the route).
        NotificationsAction.READ_LETTER: ActionRule(READS_PERSONAL_DATA, _LETTER_TASK_STAFF),
        NotificationsAction.SEND_LETTER: ActionRule(NO_PERSONAL_DATA, _LETTER_TASK_STAFF),
        NotificationsAction.WAIVE_LETTER_TASK: ActionRule(NO_PERSONAL_DATA, _LETTER_TASK_STAFF),
        # Management's count of tasks still open at twice their deadline: numbers only.
        NotificationsAction.READ_LETTER_ESCALATIONS: ActionRule(
            NO_PERSONAL_DATA, municipal(Role.MANAGEMENT, Role.TEAM_LEADER)
        ),
        # Issue 17, part 3: the caseworker's assessment and the meeting with the family, over
        # HTTP. The caseworker app (a machine client with `assessments:write`, the scope its
        # Kafka grant stands for) only for persons routed to the caseworker in its
        # municipalities: its own persons (the route checks the decision).
        NotificationsAction.RECORD_ASSESSMENT: ActionRule(
            NO_PERSONAL_DATA,
            municipal(Role.CASEWORKER, Role.TEAM_LEADER)
            | {Role.CASEWORKER_APP: Grant("municipality", required_scope=ASSESSMENTS_WRITE)},
        ),
        # Counts only, per kind, month and reason (issue 18): its dead letters' erasures, for
        # the data protection officer, as intake's.
        NotificationsAction.READ_ERASURE_REPORT: ERASURE_REPORT_READERS,
    }
)
