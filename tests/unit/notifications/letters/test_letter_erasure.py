"""Issue 18 in notifications: when a person is erased their letter tasks are marked erased (an
event holding nothing about them), so no list, read, send or waiver finds them again, also
after a restart rebuilds the index from the store; the copies of their letters still in the
outbox folder are discarded, the other person's stay there for print."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import pytest
from eventsourcing.utils import get_topic

from services.notifications.adapters.publications import notifications_publications
from services.notifications.application.service import TaskNotFound
from services.notifications.bootstrap import build_service
from services.notifications.domain.letter_task_case import LetterTaskCase
from services.notifications.settings import NotificationsSettings
from shared.contracts.erasures import PersonErased
from shared.eventstore import UnitOfWork
from tests.support import outbox
from tests.unit.notifications.factories import JOURNAL, FakeClock, decision
from tests.unit.notifications.letters.support import in_store, letter_desk

ERASED, KEPT = "pk_a", "pk_b"
TASK_OF = {key: str(LetterTaskCase.create_id(JOURNAL, key)) for key in (ERASED, KEPT)}


def erasure(person_key: str = ERASED) -> PersonErased:
    return PersonErased.model_validate(
        {
            "erasure_id": f"erasure-{person_key}",
            "person_key": person_key,
            "municipality_code": "607",
            "reason": "request",
            "erased_at": "2026-12-06T03:00:00+01:00",
        }
    )


async def test_an_erased_persons_letter_tasks_and_outbox_copies_are_gone_for_good(
    settings: NotificationsSettings, clock: FakeClock, tmp_path: Path
) -> None:
    d = letter_desk(settings, clock, tmp_path)
    for key in (ERASED, KEPT):
        d.service.receive_decision(decision(age=16, key=key))
        await d.desk.send(in_store, TASK_OF[key], "Bearer t", "tovholder")
    kept_copies = sorted(p.name for p in d.outbox.glob(f"{TASK_OF[KEPT]}-*"))
    assert len(kept_copies) == 2 and len(list(d.outbox.glob(f"{TASK_OF[ERASED]}-*"))) == 2

    uow = UnitOfWork(d.service.app)
    assert d.service.forget_person_in(uow, erasure()) == 1
    uow.commit()

    assert sorted(p.name for p in d.outbox.iterdir()) == kept_copies
    assert [t.person_key for t in d.service.tasks("607", None)] == [KEPT]
    assert d.service.task(TASK_OF[ERASED]) is None
    with pytest.raises(TaskNotFound):
        await d.desk.send(in_store, TASK_OF[ERASED], "Bearer t", "tovholder")
    with pytest.raises(TaskNotFound):
        d.desk.waive_in_store(TASK_OF[ERASED], "already_informed", "tovholder")
    case: object = d.service.app.repository.get(UUID(TASK_OF[ERASED]))
    assert isinstance(case, LetterTaskCase) and case.erased and case.letter is None
    # The erasure event holds nothing about the person, and the relay publishes nothing of it.
    [stored] = d.service.app.recorder.select_notifications(
        start=None, limit=100, topics=[get_topic(LetterTaskCase.Erased)]
    )
    assert stored.originator_id == UUID(TASK_OF[ERASED]) and ERASED.encode() not in stored.state
    published = outbox(d.service.app, notifications_publications)
    assert len(published) == 4  # each task created and sent, before the erasure

    # Told twice (a redelivery): nothing more. A replayed decision: nothing new either.
    again = UnitOfWork(d.service.app)
    assert d.service.forget_person_in(again, erasure()) == 0
    again.commit()
    assert d.service.receive_decision(decision(age=16, key=ERASED, revision=2)) == "duplicate"
    # A restart rebuilds the index from the store: the person does not come back.
    restarted = build_service(settings, d.service.app, clock)
    restarted.index.catch_up()
    assert [t.person_key for t in restarted.tasks("607", None)] == [KEPT]
    assert restarted.task(TASK_OF[ERASED]) is None
