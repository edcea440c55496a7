"""Triage's actions and who may take them: declared by triage, registered with the shared
policy engine (shared/auth/policy.py; docs/access-model.md explains the model)."""

from __future__ import annotations

from shared.auth import ERASURE_REPORT_READERS, Action, ActionRule, Grant, register
from shared.auth.policy import (
    NO_PERSONAL_DATA,
    NO_PERSONS,
    NO_SOCIAL_SERVICES,
    READS_PERSONAL_DATA,
    STAFF_ROLES,
    municipal,
)
from shared.auth.principal import Role


class TriageAction(Action):
    READ_TRIAGE = "triage.read"
    READ_PROFILES = "profiles.read"
    READ_NOT_SERVED = "not_served.read"
    REROUTE_NOT_SERVED = "not_served.reroute"
    READ_PSP_KSP_HANDOVERS = "psp_ksp_handovers.read"
    COMPLETE_PSP_KSP_HANDOVER = "psp_ksp_handover.complete"
    REVISE_DECISION_AT_MEETING = "decision.revise_at_meeting"
    READ_MEETING = "meeting.read"
    RECORD_AT_MEETING = "meeting.record"
    READ_MEETING_CONCERNS = "meeting_concerns.read"
    READ_ERASURE_REPORT = "triage_erasure_report.read"


register(
    {
        # A routing decision *is* social services' involvement (route, active case, case id):
        # the police see the person's decision without it; decisions carry no school, so
        # school representatives have no grant (need-to-know fails closed).
        TriageAction.READ_TRIAGE: ActionRule(
            READS_PERSONAL_DATA,
            municipal(Role.TOVHOLDER, Role.TEAM_LEADER, Role.CASEWORKER)
            | {Role.POLICE_COORDINATOR: Grant("municipality", withheld=NO_SOCIAL_SERVICES)},
        ),
        # The municipalities' published procedures: no personal data.
        TriageAction.READ_PROFILES: ActionRule(
            NO_PERSONAL_DATA, {role: Grant("platform") for role in STAFF_ROLES}
        ),
        # Persons of municipalities not served here (issue 14, part 1): operations see journal
        # numbers and times, never person keys, and route them once the municipality is served.
        TriageAction.READ_NOT_SERVED: ActionRule(
            NO_PERSONAL_DATA, {Role.OPERATIONS: Grant("platform", withheld=NO_PERSONS)}
        ),
        TriageAction.REROUTE_NOT_SERVED: ActionRule(
            NO_PERSONAL_DATA, {Role.OPERATIONS: Grant("platform")}
        ),
        # The PSP/KSP handover of a young person who turned 18 with an open item (issue 14,
        # part 4): the municipality's staff who own it (the profile names the contact's role).
        TriageAction.READ_PSP_KSP_HANDOVERS: ActionRule(
            READS_PERSONAL_DATA, municipal(Role.TOVHOLDER, Role.TEAM_LEADER, Role.CASEWORKER)
        ),
        TriageAction.COMPLETE_PSP_KSP_HANDOVER: ActionRule(
            NO_PERSONAL_DATA, municipal(Role.TOVHOLDER, Role.TEAM_LEADER, Role.CASEWORKER)
        ),
        # The weekly meeting (issue 15) changes a route or an owner: those who chair it (the
        # coordinator) and the team leader who allocates the work; they record its actions and
        # notes. The minutes hold free text about children: municipal staff read them; the
        # police and schools hear the agreed actions at the meeting itself.
        TriageAction.REVISE_DECISION_AT_MEETING: ActionRule(
            NO_PERSONAL_DATA, municipal(Role.TOVHOLDER, Role.TEAM_LEADER)
        ),
        TriageAction.READ_MEETING: ActionRule(
            READS_PERSONAL_DATA, municipal(Role.TOVHOLDER, Role.TEAM_LEADER, Role.CASEWORKER)
        ),
        TriageAction.RECORD_AT_MEETING: ActionRule(
            NO_PERSONAL_DATA, municipal(Role.TOVHOLDER, Role.TEAM_LEADER)
        ),
        # The concerns on a meeting's agenda (issue 15, part 5), need-to-know as the handover
        # list: a school representative sees those about pupils of their school, the police see
        # them without what they are about (the category: a child's welfare).
        TriageAction.READ_MEETING_CONCERNS: ActionRule(
            READS_PERSONAL_DATA,
            municipal(Role.TOVHOLDER, Role.TEAM_LEADER, Role.CASEWORKER)
            | {
                Role.SCHOOL_REPRESENTATIVE: Grant("school"),
                Role.POLICE_COORDINATOR: Grant("municipality", withheld=NO_SOCIAL_SERVICES),
            },
        ),
        # Counts only, per kind, month and reason (issue 18): for the data protection officer,
        # as intake's.
        TriageAction.READ_ERASURE_REPORT: ERASURE_REPORT_READERS,
    }
)
