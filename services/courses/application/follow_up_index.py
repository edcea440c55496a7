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
    # The action's public facts (`follow_up.FACTS`) as recorded, its next step in parts:
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
    closed_at: datetime | None = None
    """When the action was over (issue 18: its retention deadline runs from then): recorded
    without a next step, or its next step completed."""

    def overdue(self, today: date) -> bool:
        return (
            self.next_step_status == "open"
            and self.next_step_due_on is not None
            and self.next_step_due_on < today
        )


@dataclass(frozen=True)
class FollowUpQuery:
    """Which of a municipality's actions: a person's, a course's, an owner's next steps;
    `status` all | open (a next step not done) | overdue (open, due before today)."""

    municipality_code: str
    person_key: str | None = None
    owner: str | None = None
    course_id: str | None = None
    status: str = "all"

    def matches(self, action: FollowUpSummary, today: date) -> bool:
        wanted = {
            "person_key": self.person_key,
            "next_step_owner": self.owner,
            "course_id": self.course_id,
        }
        return (
            action.municipality_code == self.municipality_code
            and all(v is None or getattr(action, k) == v for k, v in wanted.items())
            and (self.status != "open" or action.next_step_status == "open")
            and (self.status != "overdue" or action.overdue(today))
        )


class FollowUpIndex:
    def __init__(self) -> None:
        self._actions: dict[UUID, FollowUpSummary] = {}

    def apply(self, changed: FollowUpAction.Event) -> None:
        action_id = changed.originator_id
        before = self._actions.get(action_id)
        if isinstance(changed, FollowUpAction.Recorded):
            facts = dict(changed.facts)
            step = facts.pop("next_step")
            self._actions[action_id] = FollowUpSummary(
                action_id=action_id,
                **facts,
                next_step_kind=step["kind"] if step else None,
                next_step_owner=step["owner"] if step else None,
                next_step_due_on=step["due_on"] if step else None,
                next_step_status="open" if step else "none",
                next_step_completed_on=None,
                version=changed.originator_version,
                updated_at=changed.at,
                closed_at=None if step else changed.at,
            )
            return
        if before is None:  # pragma: no cover - every action starts with Recorded
            return
        if isinstance(changed, FollowUpAction.Erased):
            del self._actions[action_id]
            return
        after = replace(before, version=changed.originator_version, updated_at=changed.at)
        if isinstance(changed, FollowUpAction.NextStepCompleted):
            after = replace(
                after,
                next_step_status="done",
                next_step_completed_on=changed.completed_on,
                closed_at=changed.at,
            )
        elif isinstance(changed, FollowUpAction.NextStepRescheduled):
            after = replace(after, next_step_owner=changed.owner, next_step_due_on=changed.due_on)
        self._actions[action_id] = after

    def forget(self, person_key: str) -> None:
        """An erased person's follow-ups leave the index (issue 18)."""
        self._actions = {i: a for i, a in self._actions.items() if a.person_key != person_key}

    def ids_of(self, person_key: str) -> list[UUID]:
        return sorted(i for i, a in self._actions.items() if a.person_key == person_key)

    def closed(self) -> list[FollowUpSummary]:
        """The actions that are over (retention, issue 18), oldest id first."""
        return sorted(
            (a for a in self._actions.values() if a.closed_at is not None),
            key=lambda a: a.action_id.hex,
        )

    def actions(self, query: FollowUpQuery, today: date) -> list[FollowUpSummary]:
        """The actions the query names, most recently held first."""
        found = [a for a in self._actions.values() if query.matches(a, today)]
        return sorted(found, key=lambda a: (a.held_on, a.updated_at, a.action_id.hex), reverse=True)

    def with_open_next_step(self) -> list[UUID]:
        return sorted(i for i, a in self._actions.items() if a.next_step_status == "open")

    def get(self, action_id: UUID) -> FollowUpSummary | None:
        return self._actions.get(action_id)
