"""Issue 18, as a property: for any sequence of TRIVSEL+ courses, exit programmes, follow-up
actions and closings about several persons, erasing one leaves no readable text of theirs in
any stored event, none of their records in any read (also after a rebuild of the index), and
every other person's text readable."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.courses.application.course_index import CourseIndex
from services.courses.application.follow_up_index import FollowUpQuery
from services.courses.application.service import CoursesService
from services.courses.domain.course import CourseRuleViolated
from tests.unit.courses import erasure_support as support
from tests.unit.courses.factories import FakeClock

PERSONS = ("pk_a", "pk_b", "pk_c")
REFERRALS = (date(2026, 10, 1), date(2026, 11, 2))
Op = tuple[str, str, int]
ops = st.lists(
    st.tuples(
        st.sampled_from(["trivsel", "exit", "follow_up", "course_follow_up", "close"]),
        st.sampled_from(PERSONS),
        st.integers(0, 1),
    ),
    max_size=12,
)


def run(service: CoursesService, op: Op, written: dict[str, set[str]]) -> None:
    kind, person, n = op
    trivsel = {s.person_key: s.course_id for s in service.summaries("607", "trivsel_plus", None)}
    try:
        if kind == "trivsel" and person not in trivsel:
            support.start_trivsel(service, person)
            written[person] |= {
                support.text_of(person, "rationale"),
                support.text_of(person, "goal"),
            }
        elif kind == "exit" and not any(
            s.person_key == person for s in service.summaries("376", None, None)
        ):
            support.start_exit(service, person, REFERRALS[n])
            written[person].add(support.text_of(person, "talk"))
        elif kind == "follow_up":
            support.record_follow_up(service, person)
            written[person].add(support.text_of(person, "follow-up"))
        elif kind == "course_follow_up" and person in trivsel:
            support.record_follow_up(service, person, course_id=trivsel[person])
            written[person].add(support.text_of(person, "follow-up"))
        elif kind == "close" and person in trivsel:
            support.close_trivsel(service, service.course(trivsel[person]))
            written[person].add(support.text_of(person, "closing"))
    except CourseRuleViolated:
        pass  # closed already: the command is refused, nothing written


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops, st.sampled_from(PERSONS))
def test_erasing_one_person_leaves_nothing_of_theirs_and_the_others_intact(
    sequence: list[Op], erased: str
) -> None:
    with TemporaryDirectory() as tmp:
        courses = support.open_courses(Path(tmp), "memory", FakeClock())
        try:
            service = courses.service
            written: dict[str, set[str]] = {p: set() for p in PERSONS}
            for op in sequence:
                run(service, op, written)
            support.erase(service, erased)

            texts = support.readable(service.texts, courses.app)
            assert not [t for t in texts if erased in t]
            others = set().union(*(written[p] for p in PERSONS if p != erased))
            assert texts == others

            for index in (service.index, CourseIndex(courses.app)):
                index.catch_up()
                listed = [
                    *index.courses("607", None, None),
                    *index.courses("376", None, None),
                ]
                assert erased not in {s.person_key for s in listed}
                actions = index.follow_ups.actions(FollowUpQuery(municipality_code="607"), date.max)
                assert erased not in {a.person_key for a in actions}
        finally:
            courses.close()
