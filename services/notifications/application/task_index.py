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

from eventsourcing.utils import get_topic

from services.notifications.domain.acute_letter import AcuteLetterTask
from services.notifications.domain.letter_task_case import LetterTaskCase
from services.notifications.domain.letters import STATUS_AFTER, TaskStatus
from shared.contracts import LetterTaskEvent
from shared.eventstore import ServiceApplication

TASK_EVENT_TOPICS = tuple(
    get_topic(cls)
    for cls in (
        LetterTaskCase.TaskCreated,
        LetterTaskCase.TaskCompleted,
        LetterTaskCase.TaskCancelled,
        LetterTaskCase.TaskMarkedOverdue,
        LetterTaskCase.TaskUpdated,
        LetterTaskCase.OpenedWithTask,  # a case opened with its task created
        AcuteLetterTask.Requested,
        AcuteLetterTask.Completed,
        AcuteLetterTask.MarkedOverdue,
    )
)


def status_of(letter: LetterTaskEvent) -> TaskStatus:
    return STATUS_AFTER[letter.event]


class LetterTaskIndex:
    def __init__(self, app: ServiceApplication, batch_size: int = 1000) -> None:
        self.app = app
        self.batch_size = batch_size
        self.position = 0
        self._latest: dict[str, LetterTaskEvent] = {}

    def catch_up(self) -> int:
        """Read the task events stored since the last call; return how many."""
        read = 0
        while True:
            notifications = self.app.recorder.select_notifications(
                start=self.position,
                limit=self.batch_size,
                topics=TASK_EVENT_TOPICS,
                inclusive_of_start=False,
            )
            if not notifications:
                return read
            for notification in notifications:
                changed = self.app.mapper.to_domain_event(notification)
                assert isinstance(changed, LetterTaskCase.TaskChanged | AcuteLetterTask.TaskChanged)
                letter = LetterTaskEvent.model_validate(changed.letter)
                self._latest[letter.task_id] = letter
            self.position = notifications[-1].id
            read += len(notifications)

    def tasks(self, municipality_code: str, status: TaskStatus | None) -> list[LetterTaskEvent]:
        """One municipality's tasks (`status` None: all of them), the soonest due first."""
        found = [
            letter
            for letter in self._latest.values()
            if letter.municipality_code == municipality_code
            and (status is None or status_of(letter) == status)
        ]
        return sorted(found, key=lambda letter: (letter.due_at, letter.task_id))

    def task(self, task_id: str) -> LetterTaskEvent | None:
        return self._latest.get(task_id)

    def open_past_due(self, now: datetime) -> list[str]:
        return sorted(
            letter.task_id
            for letter in self._latest.values()
            if status_of(letter) == "open" and letter.due_at < now
        )
