"""Courses' actions and who may take them: declared by courses, registered with the
shared policy engine (shared/auth/policy.py; docs/access-model.md explains the model)."""

from __future__ import annotations

from shared.auth.policy import (
    MUNICIPAL_STAFF,
    NO_PERSONS,
    Action,
    ActionRule,
    ActionSpec,
    Grant,
    register,
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


register(
    {
        # TRIVSEL+ is the SSP coordinator's course; the team leader follows it.
        CoursesAction.READ_TRIVSEL_ELIGIBILITY: ActionRule(
            ActionSpec(reads_personal_data=True),
            {Role.TOVHOLDER: MUNICIPAL_STAFF, Role.TEAM_LEADER: MUNICIPAL_STAFF},
        ),
        # Courses hold free text about the young person. Management runs the acute-event
        # procedure, which names no person, and sees no course about a person.
        CoursesAction.READ_COURSES: ActionRule(
            ActionSpec(reads_personal_data=True),
            {
                Role.TOVHOLDER: MUNICIPAL_STAFF,
                Role.TEAM_LEADER: MUNICIPAL_STAFF,
                Role.EXIT_COORDINATOR: MUNICIPAL_STAFF,
                Role.MANAGEMENT: Grant("municipality", withheld=NO_PERSONS),
            },
        ),
        CoursesAction.MANAGE_TRIVSEL_COURSE: ActionRule(
            ActionSpec(reads_personal_data=False),
            {Role.TOVHOLDER: MUNICIPAL_STAFF},
        ),
        # The police and the coordinator refer; the exit coordinator runs the programme.
        CoursesAction.REFER_TO_EXIT_PROGRAMME: ActionRule(
            ActionSpec(reads_personal_data=False),
            {
                Role.EXIT_COORDINATOR: MUNICIPAL_STAFF,
                Role.TOVHOLDER: MUNICIPAL_STAFF,
                Role.POLICE_COORDINATOR: MUNICIPAL_STAFF,
            },
        ),
        CoursesAction.MANAGE_EXIT_PROGRAMME: ActionRule(
            ActionSpec(reads_personal_data=False),
            {Role.EXIT_COORDINATOR: MUNICIPAL_STAFF},
        ),
        # Triage's referrals (bande/ekstremisme, 15+): the exit coordinator takes them up; the
        # coordinator (tovholder) follows them, as they refer too.
        CoursesAction.READ_EXIT_REFERRALS: ActionRule(
            ActionSpec(reads_personal_data=True),
            {Role.EXIT_COORDINATOR: MUNICIPAL_STAFF, Role.TOVHOLDER: MUNICIPAL_STAFF},
        ),
        CoursesAction.MANAGE_ACUTE_PROCEDURE: ActionRule(
            ActionSpec(reads_personal_data=False),
            {Role.MANAGEMENT: MUNICIPAL_STAFF, Role.TOVHOLDER: MUNICIPAL_STAFF},
        ),
    }
)
