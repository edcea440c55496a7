"""Issue 18 in notifications, beyond the letter tasks: an erasure also marks erased the
person's cases still waiting for an assessment (no task yet), their caseworker records, and a
task created in the same batch as the erasure; a message about the person after the erasure
in the same batch is withheld. The events that mark them hold nothing about the person, and
a service built again on the store (a restart, a rebuild) finds nothing of theirs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from services.notifications.application.service import NotificationsService
from services.notifications.bootstrap import build_application, build_service
from services.notifications.domain.caseworker_record import CaseworkerRecord
from services.notifications.domain.letter_task_case import LetterTaskCase
from services.notifications.entrypoints.kafka import CONSUMERS
from services.notifications.settings import NotificationsSettings
from shared.contracts import (
    CASEWORKER_ASSESSMENTS,
    PERSON_ERASURES,
    TRIAGE_CASEWORKER,
    TRIAGE_TOVHOLDER,
)
from shared.eventstore import UnitOfWork
from shared.messaging.inbound import Inbound
from tests.unit.notifications.factories import (
    JOURNAL,
    FakeClock,
    assessment,
    assessment_doc,
    decision_doc,
)

ERASED, KEPT = "pk_a", "pk_b"
CASE = {key: LetterTaskCase.create_id(JOURNAL, key) for key in (ERASED, KEPT)}
RECORD = {key: CaseworkerRecord.create_id(JOURNAL, key) for key in (ERASED, KEPT)}
OTHER = "3700-80123-00789-26"
LATER = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def caseworker_decision_on(journal_number: str, person_key: str) -> dict[str, Any]:
    return decision_doc(
        route="caseworker",
        key=person_key,
        journal_number=journal_number,
        decision_id=f"decision-{journal_number}-1-{person_key}",
    )


def erasure_doc(person_key: str = ERASED) -> dict[str, Any]:
    return {
        "erasure_id": f"erasure-{person_key}",
        "person_key": person_key,
        "municipality_code": "607",
        "reason": "request",
        "erased_at": "2026-12-06T03:00:00+01:00",
    }


class Notifications:
    def __init__(self, data_dir: Path) -> None:
        self.settings = NotificationsSettings(SSP_DATABASE_URL="", SSP_DATA_DIR=str(data_dir))
        self.app = build_application(self.settings)
        self.service: NotificationsService = build_service(self.settings, self.app, FakeClock())
        self.handle = CONSUMERS.batch_handler(self.service, self.settings)
        self.n = 0

    def message(self, topic: str, doc: dict[str, Any]) -> Inbound:
        self.n += 1
        return Inbound(
            topic=self.settings.topic(topic),
            partition=0,
            offset=self.n,
            key=doc["person_key"].encode(),
            value=json.dumps(doc).encode(),
            headers={"ssp-origin": topic, "ssp-notification-id": str(self.n)},
        )

    def stored(self, aggregate_id: UUID) -> list[str]:
        return [e.topic.rsplit(".", 1)[-1] for e in self.app.recorder.select_events(aggregate_id)]

    def stored_state(self, aggregate_id: UUID) -> bytes:
        return b"".join(e.state for e in self.app.recorder.select_events(aggregate_id))


def test_a_case_waiting_for_an_assessment_and_the_caseworker_record_are_marked_erased(
    tmp_path: Path,
) -> None:
    """The erased person has a case waiting for the caseworker's assessment (no task) on one
    incident, and an assessed one (a task, a caseworker record) on another."""
    n = Notifications(tmp_path)
    n.handle(
        [
            n.message(TRIAGE_CASEWORKER, decision_doc(route="caseworker", key=key))
            for key in (ERASED, KEPT)
        ]
        + [n.message(TRIAGE_CASEWORKER, caseworker_decision_on(OTHER, ERASED))]
    )
    n.handle([n.message(CASEWORKER_ASSESSMENTS, assessment_doc("summon", key=KEPT))])
    n.handle(
        [
            n.message(
                CASEWORKER_ASSESSMENTS,
                assessment_doc("summon", key=ERASED, journal_number=OTHER),
            )
        ]
    )
    waiting = UnitOfWork(n.app).get(LetterTaskCase, CASE[ERASED])
    assert waiting is not None and waiting.decision is not None and waiting.letter is None
    n.service.index.catch_up()
    assert [t.journal_number for t in n.service.index.tasks_of(ERASED)] == [OTHER]

    n.handle([n.message(PERSON_ERASURES, erasure_doc())])

    other_case = LetterTaskCase.create_id(OTHER, ERASED)
    other_record = CaseworkerRecord.create_id(OTHER, ERASED)
    for aggregate_id in (CASE[ERASED], other_case, other_record):
        assert n.stored(aggregate_id)[-1] == "Erased"
        last = n.app.recorder.select_events(aggregate_id)[-1]
        assert ERASED.encode() not in last.state and OTHER.encode() not in last.state
    assert "Erased" not in n.stored(CASE[KEPT]) + n.stored(RECORD[KEPT])

    rebuilt = Notifications(tmp_path)  # a restart: everything loaded again from the store
    uow = UnitOfWork(rebuilt.app)
    case = uow.get(LetterTaskCase, CASE[ERASED])
    record = uow.get(CaseworkerRecord, other_record)
    assert case is not None and case.erased and case.decision is None
    assert record is not None and record.erased and record.assessments == []
    assert not record.assess(assessment(at=LATER.isoformat()), "http", "607")
    kept = uow.get(CaseworkerRecord, RECORD[KEPT])
    assert kept is not None and not kept.erased and len(kept.assessments) == 1
    rebuilt.service.index.catch_up()
    assert rebuilt.service.index.cases_of(ERASED) == set()
    assert rebuilt.service.index.cases_of(KEPT) == {str(CASE[KEPT])}


def test_a_task_created_in_the_same_batch_as_the_erasure_is_marked_erased(tmp_path: Path) -> None:
    n = Notifications(tmp_path)
    n.handle(
        [
            n.message(TRIAGE_TOVHOLDER, decision_doc(key=ERASED)),
            n.message(TRIAGE_TOVHOLDER, decision_doc(key=KEPT)),
            n.message(PERSON_ERASURES, erasure_doc()),
        ]
    )

    assert n.stored(CASE[ERASED])[-1] == "Erased"
    assert "Erased" not in n.stored(CASE[KEPT])
    rebuilt = Notifications(tmp_path)
    assert [t.person_key for t in rebuilt.service.tasks("607", None)] == [KEPT]


def test_a_message_after_the_erasure_in_the_same_batch_is_withheld(tmp_path: Path) -> None:
    n = Notifications(tmp_path)
    n.handle(
        [
            n.message(PERSON_ERASURES, erasure_doc()),
            n.message(TRIAGE_TOVHOLDER, decision_doc(key=ERASED)),
            n.message(TRIAGE_TOVHOLDER, decision_doc(key=KEPT)),
        ]
    )

    assert n.stored(CASE[ERASED]) == []
    assert [t.person_key for t in n.service.tasks("607", None)] == [KEPT]
