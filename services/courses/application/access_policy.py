"""Courses' actions and who may take them: declared by courses, registered with the shared
policy engine (shared/auth/policy.py; docs/access-model.md explains the model)."""

from __future__ import annotations

from shared.auth import (
    ERASURE_REPORT_READERS,
    Action,
    ActionRule,
    DataKind,
    Grant,
    Resource,
    register,
)
from shared.auth.policy import (
    NO_PERSONAL_DATA,
    NO_PERSONS,
    NO_SOCIAL_SERVICES,
    READS_PERSONAL_DATA,
    municipal,
)
from shared.auth.principal import Role


class CoursesAction(Action):
    READ_TRIVSEL_ELIGIBILITY = "trivsel_eligibility.read"
    READ_COURSES = "courses.read"
    MANAGE_TRIVSEL_COURSE = "trivsel_course.manage"
    REFER_TO_EXIT_PROGRAMME = "exit_programme.refer"
    MANAGE_EXIT_PROGRAMME = "exit_programme.manage"
    READ_EXIT_REFERRALS = "exit_referrals.read"
    MANAGE_ACUTE_PROCEDURE = "acute_procedure.manage"
    RECORD_FOLLOW_UP = "follow_up.record"
    READ_FOLLOW_UPS = "follow_ups.read"
    READ_ERASURE_REPORT = "course_erasure_report.read"


# Follow-up actions (issue 17, part 2) are held on every route: by the coordinator, the team
# leader and caseworkers, the police's SSP coordinator (the FNT officers' talk) and the exit
# coordinator. Their notes are about a family, so reading them is a read of personal data.
# §115: a follow-up someone else held (a home visit, a school visit) reveals social services'
# or the school's involvement, so the police reach only the follow-ups they held themselves
# (`follow_up_resource`).
FOLLOW_UP_STAFF = municipal(
    Role.TOVHOLDER,
    Role.TEAM_LEADER,
    Role.CASEWORKER,
    Role.EXIT_COORDINATOR,
) | {Role.POLICE_COORDINATOR: Grant("municipality", withheld=NO_SOCIAL_SERVICES)}

POLICE_ROLES = frozenset({Role.POLICE_COORDINATOR.value, Role.POLICE_INTEGRATION.value})


def follow_up_resource(municipality_code: str, recorded_by_role: str) -> Resource:
    """A follow-up action as a resource: the police's own talk is a record of theirs; any
    other is a social-services detail, withheld from the police."""
    kind = DataKind.RECORD if recorded_by_role in POLICE_ROLES else DataKind.SOCIAL_SERVICES
    return Resource.of(municipality_code, kind=kind)


# Commands answer with the course and are audited with its person, but a command states its
# own purpose (no X-Purpose needed): they do not count as reads of personal data.
register(
    {
        # TRIVSEL+ is the SSP coordinator's course; the team leader follows it.
        CoursesAction.READ_TRIVSEL_ELIGIBILITY: ActionRule(
            READS_PERSONAL_DATA, municipal(Role.TOVHOLDER, Role.TEAM_LEADER)
        ),
        # Courses hold free text about the young person. Management runs the acute-event
        # procedure, which names no person, and sees no course about a person.
        CoursesAction.READ_COURSES: ActionRule(
            READS_PERSONAL_DATA,
            municipal(Role.TOVHOLDER, Role.TEAM_LEADER, Role.EXIT_COORDINATOR)
            | {Role.MANAGEMENT: Grant("municipality", withheld=NO_PERSONS)},
        ),
        CoursesAction.MANAGE_TRIVSEL_COURSE: ActionRule(
            NO_PERSONAL_DATA, municipal(Role.TOVHOLDER)
        ),
        # The police and the coordinator refer; the exit coordinator runs the programme.
        CoursesAction.REFER_TO_EXIT_PROGRAMME: ActionRule(
            NO_PERSONAL_DATA,
            municipal(Role.EXIT_COORDINATOR, Role.TOVHOLDER, Role.POLICE_COORDINATOR),
        ),
        CoursesAction.MANAGE_EXIT_PROGRAMME: ActionRule(
            NO_PERSONAL_DATA, municipal(Role.EXIT_COORDINATOR)
        ),
        # Triage's referrals (bande/ekstremisme, 15+): the exit coordinator takes them up; the
        # coordinator (tovholder) follows them, as they refer too.
        CoursesAction.READ_EXIT_REFERRALS: ActionRule(
            READS_PERSONAL_DATA, municipal(Role.EXIT_COORDINATOR, Role.TOVHOLDER)
        ),
        CoursesAction.MANAGE_ACUTE_PROCEDURE: ActionRule(
            NO_PERSONAL_DATA, municipal(Role.MANAGEMENT, Role.TOVHOLDER)
        ),
        CoursesAction.RECORD_FOLLOW_UP: ActionRule(NO_PERSONAL_DATA, FOLLOW_UP_STAFF),
        CoursesAction.READ_FOLLOW_UPS: ActionRule(READS_PERSONAL_DATA, FOLLOW_UP_STAFF),
        # Issue 18: how many courses and follow-ups were erased, per month and reason (counts
        # only), for the data protection officer (`ssp erasure-report`), as intake's.
        CoursesAction.READ_ERASURE_REPORT: ERASURE_REPORT_READERS,
    }
)
