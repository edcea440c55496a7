"""Courses through its Kafka entry point (TestKafkaBroker, in-memory store) and what its
relay would publish."""

from __future__ import annotations

import json

from services.courses.adapters.publications import courses_publications
from services.courses.application.commands.trivsel import StartTrivsel
from services.courses.bootstrap import build_service, definition
from services.courses.settings import CoursesSettings
from shared.contracts import COURSES_EVENTS, TRIAGE_TOVHOLDER, dead_letter_topic
from tests.support import inbox_harness, outbox
from tests.unit.courses.factories import JOURNAL, FakeClock, decision_doc

UPSTREAM = {"ssp-origin": "triage", "ssp-notification-id": "7"}


async def test_a_decision_delivered_twice_records_one_eligibility(
    settings: CoursesSettings, clock: FakeClock
) -> None:
    d = definition(settings, clock=clock)
    async with inbox_harness(d) as h:
        doc = decision_doc(key="pk_a")
        await h.publish(doc, TRIAGE_TOVHOLDER, key="pk_a", headers=UPSTREAM)
        await h.publish(doc, TRIAGE_TOVHOLDER, key="pk_a", headers=UPSTREAM)
        # A later revision of the same incident updates the record, it makes no second one.
        later = decision_doc(key="pk_a", revision=2, age=15)
        await h.publish(
            later, TRIAGE_TOVHOLDER, key="pk_a", headers={**UPSTREAM, "ssp-notification-id": "9"}
        )
        notifications = h.app.recorder.select_notifications(start=None, limit=100)
        assert [n.topic.rsplit(".", 1)[-1] for n in notifications] == [
            "Recorded",
            "DecisionRevised",
        ]
        assert outbox(h.app, courses_publications) == []  # eligibility is not published


async def test_an_invalid_decision_goes_to_the_dead_letter_topic(
    settings: CoursesSettings, clock: FakeClock
) -> None:
    async with inbox_harness(definition(settings, clock=clock)) as h:
        await h.publish({**decision_doc(), "route": "nowhere"}, TRIAGE_TOVHOLDER, key="pk_a")
        await h.publish(b"\xff not json", TRIAGE_TOVHOLDER, key="pk_b")
        published = outbox(h.app, courses_publications)
    assert [m.topic for m in published] == [dead_letter_topic("courses")] * 2
    assert (
        published[0].headers["ssp-dlq-error"]
        == "not a valid RoutingDecision: route (literal_error)"
    )


async def test_a_course_started_after_a_decision_is_published_keyed_by_course(
    settings: CoursesSettings, clock: FakeClock
) -> None:
    async with inbox_harness(definition(settings, clock=clock)) as h:
        await h.publish(decision_doc(key="pk_a"), TRIAGE_TOVHOLDER, key="pk_a", headers=UPSTREAM)
        # The coordinator's command, on the store the inbox wrote to.
        course = build_service(settings, h.app, clock).start(
            StartTrivsel(
                person_key="pk_a",
                journal_number=JOURNAL,
                step=2,
                rationale="hemmelig",
                coordinator="ABJ",
                local_leader="KLM",
            )
        )
        (message,) = outbox(h.app, courses_publications)
    assert (message.topic, message.key) == (COURSES_EVENTS, str(course.id))
    body = json.loads(message.body())
    assert body["event"] == "started" and body["person_key"] == "pk_a"
    assert "hemmelig" not in message.body().decode()
