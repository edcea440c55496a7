"""Intake's actions and who may take them: declared by intake, registered with the shared
policy engine (shared/auth/policy.py; docs/access-model.md explains the model)."""

from __future__ import annotations

from collections.abc import Iterable

from shared.auth import (
    ERASURE_REPORT_READERS,
    Action,
    ActionRule,
    ActionSpec,
    DataKind,
    Grant,
    Resource,
    register,
)
from shared.auth.policy import (
    NO_PERSONAL_DATA,
    NO_SOCIAL_SERVICES,
    READS_PERSONAL_DATA,
    municipal,
)
from shared.auth.principal import INCIDENTS_WRITE, Role


class IntakeAction(Action):
    SUBMIT_INCIDENT = "incident.submit"
    IMPORT_INCIDENTS = "incident.import"
    LIST_REJECTED_INPUT = "rejected_input.list"
    READ_REJECTED_INPUT = "rejected_input.read"
    RESUBMIT_REJECTED_INPUT = "rejected_input.resubmit"
    RESOLVE_IDENTITY = "identity.resolve"
    RESOLVE_LETTER_RECIPIENTS = "identity.letter_recipients"
    RESOLVE_MEETING_IDENTITIES = "identity.resolve_for_meeting"
    ERASE_PERSON = "person.erase"
    READ_ERASURE_REPORT = "erasure_report.read"
    REGISTER_CONCERN = "concern.register"
    READ_CONCERN = "concern.read"


# Police publish for a police district serving several municipalities: not scoped.
_POLICE_PUBLISHERS = {
    Role.POLICE_INTEGRATION: Grant("platform", required_scope=INCIDENTS_WRITE),
    Role.POLICE_COORDINATOR: Grant("platform", required_scope=INCIDENTS_WRITE),
}
# The publisher corrects its own input; the coordinator of the municipality may help.
# A rejected case-register event is social services' record: not for the police.
_CORRECTORS = {
    Role.POLICE_COORDINATOR: Grant(
        "municipality", withheld=NO_SOCIAL_SERVICES, records_without_municipality=True
    ),
} | municipal(Role.TOVHOLDER)


def rejection_resource(municipalities: Iterable[str], case_register: bool) -> Resource:
    """A kept rejection as the policy sees it: the municipalities its input names (in reach:
    any of them) and, for a case-register event, social services' record (whoever may
    correct incidents: the police may not learn of it)."""
    kind = DataKind.SOCIAL_SERVICES if case_register else DataKind.RECORD
    return Resource(kind=kind, municipalities=frozenset(municipalities))


register(
    {
        IntakeAction.SUBMIT_INCIDENT: ActionRule(NO_PERSONAL_DATA, _POLICE_PUBLISHERS),
        # The weekly police list as a spreadsheet: the police for the district; a tovholder
        # who received it only the incidents whose every municipality is theirs.
        IntakeAction.IMPORT_INCIDENTS: ActionRule(
            NO_PERSONAL_DATA, _POLICE_PUBLISHERS | municipal(Role.TOVHOLDER)
        ),
        # The open rejections (codes, journal numbers and problems, never the input): those
        # who correct them; a stated purpose, audited like the reads of one.
        IntakeAction.LIST_REJECTED_INPUT: ActionRule(READS_PERSONAL_DATA, _CORRECTORS),
        IntakeAction.READ_REJECTED_INPUT: ActionRule(READS_PERSONAL_DATA, _CORRECTORS),
        IntakeAction.RESUBMIT_REJECTED_INPUT: ActionRule(NO_PERSONAL_DATA, _CORRECTORS),
        # Those who contact the family or match the person to a case need the name and CPR.
        IntakeAction.RESOLVE_IDENTITY: ActionRule(
            ActionSpec(reads_personal_data=True, purpose_in_body=True, rate_limited=True),
            municipal(Role.TOVHOLDER, Role.TEAM_LEADER, Role.CASEWORKER),
        ),
        # The letter to the parents (issue 16): names and addresses, no CPR number, for whoever
        # sends it; one per letter, so not rate limited (a week's letters go at once).
        # Notifications asks with the sender's own token.
        IntakeAction.RESOLVE_LETTER_RECIPIENTS: ActionRule(
            ActionSpec(reads_personal_data=True, purpose_in_body=True),
            municipal(Role.TOVHOLDER, Role.TEAM_LEADER, Role.CASEWORKER)
            | {Role.POLICE_COORDINATOR: Grant("municipality", withheld=NO_SOCIAL_SERVICES)},
        ),
        # The names of a whole meeting's agenda at once (issue 15): the same roles, limited
        # per meeting by the route (not per name), audited with every person resolved.
        IntakeAction.RESOLVE_MEETING_IDENTITIES: ActionRule(
            ActionSpec(reads_personal_data=True, purpose_in_body=True),
            municipal(Role.TOVHOLDER, Role.TEAM_LEADER, Role.CASEWORKER),
        ),
        # Erasure (issue 18): the municipality is the data controller; its coordinator erases
        # a person of the municipality (one known only from rejected input: any coordinator).
        # Audited like every request; it reads nothing.
        IntakeAction.ERASE_PERSON: ActionRule(
            NO_PERSONAL_DATA,
            {Role.TOVHOLDER: Grant("municipality", records_without_municipality=True)},
        ),
        # Counts only, per kind, month and reason: for the data protection officer.
        IntakeAction.READ_ERASURE_REPORT: ERASURE_REPORT_READERS,
        # A concern that does not come from the police (issue 15, part 5): the municipality's
        # SSP staff register it for a school, the SSP network, a parent or the night team; a
        # school representative for a pupil of their own school. Not the police: it is not
        # theirs to report here.
        IntakeAction.REGISTER_CONCERN: ActionRule(
            NO_PERSONAL_DATA,
            municipal(Role.TOVHOLDER, Role.TEAM_LEADER, Role.CASEWORKER)
            | {Role.SCHOOL_REPRESENTATIVE: Grant("school")},
        ),
        # Who reported it and what they wrote: for those who act on it at the meeting (the
        # agenda shows the others its category and the reporter's kind only).
        IntakeAction.READ_CONCERN: ActionRule(
            READS_PERSONAL_DATA,
            municipal(Role.TOVHOLDER, Role.TEAM_LEADER, Role.CASEWORKER),
        ),
    }
)
