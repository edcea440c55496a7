"""Properties of where a concern goes (issue 15, part 5), whatever meetings have been held and
however often the concern is delivered: it is on exactly one meeting, the first of its week and
the weeks after that has not been held when it first arrived, and it stays there."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.triage.application.app import TriageApplication
from services.triage.application.meetings import place_concern
from services.triage.domain.meetings import WeeklyMeeting, next_iso_week
from shared.contracts import ConcernRegistered
from shared.eventstore import UnitOfWork
from shared.eventstore.application import store_env
from shared.settings import PlatformSettings

AT = datetime(2026, 12, 2, 13, 0, tzinfo=UTC)


def week_of(day: date) -> str:
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def weeks_from(first: str, count: int) -> list[str]:
    weeks = [first]
    while len(weeks) < count:
        weeks.append(next_iso_week(weeks[-1]))
    return weeks


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)))
def test_the_next_iso_week_is_seven_days_on(day: date) -> None:
    assert next_iso_week(week_of(day)) == week_of(day + timedelta(days=7))


@settings(max_examples=40, deadline=None)
@given(
    held=st.lists(st.booleans(), min_size=1, max_size=6),
    deliveries=st.integers(min_value=1, max_value=3),
    held_later=st.booleans(),
)
def test_a_concern_is_on_exactly_one_meeting_the_first_not_held(
    held: list[bool], deliveries: int, held_later: bool
) -> None:
    app = TriageApplication(env=store_env(PlatformSettings(SSP_DATABASE_URL="memory"), "triage"))
    weeks = weeks_from("2026-W49", len(held) + 2)
    uow = UnitOfWork(app)
    for week, was_held in zip(weeks, held, strict=False):
        if was_held:
            meeting = WeeklyMeeting("607", week, "ABJ", AT)
            meeting.take_part("ABJ", "tovholder", AT)
            uow.add(meeting)
    uow.commit()
    concern = ConcernRegistered.model_validate(
        {
            "concern_id": "c-1",
            "person_key": "pk_" + "a" * 32,
            "municipality_code": "607",
            "category": "andet",
            "reporter_kind": "parent",
            "registered_at": AT.isoformat(),
            "iso_week": weeks[0],
            "accepted_at": AT.isoformat(),
        }
    )
    expected = next(w for w, h in zip(weeks, [*held, False, False], strict=False) if not h)
    for delivery in range(deliveries):
        uow = UnitOfWork(app)
        placed = place_concern(uow, concern, AT)
        uow.commit()
        assert placed.iso_week == expected
        if held_later and delivery == 0:  # the meeting it went to is held before a re-delivery
            uow = UnitOfWork(app)
            meeting = uow.get(WeeklyMeeting, WeeklyMeeting.create_id("607", expected))
            assert meeting is not None
            meeting.take_part("KLM", "team_leader", AT)
            uow.commit()
    uow = UnitOfWork(app)
    on = []
    for week in weeks:
        meeting = uow.get(WeeklyMeeting, WeeklyMeeting.create_id("607", week))
        if meeting is not None:
            on += [week] * sum(c.concern_id == "c-1" for c in meeting.concerns)
    assert on == [expected]
