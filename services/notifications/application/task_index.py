"""Every letter task's latest state, in memory, followed from the application's notification
log.

Why this and not an index aggregate: the log already holds every task event in order, so the
index is rebuilt at start by reading it once and kept current by reading only what is new
before each use. It cannot disagree with the store, and it costs no extra writes. It is used
only from the store thread, the log's only writer, so it never sees a gap in the notification
ids. Memory: one small record per task (thousands a year per municipality).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eventsourcing.utils import get_topic

from services.notifications.domain.acute_letter import AcuteLetterTask
from services.notifications.domain.endings import escalation_due
from services.notifications.domain.letter_task_case import LetterTaskCase
from services.notifications.domain.letters import STATUS_AFTER, TaskStatus
from shared.contracts import LetterTaskEvent
from shared.eventstore import ServiceApplication
from shared.eventstore.erasure import ErasedPerson
from shared.eventstore.followed_log import FollowedLog

TASK_EVENT_TOPICS = tuple(
    get_topic(cls)
    for cls in (
        LetterTaskCase.TaskCreated,
        LetterTaskCase.TaskCompleted,
        LetterTaskCase.TaskCancelled,
        LetterTaskCase.TaskMarkedOverdue,
        LetterTaskCase.TaskUpdated,
        LetterTaskCase.OpenedWithTask,  # a case opened with its task created
        LetterTaskCase.TaskSent,
        LetterTaskCase.TaskWaived,
        LetterTaskCase.TaskEscalated,
        AcuteLetterTask.Requested,
        AcuteLetterTask.Completed,
        AcuteLetterTask.MarkedOverdue,
        LetterTaskCase.Opened,  # whose each case is (issue 18: also those without a task)
        LetterTaskCase.OpenedWithDecision,
        ErasedPerson.Recorded,  # issue 18: the person's tasks leave the index
        LetterTaskCase.Erased,  # and each task of theirs, by its id
    )
)
TO_DO: frozenset[TaskStatus] = frozenset({"open", "overdue"})


def status_of(letter: LetterTaskEvent) -> TaskStatus:
    return STATUS_AFTER[letter.event]


class LetterTaskIndex(FollowedLog):
    def __init__(self, app: ServiceApplication, batch_size: int = 1000) -> None:
        super().__init__(app, batch_size, TASK_EVENT_TOPICS)
        self._latest: dict[str, LetterTaskEvent] = {}
        # When each task was created, and the levels it was escalated to (issue 16, part 6).
        self._created_at: dict[str, datetime] = {}
        self._escalated_to: dict[str, frozenset[str]] = {}
        # Each person's letter task cases, with a task or still waiting for one (issue 18:
        # an erasure marks them all erased).
        self._cases_of: dict[str, set[str]] = {}

    def apply(self, event: Any) -> None:
        if isinstance(event, ErasedPerson.Recorded):
            self._forget(event.person_key)
            self._cases_of.pop(event.person_key, None)
            return
        if isinstance(event, LetterTaskCase.Erased):
            self._forget_task(str(event.originator_id))
            return
        if isinstance(event, LetterTaskCase.Opened | LetterTaskCase.OpenedWithDecision):
            self._cases_of.setdefault(event.person_key, set()).add(str(event.originator_id))
            if not isinstance(event, LetterTaskCase.OpenedWithTask):
                return
        assert isinstance(event, LetterTaskCase.TaskChanged | AcuteLetterTask.TaskChanged)
        letter = LetterTaskEvent.model_validate(event.letter)
        self._latest[letter.task_id] = letter
        if letter.event == "created":
            self._created_at[letter.task_id] = letter.at
        elif letter.escalated_to is not None:
            self._escalated_to[letter.task_id] = self.escalated_to(letter.task_id) | {
                letter.escalated_to
            }

    def _forget(self, person_key: str) -> None:
        for letter in self.tasks_of(person_key):
            self._forget_task(letter.task_id)

    def _forget_task(self, task_id: str) -> None:
        self._latest.pop(task_id, None)
        self._created_at.pop(task_id, None)
        self._escalated_to.pop(task_id, None)

    def cases_of(self, person_key: str) -> set[str]:
        """The ids of the person's letter task cases, with a task or not."""
        return set(self._cases_of.get(person_key, ()))

    def tasks_of(self, person_key: str) -> list[LetterTaskEvent]:
        """Every task of the person, whatever its status."""
        return [letter for letter in self._latest.values() if letter.person_key == person_key]

    def tasks(
        self,
        municipality_code: str,
        wanted: frozenset[TaskStatus] | None,
        escalated_to: str | None = None,
    ) -> list[LetterTaskEvent]:
        """One municipality's tasks in any of the `wanted` statuses (None: all of them), the
        soonest due first: the most urgent on top. `escalated_to` keeps those escalated to
        that level."""
        found = [
            letter
            for letter in self._latest.values()
            if letter.municipality_code == municipality_code
            and (wanted is None or status_of(letter) in wanted)
            and (escalated_to is None or escalated_to in self.escalated_to(letter.task_id))
        ]
        return sorted(found, key=lambda letter: (letter.due_at, letter.task_id))

    def escalated_to(self, task_id: str) -> frozenset[str]:
        return self._escalated_to.get(task_id, frozenset())

    def created_at(self, task_id: str) -> datetime | None:
        return self._created_at.get(task_id)

    def escalation_candidates(self, now: datetime) -> list[tuple[str, datetime]]:
        """Tasks still to do that call for an escalation at `now` (the case decides again)."""
        found = []
        for task_id, letter in self._latest.items():
            if status_of(letter) not in TO_DO or letter.due_at >= now:
                continue
            if letter.person_key.startswith("acute:"):
                continue  # the acute procedure's letter: its own deadline, in courses' steps
            created_at = self._created_at.get(task_id, letter.due_at)
            if escalation_due(letter, self.escalated_to(task_id), created_at, now) is not None:
                found.append((task_id, created_at))
        return sorted(found)

    def escalation_counts(self, municipality_code: str) -> dict[str, int]:
        """Counts only (management's view): tasks still to do past their deadline, escalated
        to the team leader, and still open at twice their deadline."""
        counts = {"past_deadline": 0, "escalated_to_team_leader": 0, "open_at_twice_deadline": 0}
        for task_id, letter in self._latest.items():
            if letter.municipality_code != municipality_code or status_of(letter) not in TO_DO:
                continue
            levels = self.escalated_to(task_id)
            counts["past_deadline"] += status_of(letter) == "overdue"
            counts["escalated_to_team_leader"] += "team_leader" in levels
            counts["open_at_twice_deadline"] += "management" in levels
        return counts

    def task(self, task_id: str) -> LetterTaskEvent | None:
        return self._latest.get(task_id)

    def open_past_due(self, now: datetime) -> list[str]:
        return sorted(
            letter.task_id
            for letter in self._latest.values()
            if status_of(letter) == "open" and letter.due_at < now
        )

    def overdue_by_municipality(self) -> dict[str, int]:
        """How many tasks are overdue, per municipality that has tasks (0 included)."""
        counts: dict[str, int] = {}
        for letter in self._latest.values():
            overdue = 1 if status_of(letter) == "overdue" else 0
            counts[letter.municipality_code] = counts.get(letter.municipality_code, 0) + overdue
        return counts
