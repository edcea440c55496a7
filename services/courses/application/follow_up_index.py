"""Every follow-up action's public facts and its next step, in memory: part of the course
index (it follows the same notification log, `CourseIndex.catch_up`). It answers the lists
(a person's actions, a municipality's next steps, an owner's overdue ones) and tells the
deadline scheduler which actions have an open next step."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from uuid import UUID

from services.courses.domain.follow_up import FollowUpAction


@dataclass(frozen=True)
class FollowUpSummary:
    action_id: UUID
    person_key: str
    municipality_code: str
    journal_number: str | None
    course_id: str | None
    kind: str
    held_on: date
    held_by: str
    recorded_by_role: str
    outcome: str
    next_step_kind: str | None
    next_step_owner: str | None
    next_step_due_on: date | None
    next_step_status: str  # none | open | done
    next_step_completed_on: date | None
    version: int
    updated_at: datetime

    def overdue(self, today: date) -> bool:
        return (
            self.next_step_status == "open"
            and self.next_step_due_on is not None
            and self.next_step_due_on < today
        )


class FollowUpIndex:
    def __init__(self) -> None:
        self._actions: dict[UUID, FollowUpSummary] = {}

    def apply(self, changed: FollowUpAction.Event) -> None:
        action_id = changed.originator_id
        before = self._actions.get(action_id)
        if isinstance(changed, FollowUpAction.Recorded):
            step = changed.next_step
            self._actions[action_id] = FollowUpSummary(
                action_id=action_id,
                person_key=changed.person_key,
                municipality_code=changed.municipality_code,
                journal_number=changed.journal_number,
                course_id=changed.course_id,
                kind=changed.kind,
                held_on=changed.held_on,
                held_by=changed.held_by,
                recorded_by_role=changed.recorded_by_role,
                outcome=changed.outcome,
                next_step_kind=step["kind"] if step else None,
                next_step_owner=step["owner"] if step else None,
                next_step_due_on=step["due_on"] if step else None,
                next_step_status="open" if step else "none",
                next_step_completed_on=None,
                version=changed.originator_version,
                updated_at=changed.at,
            )
            return
        if before is None:  # pragma: no cover - every action starts with Recorded
            return
        after = replace(before, version=changed.originator_version, updated_at=changed.at)
        if isinstance(changed, FollowUpAction.NextStepCompleted):
            after = replace(
                after, next_step_status="done", next_step_completed_on=changed.completed_on
            )
        elif isinstance(changed, FollowUpAction.NextStepRescheduled):
            after = replace(after, next_step_owner=changed.owner, next_step_due_on=changed.due_on)
        self._actions[action_id] = after

    def actions(
        self,
        *,
        municipality_code: str,
        person_key: str | None = None,
        owner: str | None = None,
        course_id: str | None = None,
        overdue_on: date | None = None,
        open_only: bool = False,
    ) -> list[FollowUpSummary]:
        """The municipality's actions, most recently held first; `overdue_on`: only those
        whose next step was due before that day and is not done."""
        found = [
            a
            for a in self._actions.values()
            if a.municipality_code == municipality_code
            and (person_key is None or a.person_key == person_key)
            and (owner is None or a.next_step_owner == owner)
            and (course_id is None or a.course_id == course_id)
            and (not open_only or a.next_step_status == "open")
            and (overdue_on is None or a.overdue(overdue_on))
        ]
        return sorted(found, key=lambda a: (a.held_on, a.updated_at, a.action_id.hex), reverse=True)

    def with_open_next_step(self) -> list[UUID]:
        return sorted(i for i, a in self._actions.items() if a.next_step_status == "open")

    def get(self, action_id: UUID) -> FollowUpSummary | None:
        return self._actions.get(action_id)
