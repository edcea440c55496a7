"""Exit programmes: given a programme in some state, when a command, then these events or
this error."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.courses.domain.course import CourseClosed, DuplicateId, UnknownItem
from services.courses.domain.exit_programme import ExitProgramme
from services.courses.domain.exit_programme_terms import (
    AlreadyEscalated,
    BelowTargetAge,
    Clarification,
    ClarifyingTalk,
    ContractMeasure,
    NotClarified,
    SameMunicipality,
    WrongStage,
)
from tests.unit.courses.factories import POLICY, active_programme, event_names, exit_programme


def on(y: int, m: int, d: int, hour: int = 10) -> datetime:
    return datetime(y, m, d, hour, tzinfo=UTC)


def measure(measure_id: str, due_on: date, department: str = "jobcenter") -> ContractMeasure:
    return ContractMeasure(
        measure_id=measure_id,
        department=department,
        kind="job_support",
        due_on=due_on,
        completed_on=None,
    )


def test_only_persons_of_15_or_over_are_referred() -> None:
    with pytest.raises(BelowTargetAge):
        ExitProgramme.refer(
            person_key="pk_y",
            referred_on=date(2026, 1, 5),
            municipality_code="376",
            journal_number=None,
            age_at_referral=14,
            referred_by="pet",
            coordinator="EXK",
            at=on(2026, 1, 5),
        )


def _talk(held_on: date, motivated: Clarification) -> ClarifyingTalk:
    """A talk with the police that found the person in the target group."""
    return ClarifyingTalk(
        held_on=held_on, with_police=True, in_target_group="yes", motivated=motivated, note=""
    )


def test_accepting_needs_a_talk_that_found_target_group_and_motivation() -> None:
    programme = exit_programme()
    programme.record_clarifying_talk(**_talk(date(2026, 1, 8), "unclear"), at=on(2026, 1, 8))
    with pytest.raises(NotClarified):
        programme.accept(date(2026, 1, 8), on(2026, 1, 8))
    programme.record_clarifying_talk(**_talk(date(2026, 1, 12), "yes"), at=on(2026, 1, 12))
    programme.accept(date(2026, 1, 12), on(2026, 1, 12))
    assert event_names(programme) == ["ClarifyingTalkHeld", "ClarifyingTalkHeld", "Accepted"]
    assert programme.stage == "active"


def test_a_declined_referral_is_closed() -> None:
    programme = exit_programme()
    programme.decline("not_motivated", "", on(2026, 1, 8))
    assert event_names(programme) == ["Declined"]
    assert (programme.closed, programme.stage, programme.end_reason) == (
        True,
        "declined",
        "not_motivated",
    )
    with pytest.raises(CourseClosed):
        programme.transfer("575", date(2026, 1, 9), on(2026, 1, 9))


def test_contract_needs_an_accepted_programme() -> None:
    with pytest.raises(WrongStage) as error:
        exit_programme().agree_contract([measure("m1", date(2026, 3, 1))], on(2026, 1, 6))
    assert error.value.details == {"stage": "clarifying", "needed": "active"}


def test_contract_names_departments_measures_and_dates_and_can_be_revised() -> None:
    programme = active_programme()
    programme.agree_contract(
        [measure("job", date(2026, 3, 1)), measure("mentor", date(2026, 2, 1), "Ungeenheden")],
        on(2026, 1, 20),
    )
    programme.complete_contract_measure("mentor", date(2026, 1, 30), on(2026, 1, 30))
    programme.agree_contract(
        [measure("mentor", date(2026, 2, 1), "Ungeenheden"), measure("bolig", date(2026, 4, 1))],
        on(2026, 2, 2),
    )
    assert event_names(programme) == [
        "ContractAgreed",
        "ContractMeasureCompleted",
        "ContractAgreed",
    ]
    assert programme.contract_version == 2
    assert sorted(programme.contract) == ["bolig", "mentor"]
    assert programme.contract["mentor"]["completed_on"] == date(2026, 1, 30)
    with pytest.raises(DuplicateId):
        programme.agree_contract(
            [measure("a", date(2026, 5, 1)), measure("a", date(2026, 5, 1))], on(2026, 2, 2)
        )
    with pytest.raises(UnknownItem):
        programme.complete_contract_measure("job", date(2026, 2, 2), on(2026, 2, 2))


def test_a_full_month_without_a_meeting_is_overdue_once_when_it_is_over() -> None:
    programme = active_programme(accepted_on=date(2026, 1, 15))  # February is the first
    programme.record_meeting(date(2026, 2, 10), ["politi", "jobcenter"], "", on(2026, 2, 10))
    programme.collect_events()
    assert programme.mark_overdue(on(2026, 3, 31, 20), POLICY) == 0  # March is not over
    assert programme.mark_overdue(on(2026, 4, 1), POLICY) == 1
    (missed,) = programme.collect_events()
    assert isinstance(missed, ExitProgramme.MeetingMissed)
    assert missed.month == "2026-03"
    assert programme.mark_overdue(on(2026, 4, 20), POLICY) == 0
    assert programme.mark_overdue(on(2026, 6, 2), POLICY) == 2  # April and May
    assert [e.month for e in programme.collect_events()] == ["2026-04", "2026-05"]


def test_months_are_danish_calendar_months() -> None:
    programme = active_programme(accepted_on=date(2026, 2, 1))
    # 23:30 UTC on 28 February is already 1 March in Copenhagen: February is over.
    assert programme.months_without_meeting(date(2026, 2, 28)) == []
    assert programme.mark_overdue(datetime(2026, 2, 28, 23, 30, tzinfo=UTC), POLICY) == 1


def test_contract_measures_past_their_date_are_overdue_once() -> None:
    programme = active_programme()
    programme.agree_contract([measure("job", date(2026, 2, 1))], on(2026, 1, 20))
    programme.record_meeting(date(2026, 2, 3), [], "", on(2026, 2, 3))
    programme.collect_events()
    assert programme.mark_overdue(on(2026, 2, 2), POLICY) == 1
    assert programme.mark_overdue(on(2026, 2, 3), POLICY) == 0
    (overdue,) = programme.collect_events()
    assert isinstance(overdue, ExitProgramme.ContractMeasureOverdue)
    assert overdue.measure_id == "job"


def test_transfer_keeps_the_obligations_and_gives_the_receiving_municipality_access() -> None:
    programme = active_programme(accepted_on=date(2026, 1, 15))
    programme.agree_contract([measure("job", date(2026, 6, 1))], on(2026, 1, 20))
    programme.record_meeting(date(2026, 2, 10), [], "", on(2026, 2, 10))
    programme.collect_events()
    with pytest.raises(SameMunicipality):
        programme.transfer("376", date(2026, 3, 2), on(2026, 3, 2))
    programme.transfer("575", date(2026, 3, 2), on(2026, 3, 2))
    (transferred,) = programme.collect_events()
    assert isinstance(transferred, ExitProgramme.Transferred)
    assert (transferred.from_municipality_code, transferred.to_municipality_code) == ("376", "575")
    assert transferred.facts().municipality_code == "575"
    assert programme.municipality_code == "575"
    assert programme.visible_from("575") == transferred.originator_version
    assert programme.visible_from("376") == 1  # the sending municipality keeps its access
    assert programme.visible_from("607") is None
    # Obligations continue: the contract stays and March still needs a meeting.
    assert list(programme.contract) == ["job"]
    assert programme.mark_overdue(on(2026, 4, 1), POLICY) == 1
    (missed,) = programme.collect_events()
    assert missed.facts().municipality_code == "575"


def test_escalation_to_the_infohus_happens_once() -> None:
    programme = active_programme()
    programme.escalate_to_infohus(date(2026, 1, 20), "safety", on(2026, 1, 20))
    assert event_names(programme) == ["EscalatedToInfohus"]
    with pytest.raises(AlreadyEscalated):
        programme.escalate_to_infohus(date(2026, 1, 21), "safety", on(2026, 1, 21))


def test_ending_closes_the_programme_and_stops_the_deadlines() -> None:
    programme = active_programme()
    programme.end("dropped_out", "lost_contact", "", on(2026, 2, 20))
    assert event_names(programme) == ["Ended"]
    assert (programme.stage, programme.outcome, programme.end_reason) == (
        "ended",
        "dropped_out",
        "lost_contact",
    )
    assert programme.mark_overdue(on(2026, 6, 1), POLICY) == 0
    with pytest.raises(CourseClosed):
        programme.record_meeting(date(2026, 2, 21), [], "", on(2026, 2, 21))
