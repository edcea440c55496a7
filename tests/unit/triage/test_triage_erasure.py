"""Triage's part of issue 18: the weekly meeting's free text is sealed under the data keys of
the person and the minutes (never stored readable); a `PersonErased` destroys the person's key
and records on every aggregate of theirs that they were erased, so the minutes, the agenda, the
decisions, the history and the PSP/KSP handover list no longer show them, also when rebuilt
from the store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from services.triage.application.meetings import PersonErasedHere, place_concern
from services.triage.bootstrap import build_keyring
from services.triage.domain.adulthood import PspKspHandovers
from services.triage.domain.case_register import PersonCaseRegister
from services.triage.domain.erasure import ErasableAggregate
from services.triage.domain.exit_referrals import PersonExitReferral
from services.triage.domain.meetings import MeetingNote, PersonMeetings, WeeklyMeeting
from services.triage.domain.person_history import PersonHistory
from services.triage.settings import TriageSettings
from shared.contracts import ConcernRegistered
from shared.eventstore import UnitOfWork, store_env
from tests.support import raw_store_bytes
from tests.unit.triage.factories import case_event, incident, journal, person
from tests.unit.triage.lifecycle import AT, CHAIR, MUNICIPALITY, WEEK, Triage

SECRET = "Mor fortalte at drengen sover hos sin onkel i Erritsø"


@pytest.fixture
def triage(settings: TriageSettings) -> Iterator[Triage]:
    under_test = Triage.on(store_env(settings, "triage"))
    yield under_test
    under_test.close()


def stored_bytes(triage: Triage) -> bytes:
    """Every stored event's state, as the store holds it."""
    page = triage.app.recorder.select_notifications(start=1, limit=100_000)
    return b"".join(bytes(n.state) for n in page)


def test_a_note_and_an_action_are_stored_sealed_and_read_in_the_minutes(triage: Triage) -> None:
    triage.route("pk_a", 1)
    triage.note(SECRET, "pk_a")
    triage.action("Ring til skolen om " + SECRET, "pk_a")
    triage.note("Mødet startede 10:05")
    assert triage.texts() == {
        "pk_a": ["Ring til skolen om " + SECRET, SECRET],
        None: ["Mødet startede 10:05"],
    }
    raw = stored_bytes(triage)
    assert SECRET.encode() not in raw
    assert b"10:05" not in raw


def test_notes_stored_before_sealing_still_read(triage: Triage) -> None:
    uow = UnitOfWork(triage.app)
    meeting = WeeklyMeeting(MUNICIPALITY, WEEK, CHAIR.subject, AT)
    meeting.record_note(MeetingNote("n-1", journal(1), "pk_a", "skrevet før issue 18", "ABJ", AT))
    uow.add(meeting)
    uow.commit()
    assert triage.texts() == {"pk_a": ["skrevet før issue 18"]}


def test_a_text_over_the_limit_or_blank_is_refused_before_sealing(triage: Triage) -> None:
    with pytest.raises(ValueError, match="1 to 1000"):
        triage.note("x" * 1001, "pk_a")
    with pytest.raises(ValueError, match="1 to 1000"):
        triage.note("   ")


def test_erasing_a_person_leaves_no_text_of_theirs_and_the_others_intact(triage: Triage) -> None:
    triage.route("pk_a", 1)
    triage.route("pk_b", 2)
    triage.note(SECRET, "pk_a", 1)
    triage.action("Hjemmebesøg", "pk_a", 1)
    triage.note("Bror til pk_a", "pk_b", 2)
    triage.note("Mødet om ugens anmeldelser")

    triage.erase("pk_a")

    assert triage.texts() == {"pk_b": ["Bror til pk_a"], None: ["Mødet om ugens anmeldelser"]}
    meeting = triage.minutes.minutes(MUNICIPALITY, WEEK).meeting
    assert meeting is not None
    assert [p for _, p in meeting.items] == ["pk_b"]
    assert triage.app.keyring.is_erased("pk_a")
    assert not triage.app.keyring.is_erased("pk_b")
    assert triage.service.latest_triage(journal(1)).decisions == []  # type: ignore[union-attr]
    assert len(triage.service.latest_triage(journal(2)).decisions) == 1  # type: ignore[union-attr]


def test_an_erased_person_leaves_the_incident_they_were_registered_in_with_others(
    triage: Triage,
) -> None:
    number = journal(1)
    triage.service.triage_incident(
        incident(journal_number=number, persons=[person("pk_a"), person("pk_b")])
    )
    triage.erase("pk_a")
    latest = triage.service.latest_triage(number)
    assert latest is not None
    [kept] = latest.decisions
    assert (kept.person_key, kept.co_registered_person_keys) == ("pk_b", [])


def test_the_sealed_text_of_an_erased_person_does_not_open_even_from_the_events(
    triage: Triage,
) -> None:
    triage.route("pk_a", 1)
    triage.note(SECRET, "pk_a")
    uow = UnitOfWork(triage.app)
    meeting = uow.get(WeeklyMeeting, WeeklyMeeting.create_id(MUNICIPALITY, WEEK))
    sealed = meeting.notes[0]["text"]
    assert triage.app.sealer.open(sealed) == SECRET.encode()
    triage.erase("pk_a")
    assert triage.app.sealer.open(sealed) is None


def test_every_aggregate_of_the_person_records_the_erasure_once(triage: Triage) -> None:
    number = journal(1)
    triage.service.triage_incident(
        incident(journal_number=number, persons=[person("pk_a", 16)], flags=["bande"])
    )
    triage.service.register_case_event(case_event(person_key="pk_a"))
    triage.note(SECRET, "pk_a")
    triage.erase("pk_a")
    triage.erase("pk_a")  # a re-delivery changes nothing

    uow = UnitOfWork(triage.app)
    marked: list[ErasableAggregate] = [
        uow.get(PersonHistory, PersonHistory.create_id("pk_a")),
        uow.get(PersonCaseRegister, PersonCaseRegister.create_id("pk_a")),
        uow.get(PersonExitReferral, PersonExitReferral.create_id(number, "pk_a")),
        uow.get(WeeklyMeeting, WeeklyMeeting.create_id(MUNICIPALITY, WEEK)),
        uow.get(PersonMeetings, PersonMeetings.create_id("pk_a")),
    ]
    for aggregate in marked:
        assert aggregate.erased == {"pk_a"}, type(aggregate).__name__
    events = [
        n
        for n in triage.app.recorder.select_notifications(start=1, limit=10_000)
        if n.topic.endswith(".PersonErased")
    ]
    assert len(events) == len(marked) + 1  # and the incident
    assert all(b"pk_a" in bytes(n.state) and b"Errits" not in bytes(n.state) for n in events)
    history = marked[0]
    assert isinstance(history, PersonHistory)
    assert history.reports == {}


def test_nothing_more_is_recorded_at_a_meeting_about_an_erased_person(triage: Triage) -> None:
    triage.route("pk_a", 1)
    triage.erase("pk_a")
    with pytest.raises(PersonErasedHere):
        triage.note(SECRET, "pk_a")


def test_an_erased_persons_concern_leaves_the_agenda_and_a_replay_does_not_bring_it_back(
    triage: Triage,
) -> None:
    concern = ConcernRegistered.model_validate(
        {
            "concern_id": "c-1",
            "person_key": "pk_a",
            "municipality_code": MUNICIPALITY,
            "school": None,
            "category": "mistrivsel",
            "reporter_kind": "parent",
            "registered_at": "2026-11-17T14:05:00+01:00",
            "iso_week": WEEK,
            "accepted_at": "2026-11-17T13:05:01Z",
        }
    )
    uow = UnitOfWork(triage.app)
    place_concern(uow, concern, AT)
    uow.commit()
    triage.erase("pk_a")
    meeting = triage.minutes.minutes(MUNICIPALITY, WEEK).meeting
    assert meeting is not None and meeting.concerns == []
    uow = UnitOfWork(triage.app)
    place_concern(uow, concern, AT)  # a replay that reached the use case
    uow.commit()
    meeting = triage.minutes.minutes(MUNICIPALITY, WEEK).meeting
    assert meeting is not None and meeting.concerns == []


BIRTHDAY = date(2027, 1, 10)


def route_minor_turning_18(triage: Triage) -> date:
    """pk_a, 17, routed: they turn 18 on `BIRTHDAY` with an open item."""
    minor = person("pk_a", 17, turns_18_on=BIRTHDAY.isoformat())
    triage.service.triage_incident(incident(journal_number=journal(1), persons=[minor]))
    return BIRTHDAY


def test_no_psp_ksp_handover_task_for_an_erased_person(triage: Triage) -> None:
    birthday = route_minor_turning_18(triage)
    triage.erase("pk_a")
    assert triage.service.check_birthdays(birthday) == 0
    assert triage.service.psp_ksp_handovers(MUNICIPALITY) == []


def test_an_open_handover_task_of_an_erased_person_is_forgotten(triage: Triage) -> None:
    birthday = route_minor_turning_18(triage)
    assert triage.service.check_birthdays(birthday) == 1
    triage.erase("pk_a")
    uow = UnitOfWork(triage.app)
    handovers = uow.get(PspKspHandovers, PspKspHandovers.create_id(MUNICIPALITY))
    assert handovers.tasks == {} and handovers.erased == {"pk_a"}


def test_a_rebuilt_triage_on_the_same_store_and_keyring_shows_the_same(
    tmp_path: Path, store_url: str | None
) -> None:
    settings = TriageSettings(SSP_DATA_DIR=str(tmp_path), SSP_DATABASE_URL=store_url)
    first = Triage.on(store_env(settings, "triage"), keyring=build_keyring(settings))
    first.route("pk_a", 1)
    first.route("pk_b", 2)
    first.note(SECRET, "pk_a", 1)
    first.note("om pk_b", "pk_b", 2)
    first.erase("pk_a")
    before = first.texts()
    first.app.keyring.close()
    first.app.close()

    rebuilt = Triage.on(store_env(settings, "triage"), keyring=build_keyring(settings))
    try:
        assert rebuilt.texts() == before == {"pk_b": ["om pk_b"]}
        assert rebuilt.service.latest_triage(journal(1)).decisions == []  # type: ignore[union-attr]
        raw = raw_store_bytes(store_url, tmp_path)
        assert b"pk_b" in raw  # the scan reads the store
        assert SECRET.encode() not in raw and b"om pk_b" not in raw
    finally:
        rebuilt.app.keyring.close()
        rebuilt.close()
