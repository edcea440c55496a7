"""TRIVSEL+ eligibility follows the person's current decision, whatever order triage's three
topics deliver in; an exit referral is taken up by one programme."""

from __future__ import annotations

from uuid import uuid4

from services.courses.domain.eligibility import REVISED_TO_CASEWORKER, TrivselEligibility
from services.courses.domain.exit_referral import ExitReferralRecord
from tests.unit.courses.factories import at, decision, handover, referral, withdrawal


def eligible(age: int = 14) -> TrivselEligibility:
    record = TrivselEligibility.from_decision(decision(key="pk_a", age=age))
    record.collect_events()
    return record


def test_a_withdrawal_of_the_coordinators_decision_revokes_eligibility() -> None:
    record = eligible()
    assert record.receive_withdrawal(withdrawal(reason="person_out_of_scope"), True)
    assert not record.eligible
    assert record.revoked is not None
    assert (
        record.revoked["reason"],
        record.revoked["revision"],
        record.revoked["course_started"],
    ) == ("person_out_of_scope", 2, True)
    assert [type(e).__name__ for e in record.collect_events()] == ["Revoked"]
    # Delivered again: nothing new.
    assert not record.receive_withdrawal(withdrawal(reason="person_out_of_scope"), True)
    assert record.collect_events() == []


def test_a_handover_revokes_and_a_revision_back_to_the_coordinator_restores() -> None:
    record = eligible()
    assert record.receive_move_to_caseworker(handover(), course_started=False)
    assert record.revoked is not None
    assert record.revoked["reason"] == "case_opened_after_routing"
    assert record.revoked["decision_id"] == decision(key="pk_a").decision_id
    # Revision 2 routes the person to the coordinator again (the case closed).
    assert record.receive(decision(key="pk_a", revision=2, age=15, decision_kind="revised"))
    assert record.eligible and (record.revision, record.age_at_incident) == (2, 15)


def test_a_revision_to_the_caseworker_route_revokes() -> None:
    record = eligible()
    moved = decision(
        key="pk_a",
        revision=2,
        route="caseworker",
        decision_kind="revised",
        revises_decision_id=decision(key="pk_a").decision_id,
    )
    assert record.receive_move_to_caseworker(moved, course_started=False)
    assert record.revoked is not None and record.revoked["reason"] == REVISED_TO_CASEWORKER


def test_a_revision_that_keeps_the_coordinator_route_keeps_eligibility_and_its_facts() -> None:
    record = eligible(age=14)
    assert record.receive(decision(key="pk_a", revision=2, age=15, decision_kind="revised"))
    assert record.eligible
    assert (record.revision, record.age_at_incident) == (2, 15)


def test_a_late_withdrawal_of_an_older_revision_changes_nothing() -> None:
    record = eligible()
    record.receive(decision(key="pk_a", revision=3, decision_kind="revised"))
    # Revision 2 had dropped the person; revision 3 listed them again. Revision 2's withdrawal
    # arrives last: the coordinator's revision-3 decision still governs.
    assert record.receive_withdrawal(withdrawal(revision=2), course_started=False)
    assert record.eligible


def test_a_withdrawal_before_the_revision_it_follows_still_governs_that_revision() -> None:
    record = eligible()
    record.receive_withdrawal(withdrawal(revision=2), course_started=False)
    # The revision-1 decision delivered again (another decision id: a republished copy).
    record.receive(decision(key="pk_a", revision=1, decision_id="decision-copy"))
    assert not record.eligible


def test_an_exit_referral_is_started_by_one_programme() -> None:
    record = ExitReferralRecord.from_referral(referral())
    assert record.status == "referred"
    first, second = uuid4(), uuid4()
    assert record.mark_started(first, at(days=2))
    assert not record.mark_started(second, at(days=3))
    assert (record.status, record.programme_id) == ("started", str(first))
    assert [type(e).__name__ for e in record.collect_events()] == [
        "Received",
        "ProgrammeStarted",
    ]
