"""Revised, handed-over and withdrawn decisions (issue 4, parts 4-5): the one task of a person
in an incident follows the decision that governs it, is transferred on handover, is cancelled
when the decision is withdrawn, and a letter is never sent twice."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from services.notifications.adapters.publications import notifications_publications
from services.notifications.bootstrap import definition
from services.notifications.domain.letter_task_case import LetterTaskCase
from services.notifications.settings import NotificationsSettings
from shared.contracts import (
    TRIAGE_CASEWORKER,
    TRIAGE_TOVHOLDER,
    TRIAGE_WITHDRAWALS,
    RoutingDecision,
)
from tests.support import inbox_harness, outbox
from tests.unit.notifications.factories import (
    DEADLINES,
    JOURNAL,
    START,
    FakeClock,
    assessment,
    decision,
    decision_doc,
    handover_doc,
    letter_of,
    new_case,
    recorded,
    withdrawal,
    withdrawal_doc,
)


def handover(**kwargs: Any) -> RoutingDecision:
    return RoutingDecision.model_validate(handover_doc(**kwargs))


def test_a_handover_transfers_the_open_tovholder_task() -> None:
    case = new_case()
    case.receive_decision(decision(), START, DEADLINES)
    created = letter_of(case)
    case.collect_events()
    later = START + timedelta(days=1)
    assert case.receive_decision(handover(), later, DEADLINES) == "task_updated"
    assert recorded(case) == ["DecisionRecorded", "TaskUpdated"]
    letter = letter_of(case)
    assert letter["task_id"] == created["task_id"]
    assert (letter["event"], letter["reason"]) == ("updated", "case_opened_after_routing")
    assert (letter["owner_role"], letter["owner_team"]) == (
        "caseworker",
        "Børn og Familie Team Nord",
    )
    assert letter["due_at"] == "2026-11-21T08:12:00+01:00"
    assert letter["kind"] == "orientering"  # the same letter, now the caseworker's
    # the caseworker's assessment afterwards never makes a second task
    assert case.receive_assessment(assessment(outcome="summon"), later, DEADLINES) == "recorded"
    assert recorded(case) == ["AssessmentRecorded"]


def test_a_handover_arriving_before_the_tovholder_decision_wins() -> None:
    case = new_case()
    assert case.receive_decision(handover(), START, DEADLINES) == "awaiting_assessment"
    # the tovholder decision it replaces arrives late, on the other topic: no orientering
    assert case.receive_decision(decision(), START, DEADLINES) == "awaiting_assessment"
    assert case.letter is None
    assert case.receive_assessment(assessment(outcome="summon"), START, DEADLINES) == (
        "task_created"
    )
    assert (letter_of(case)["kind"], letter_of(case)["owner_role"]) == ("indkaldelse", "caseworker")


def test_a_revision_that_changes_nothing_for_the_task_is_only_recorded() -> None:
    case = new_case()
    case.receive_decision(decision(), START, DEADLINES)
    case.collect_events()
    revised = decision(
        revision=2,
        role="forurettet",
        decision_kind="revised",
        revises_decision_id=f"decision-{JOURNAL}-1-pk_a",
    )
    assert case.receive_decision(revised, START, DEADLINES) == "recorded"
    assert recorded(case) == ["DecisionRecorded"]


def test_a_completed_task_is_never_changed_or_sent_again() -> None:
    case = new_case()
    case.receive_decision(decision(), START, DEADLINES)
    case.complete(START)
    case.collect_events()
    assert case.receive_decision(handover(), START, DEADLINES) == "recorded"
    assert case.receive_decision(decision(revision=2, age=17), START, DEADLINES) == "recorded"
    assert case.receive_withdrawal(withdrawal(revision=3, decided_revision=2), START) == "withdrawn"
    assert recorded(case) == ["DecisionRecorded", "DecisionRecorded", "WithdrawalRecorded"]
    assert letter_of(case)["event"] == "completed"


def test_a_withdrawal_cancels_the_open_task_once() -> None:
    case = new_case()
    case.receive_decision(decision(), START, DEADLINES)
    case.collect_events()
    assert case.receive_withdrawal(withdrawal(), START) == "task_cancelled"
    assert recorded(case) == ["WithdrawalRecorded", "TaskCancelled"]
    assert (letter_of(case)["event"], letter_of(case)["reason"]) == (
        "cancelled",
        "person_removed_from_incident",
    )
    assert case.receive_withdrawal(withdrawal(), START) == "duplicate"
    assert recorded(case) == []


def test_a_withdrawn_decision_never_creates_a_task() -> None:
    case = new_case()
    case.receive_decision(decision(route="caseworker"), START, DEADLINES)
    assert case.receive_withdrawal(withdrawal(), START) == "withdrawn"
    assert case.receive_assessment(assessment(), START, DEADLINES) == "withdrawn"
    assert case.letter is None
    # the withdrawal may also come first: the decision it withdraws then makes no task
    other = new_case()
    assert other.receive_withdrawal(withdrawal(), START) == "withdrawn"
    assert other.receive_decision(decision(), START, DEADLINES) == "withdrawn"
    assert other.letter is None


def test_a_person_back_in_a_later_revision_gets_the_task() -> None:
    case = new_case()
    case.receive_withdrawal(withdrawal(revision=2), START)
    assert case.receive_decision(decision(revision=3), START, DEADLINES) == "task_created"


def test_an_overdue_task_is_updated_too() -> None:
    case = new_case()
    case.receive_decision(decision(), START, DEADLINES)
    assert case.mark_overdue(START + timedelta(days=5))
    assert case.receive_decision(handover(), START + timedelta(days=5), DEADLINES) == (
        "task_updated"
    )
    assert case.status == "open" and letter_of(case)["owner_role"] == "caseworker"


def test_the_case_rebuilt_from_its_events_is_the_same() -> None:
    case = LetterTaskCase(JOURNAL, "pk_a")
    case.receive_decision(handover(), START, DEADLINES)
    case.receive_decision(decision(), START, DEADLINES)
    case.receive_withdrawal(withdrawal(), START)
    copy = None
    for e in case.collect_events():
        copy = e.mutate(copy)
    assert isinstance(copy, LetterTaskCase)
    assert (copy.decision, copy.superseded, copy.withdrawal, copy.withdrawn) == (
        case.decision,
        case.superseded,
        case.withdrawal,
        True,
    )


async def test_withdrawals_and_handovers_through_the_inbox(
    settings: NotificationsSettings, clock: FakeClock
) -> None:
    async with inbox_harness(definition(settings, clock=clock)) as h:
        for n, (doc, topic) in enumerate(
            [
                (decision_doc(key="pk_a"), TRIAGE_TOVHOLDER),
                (decision_doc(key="pk_b"), TRIAGE_TOVHOLDER),
                (handover_doc(key="pk_a"), TRIAGE_CASEWORKER),
                (withdrawal_doc(key="pk_b"), TRIAGE_WITHDRAWALS),
            ],
            start=1,
        ):
            await h.publish(
                doc,
                topic,
                key=doc["person_key"],
                headers={"ssp-origin": "triage", "ssp-notification-id": str(n)},
            )
        letters = [json.loads(m.body()) for m in outbox(h.app, notifications_publications)]
        assert h.runtime.dead_letters == 0
    assert [(t["person_key"], t["event"], t["reason"]) for t in letters] == [
        ("pk_a", "created", None),
        ("pk_b", "created", None),
        ("pk_a", "updated", "case_opened_after_routing"),
        ("pk_b", "cancelled", "person_removed_from_incident"),
    ]
