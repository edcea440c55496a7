"""Erasing courses' records (issue 18): a person's, when intake erased them (`PersonErased`),
or one record, when its retention deadline passed (application/retention.py).

The keys go first: each record's own key (`course:<id>`, `follow-up:<id>`) and, for a person,
theirs, destroyed in courses' keyring (recorded there with kind and reason: what
`ssp erasure-report` counts). Once a key is gone nothing sealed with it can be read, whatever
happens next. Then each record is marked erased (`Course.Erased` / `FollowUpAction.Erased`) in
the caller's unit of work: reads answer 404, the index drops it. Both steps are idempotent, so
a crash between them is finished by the next delivery or run."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from uuid import UUID

from services.courses.application.course_index import CourseIndex
from services.courses.application.record_keys import COURSE, FOLLOW_UP, action_owner, course_owner
from services.courses.domain.course import Course
from services.courses.domain.follow_up import FollowUpAction
from shared.contracts import PersonErased
from shared.eventstore import ServiceApplication, UnitOfWork
from shared.keys.keyring import PersonKeyring

log = logging.getLogger(__name__)

PERSON_ERASED = "person_erased"
"""Why a record was erased: its person was (else `retention_deadline`)."""


class RecordEraser:
    def __init__(
        self,
        app: ServiceApplication,
        index: CourseIndex,
        keyring: PersonKeyring,
        clock: Callable[[], datetime],
    ) -> None:
        self.app = app
        self.index = index
        self.keyring = keyring
        self.clock = clock

    def erase_person_in(self, uow: UnitOfWork, erased: PersonErased) -> bool:
        """Intake erased the person: destroy their key and each of their courses' and
        actions' own, mark those erased and record the person as erased (withheld from then
        on). False for a person erased before: nothing more. Every step is idempotent, so a
        batch that failed after the keys were destroyed is finished by its redelivery."""
        person_key = erased.person_key
        self.index.catch_up()
        courses = self.index.course_ids_of(person_key)
        actions = self.index.follow_ups.ids_of(person_key)
        self.keyring.destroy(person_key, erased.erasure_id, "person", erased.reason)
        self.erase(uow, courses, actions, lambda _: erased.erasure_id, erased.reason, PERSON_ERASED)
        recorded: bool = self.app.erased_persons.record(uow, erased)
        if not recorded and not courses and not actions:
            return False
        log.info(
            "courses: erased person: %d course(s), %d follow-up action(s) marked erased",
            len(courses),
            len(actions),
        )
        return True

    def erase(
        self,
        uow: UnitOfWork,
        courses: Sequence[UUID],
        actions: Sequence[UUID],
        erasure_id_of: Callable[[str], str],
        reason: str,
        marked_as: str,
        at: datetime | None = None,
    ) -> dict[str, int]:
        """Destroy each record's key (`reason`: the erasure reason counted), then mark each
        erased (`marked_as`) in `uow`; how many were marked, by kind."""
        at = at or self.clock()
        for kind, owner in [
            *((COURSE, course_owner(i)) for i in courses),
            *((FOLLOW_UP, action_owner(i)) for i in actions),
        ]:
            self.keyring.destroy(owner, erasure_id_of(owner), kind, reason, at)
        uow.prefetch([*courses, *actions])
        marked = {COURSE: 0, FOLLOW_UP: 0}
        records: list[tuple[str, Course | FollowUpAction | None]] = [
            *((COURSE, uow.get(Course, i)) for i in courses),
            *((FOLLOW_UP, uow.get(FollowUpAction, i)) for i in actions),
        ]
        for kind, record in records:
            if record is not None and record.mark_erased(marked_as, at):
                marked[kind] += 1
        return marked
