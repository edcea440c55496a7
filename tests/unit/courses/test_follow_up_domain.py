"""A follow-up action's rules: when things may have happened and be due, a next step completed
once, overdue raised once per due date — and, for any sequence of commands and days, the
invariants hold (hypothesis)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.courses.adapters.follow_up_events import follow_up_event
from services.courses.domain.course import CourseRuleViolated, DateInFuture, DateInPast
from services.courses.domain.follow_up import FollowUpAction
from services.courses.domain.follow_up_terms import (
    CompletedBeforeHeld,
    DueBeforeHeld,
    NextStep,
    NextStepDone,
    NoNextStep,
)
from tests.unit.courses.factories import DAY0, T0, at, day, event_names, follow_up_action


def action(
    held_on: date = DAY0, next_step: NextStep | None = None, now: datetime = T0
) -> FollowUpAction:
    return follow_up_action(held_on=held_on, next_step=next_step, at=now)


def step(due: int, owner: str = "tovholder") -> NextStep:
    return NextStep(kind="skolebesoeg", owner=owner, due_on=day(due))


def test_an_action_happened_it_is_not_held_in_the_future() -> None:
    with pytest.raises(DateInFuture):
        action(held_on=day(1))


def test_a_next_step_is_not_due_before_the_action_was_held() -> None:
    with pytest.raises(DueBeforeHeld):
        action(held_on=day(-3), next_step=step(-4))


def test_a_next_step_recorded_afterwards_may_be_due_already_and_is_overdue_at_once() -> None:
    visit = action(held_on=day(-10), next_step=step(-3))
    assert visit.is_overdue(day(0))
    assert visit.mark_overdue(at()) == 1


def test_overdue_is_raised_once_per_due_date() -> None:
    visit = action(next_step=step(7))
    visit.collect_events()
    assert visit.mark_overdue(at(days=7)) == 0  # due today: not yet overdue
    assert visit.mark_overdue(at(days=8)) == 1
    assert visit.mark_overdue(at(days=9)) == 0
    visit.reschedule_next_step("ABJ", day(12), at(days=9))
    assert visit.mark_overdue(at(days=12)) == 0
    assert visit.mark_overdue(at(days=13)) == 1
    assert event_names(visit) == [
        "NextStepOverdue",
        "NextStepRescheduled",
        "NextStepOverdue",
    ]


def test_a_next_step_is_completed_once_and_is_then_never_overdue() -> None:
    visit = action(next_step=step(2))
    visit.complete_next_step(day(1), "ABJ", at(days=1))
    with pytest.raises(NextStepDone):
        visit.complete_next_step(day(1), "ABJ", at(days=1))
    with pytest.raises(NextStepDone):
        visit.reschedule_next_step("ABJ", day(5), at(days=1))
    assert visit.mark_overdue(at(days=30)) == 0


def test_completion_and_rescheduling_dates_are_checked() -> None:
    visit = action(held_on=day(-5), next_step=step(2))
    with pytest.raises(CompletedBeforeHeld):
        visit.complete_next_step(day(-6), "ABJ", at())
    with pytest.raises(DateInFuture):
        visit.complete_next_step(day(1), "ABJ", at())
    with pytest.raises(DateInPast):
        visit.reschedule_next_step("ABJ", day(-1), at())


def test_an_action_without_a_next_step_has_nothing_to_complete() -> None:
    visit = action()
    with pytest.raises(NoNextStep):
        visit.complete_next_step(day(0), "ABJ", at())
    assert visit.mark_overdue(at(days=100)) == 0


def test_each_event_is_published_with_the_step_as_it_stands_after() -> None:
    visit = action(next_step=step(1))
    visit.mark_overdue(at(days=3))
    visit.complete_next_step(day(3), "ABJ", at(days=3))
    published = [follow_up_event(e) for e in visit.collect_events()]
    assert [(p.event, p.next_step.status) for p in published if p and p.next_step] == [
        ("recorded", "open"),
        ("next_step_overdue", "overdue"),
        ("next_step_completed", "done"),
    ]


# --- invariants, for any sequence of commands on any days ----------------------------------
COMMANDS = st.lists(
    st.tuples(
        st.sampled_from(["wait", "complete", "reschedule", "check"]),
        st.integers(min_value=0, max_value=20),
    ),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(
    held=st.integers(min_value=-20, max_value=0),
    due_after=st.one_of(st.none(), st.integers(min_value=0, max_value=30)),
    commands=COMMANDS,
)
def test_invariants_hold_for_any_commands(
    held: int, due_after: int | None, commands: list[tuple[str, int]]
) -> None:
    visit = action(
        held_on=day(held),
        next_step=step(held + due_after) if due_after is not None else None,
    )
    now = T0
    raised: list[date] = []
    for command, amount in commands:
        try:
            if command == "wait":
                now += timedelta(days=amount)
            elif command == "complete":
                visit.complete_next_step(day(held + amount), "ABJ", now)
            elif command == "reschedule":
                visit.reschedule_next_step("KLM", day(amount), now)
            else:
                for event in _raised(visit, now):
                    raised.append(event["due_on"])
        except CourseRuleViolated:
            pass
        _check(visit, now)
    # Overdue is raised at most once per due date, and only for a step that was due before.
    assert len(raised) == len(set(raised))


def _raised(visit: FollowUpAction, now: datetime) -> list[dict[str, Any]]:
    before = len(visit.overdue_flags)
    visit.mark_overdue(now)
    if len(visit.overdue_flags) == before:
        return []
    step_now = visit.next_step
    assert step_now is not None and visit.next_step_status == "open"
    assert step_now["due_on"] < now.date()
    return [dict(step_now)]


def _check(visit: FollowUpAction, now: datetime) -> None:
    step_now = visit.next_step
    if step_now is None:
        assert visit.next_step_status == "none"
        return
    assert step_now["due_on"] >= visit.held_on
    if visit.next_step_status == "done":
        completed = visit.next_step_completed_on
        assert completed is not None and visit.held_on <= completed <= now.date()
        assert not visit.is_overdue(now.date() + timedelta(days=365))
    else:
        assert visit.is_overdue(now.date()) == (step_now["due_on"] < now.date())
