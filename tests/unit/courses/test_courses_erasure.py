"""Issue 18: an erased person's free text in courses is unreadable (their key destroyed), their
courses and follow-up actions are marked erased (404, left out of every list, also after a
rebuild), and every other person's stays readable."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy import text

from services.courses.adapters.note_cipher import NoteCipher
from services.courses.adapters.publications import courses_publications
from services.courses.application.course_index import CourseIndex
from services.courses.application.follow_up_index import FollowUpQuery
from services.courses.application.follow_ups import FollowUpNotFound
from services.courses.application.service import CourseNotFound, PersonWasErased
from services.courses.domain.course import Course
from services.courses.domain.follow_up import FollowUpAction
from services.courses.entrypoints.views import course_body
from tests.unit.courses.erasure_support import (
    NOTE_KEY,
    Courses,
    erase,
    open_courses,
    readable,
    record_follow_up,
    start_exit,
    start_trivsel,
    stored_texts,
    text_of,
)
from tests.unit.courses.factories import (
    PRIVATE_TEXT,
    FakeClock,
    follow_up_action,
    new_trivsel,
)


@pytest.fixture
def courses(tmp_path: Path, clock: FakeClock) -> Iterator[Courses]:
    opened = open_courses(tmp_path, "memory", clock)
    try:
        yield opened
    finally:
        opened.close()


def test_free_text_is_stored_sealed_and_read_opened(courses: Courses) -> None:
    service = courses.service
    course = start_trivsel(service, "pk_a")
    action = record_follow_up(service, "pk_a")
    assert stored_texts(courses.app)  # sealed, in the events
    body = course_body(service.course(course.id), service.open_text)
    assert body["rationale"] == text_of("pk_a", "rationale")
    assert body["goals"][0]["description"] == text_of("pk_a", "goal")
    assert service.follow_ups.note(service.follow_ups.action(action.id)) == text_of(
        "pk_a", "follow-up"
    )
    assert text_of("pk_a", "goal") not in str(vars(service.course(course.id)))


def test_erasing_a_person_shreds_their_text_and_erases_their_records(courses: Courses) -> None:
    service = courses.service
    erased_course = start_trivsel(service, "pk_a")
    erased_exit = start_exit(service, "pk_a", date(2026, 11, 2))
    erased_action = record_follow_up(service, "pk_a", course_id=erased_course.id)
    kept_course = start_trivsel(service, "pk_b")
    kept_action = record_follow_up(service, "pk_b")

    assert erase(service, "pk_a")
    assert not erase(service, "pk_a")  # again: nothing more

    for course_id in (erased_course.id, erased_exit.id):
        with pytest.raises(CourseNotFound):
            service.course(course_id)
        with pytest.raises(CourseNotFound):
            service.course_events(course_id)
        stored = courses.app.repository.get(course_id)
        assert isinstance(stored, Course) and stored.erased
    with pytest.raises(FollowUpNotFound):
        service.follow_ups.action(erased_action.id)
    assert [s.course_id for s in service.summaries("607", None, None)] == [kept_course.id]
    assert service.summaries("376", None, None) == []
    listed = service.follow_ups.actions(FollowUpQuery(municipality_code="607"))
    assert [a.action_id for a in listed] == [kept_action.id]
    assert service.eligibility("pk_a", erased_course.journal_number or "") is None

    texts = readable(service.texts, courses.app)
    assert not {t for t in texts if "pk_a" in t}
    assert {text_of("pk_b", w) for w in ("rationale", "goal", "follow-up")} <= texts
    erasures = {(e.owner, e.kind) for e in service.keyring.erasures()}
    assert {
        ("pk_a", "person"),
        (f"course:{erased_course.id}", "course"),
        (f"course:{erased_exit.id}", "course"),
        (f"follow-up:{erased_action.id}", "follow_up"),
    } == erasures

    # A rebuild of the index from the store does not bring them back.
    rebuilt = CourseIndex(courses.app)
    rebuilt.catch_up()
    assert [s.course_id for s in rebuilt.courses("607", None, None)] == [kept_course.id]
    assert rebuilt.follow_ups.ids_of("pk_a") == []


def test_nothing_new_is_kept_about_an_erased_person(courses: Courses) -> None:
    service = courses.service
    start_trivsel(service, "pk_a")
    erase(service, "pk_a")
    with pytest.raises(PersonWasErased):
        start_exit(service, "pk_a", date(2026, 11, 2))


def test_an_erased_record_keeps_no_text_in_memory_or_in_a_later_snapshot(
    courses: Courses,
) -> None:
    service = courses.service
    course = start_trivsel(service, "pk_a")
    action = record_follow_up(service, "pk_a")
    erase(service, "pk_a")
    stored = courses.app.repository.get(course.id)
    assert stored.rationale == "" and stored.goals["g1"]["description"] == ""
    stored_action = courses.app.repository.get(action.id)
    assert isinstance(stored_action, FollowUpAction) and stored_action.note_sealed == ""


def test_the_erased_key_is_gone_from_the_keyring_file(tmp_path: Path, clock: FakeClock) -> None:
    """On SQLite: the wrapped key's bytes are not left in the keyring file's free pages, and
    no text of the erased person is anywhere in courses' files."""
    courses = open_courses(tmp_path, None, clock)
    try:
        service = courses.service
        start_trivsel(service, "pk_a")
        start_trivsel(service, "pk_b")
        with service.keyring.engine.connect() as conn:
            wrapped = conn.execute(
                text("SELECT wrapped FROM courses_person_keys WHERE owner = 'pk_a'")
            ).scalar_one()
        erase(service, "pk_a")
        raw = courses.raw(tmp_path)
        assert bytes(wrapped) not in raw
        for person in ("pk_a", "pk_b"):
            assert text_of(person, "rationale").encode() not in raw  # sealed, never in clear
        assert text_of("pk_b", "goal") in readable(service.texts, courses.app)
    finally:
        courses.close()


def test_the_relay_publishes_nothing_of_an_erased_person_however_far_back(
    courses: Courses,
) -> None:
    """What courses' outbox relay does to each stored event (shared/messaging/relay.py):
    after the erasure, republishing from the start sends nothing about the person, also not
    their `erased` events; the other person's events go out."""
    service = courses.service
    start_trivsel(service, "pk_a")
    record_follow_up(service, "pk_a")
    start_trivsel(service, "pk_b")
    erase(service, "pk_a")
    sent: dict[str, int] = {"pk_a": 0, "pk_b": 0}
    for notification in courses.app.recorder.select_notifications(start=1, limit=1000):
        stored = courses.app.mapper.to_domain_event(notification)
        for outgoing in courses_publications(stored):
            kept = outgoing.withheld(courses.app.erased_persons.withhold)
            if kept is not None:
                sent[json.loads(kept.body())["person_key"]] += 1
    assert sent["pk_a"] == 0 and sent["pk_b"] > 0


def test_text_stored_before_issue_18_still_reads(courses: Courses) -> None:
    """A follow-up note sealed with the service-wide key (`v1:`) and a course's text in clear,
    as events stored before per-person keys hold them."""
    service = courses.service
    action_id = uuid4()
    legacy_note = NoteCipher(base64.b64decode(NOTE_KEY)).seal(action_id, "en gammel note")
    old_action = follow_up_action(note_sealed=legacy_note, action_id=action_id)
    courses.app.save(old_action)
    assert service.follow_ups.note(service.follow_ups.action(action_id)) == "en gammel note"
    old_course = new_trivsel()  # its rationale in clear
    courses.app.save(old_course)
    body = course_body(service.course(old_course.id), service.open_text)
    assert body["rationale"] == PRIVATE_TEXT
