"""Courses' retention step (issue 18, part 2): every course and follow-up action whose deadline
passed is erased, once a day (a step of the service's daily job, shared/eventstore/
daily_job.py, which runs it at most once per UTC day across restarts and replicas).

A closed course (TRIVSEL+ or exit programme: it names a person) is due `years_for` its
municipalities (domain/retention.py) after it was closed; a follow-up action after it was over
(recorded without a next step, or its next step completed) and, when it belongs to a TRIVSEL+
course, not before that course is due too (it is part of the course's case). Erasing one:

1. its own key (`course:<id>`, `follow-up:<id>`, application/record_keys.py) is destroyed in
   courses' keyring, recorded there (kind `course` / `follow_up`, reason
   `retention_deadline`: what `ssp erasure-report` counts): its free text, sealed under the
   person's and that key, is unreadable in every stored event and backup, while the person's
   other records stay readable;
2. `Course.Erased` / `FollowUpAction.Erased` is stored: reads answer 404, the index drops it,
   and the relay publishes it (`erased` on `ssp.courses.events.v1` /
   `ssp.courses.follow-ups.v1`), so reporting learns of it.

The key goes first: once it is gone nothing sealed with it can be read, whatever happens next.
A crash between the two leaves the record in the index, and the next run destroys the (gone)
key again, a no-op, and stores the event: each record is erased once. Acute procedures name
no person and hold no free text: not erased."""

from __future__ import annotations

import logging
from datetime import datetime
from uuid import UUID

from services.courses.application.erasure import RecordEraser
from services.courses.application.follow_up_index import FollowUpSummary
from services.courses.application.record_keys import COURSE, FOLLOW_UP
from services.courses.domain.retention import RETENTION_DEADLINE, RetentionRules
from shared.eventstore import UnitOfWork
from shared.eventstore.ids import IdSpace

log = logging.getLogger(__name__)

_ERASURE_IDS = IdSpace("urn:ssp:courses:retention-erasures")


class CourseRetention:
    """The daily job's step: `retention(now)` erases what is due and counts it by kind."""

    def __init__(self, eraser: RecordEraser, rules: RetentionRules) -> None:
        self.eraser = eraser
        self.index = eraser.index
        self.rules = rules

    def __call__(self, now: datetime) -> dict[str, int]:
        courses, actions = self.due(now)
        if not courses and not actions:
            return {COURSE: 0, FOLLOW_UP: 0}
        day = now.date().isoformat()
        uow = UnitOfWork(self.eraser.app)
        erased = self.eraser.erase(
            uow,
            courses,
            actions,
            lambda owner: _ERASURE_IDS.text(f"{owner}|{day}"),
            RETENTION_DEADLINE,
            RETENTION_DEADLINE,
            now,
        )
        uow.commit()
        log.info(
            "courses: retention erased %d course(s), %d follow-up action(s)",
            erased[COURSE],
            erased[FOLLOW_UP],
        )
        return erased

    def due(self, now: datetime) -> tuple[list[UUID], list[UUID]]:
        """The courses and actions past their deadline at `now`, not yet erased."""
        self.index.catch_up()
        courses = [
            summary.course_id
            for summary in self.index.closed_courses()
            if summary.closed_at is not None
            and self.rules.is_due(summary.closed_at, summary.access, now)
        ]
        actions = [
            action.action_id
            for action in self.index.follow_ups.closed()
            if self._action_is_due(action, now)
        ]
        return courses, actions

    def _action_is_due(self, action: FollowUpSummary, now: datetime) -> bool:
        closed_at = action.closed_at
        if closed_at is None:  # pragma: no cover - only closed actions are asked about
            return False
        codes = {action.municipality_code}
        course = self.index.summary(UUID(action.course_id)) if action.course_id else None
        if course is not None:  # its course's case: not before the course is due
            if course.closed_at is None:
                return False
            closed_at = max(closed_at, course.closed_at)
            codes.update(course.access)
        return self.rules.is_due(closed_at, codes, now)
