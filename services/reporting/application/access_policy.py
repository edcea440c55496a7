"""Reporting's actions and who may take them: declared by reporting, registered with the shared
policy engine (shared/auth/policy.py; docs/access-model.md explains the model)."""

from __future__ import annotations

from shared.auth import ERASURE_REPORT_READERS, Action, ActionRule, Grant, register
from shared.auth.policy import (
    NO_PERSONAL_DATA,
    NO_PERSONS,
    NO_SOCIAL_SERVICES,
    READS_PERSONAL_DATA,
    municipal,
)
from shared.auth.principal import Role


class ReportingAction(Action):
    READ_HANDOVER_LIST = "handover_list.read"
    READ_STATISTICS = "statistics.read"
    READ_TRACE = "trace.read"
    READ_CO_REGISTRATIONS = "co_registrations.read"
    READ_PERSON_TIMELINE = "person_timeline.read"
    EXPORT_REVIEW = "review.export"
    EXPORT_NAMED_REVIEW = "review.export_named"
    REBUILD_READ_MODELS = "read_models.rebuild"
    READ_PERSON_CONCERNS = "person_concerns.read"
    READ_ERASURE_REPORT = "reporting_erasure_report.read"


_CASE_STAFF = municipal(Role.TOVHOLDER, Role.TEAM_LEADER, Role.CASEWORKER)

_HANDOVER_LIST_READERS = _CASE_STAFF | {
    Role.SCHOOL_REPRESENTATIVE: Grant("school", withheld=NO_SOCIAL_SERVICES),
    Role.POLICE_COORDINATOR: Grant("municipality", withheld=NO_SOCIAL_SERVICES),
}

register(
    {
        ReportingAction.READ_HANDOVER_LIST: ActionRule(READS_PERSONAL_DATA, _HANDOVER_LIST_READERS),
        # One person's timeline (issue 17): need-to-know as the handover list, row by row (a
        # school sees its pupils' police reports, the police their own, neither social
        # services' steps); and the auditor, who answers the person's right of access and
        # checks what each service did, on the whole platform (as for the trace).
        ReportingAction.READ_PERSON_TIMELINE: ActionRule(
            READS_PERSONAL_DATA, _HANDOVER_LIST_READERS | {Role.AUDITOR: Grant("platform")}
        ),
        # The review export (issue 17, part 4): Ankestyrelsen's reviewer (the auditor) in every
        # municipality; the municipality's own quality reviewer (its team leader) in their own.
        # Each person's rows are scoped as on the person's timeline.
        ReportingAction.EXPORT_REVIEW: ActionRule(
            READS_PERSONAL_DATA,
            municipal(Role.TEAM_LEADER) | {Role.AUDITOR: Grant("platform")},
        ),
        # The same PDF with the child's name (issue 17, part 4): the name is one the caller
        # resolved at intake for the review (audited there), so only a role that may resolve
        # names sends one; the auditor reads pseudonyms only.
        ReportingAction.EXPORT_NAMED_REVIEW: ActionRule(
            READS_PERSONAL_DATA, municipal(Role.TEAM_LEADER)
        ),
        ReportingAction.READ_STATISTICS: ActionRule(
            NO_PERSONAL_DATA,
            municipal(Role.MANAGEMENT, Role.TOVHOLDER, Role.TEAM_LEADER, Role.POLICE_COORDINATOR),
        ),
        # Auditors follow a journal through every service with its persons' keys, to check
        # what each service did with them (and who then looked: GET /v1/audit).
        ReportingAction.READ_TRACE: ActionRule(
            READS_PERSONAL_DATA,
            {
                Role.OPERATIONS: Grant("platform", withheld=NO_PERSONS),
                Role.AUDITOR: Grant("platform"),
            }
            | _CASE_STAFF,
        ),
        # Who appears together with a person (the group-level specific intervention): for
        # those who plan the intervention. It names other young people, so neither the police
        # nor a school (who would learn of pupils of other schools) nor management sees it.
        ReportingAction.READ_CO_REGISTRATIONS: ActionRule(READS_PERSONAL_DATA, _CASE_STAFF),
        # A person's concerns that did not come from the police (issue 15, part 5), beside
        # their earlier reports: for those who take the person up at the meeting.
        ReportingAction.READ_PERSON_CONCERNS: ActionRule(READS_PERSONAL_DATA, _CASE_STAFF),
        ReportingAction.REBUILD_READ_MODELS: ActionRule(
            NO_PERSONAL_DATA, {Role.OPERATIONS: Grant("platform")}
        ),
        # Counts only, per kind, month and reason (issue 18): its dead letters' erasures, for
        # the data protection officer, as intake's.
        ReportingAction.READ_ERASURE_REPORT: ERASURE_REPORT_READERS,
    }
)
