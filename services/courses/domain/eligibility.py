"""Who may get a TRIVSEL+ course: a person the SSP coordinator (tovholder) was given for an
incident. One record per person and journal number; never published (it is not a course).

Eligibility follows the person's *current* decision for the incident. Triage publishes on three
topics (tovholder, caseworker, withdrawals) whose messages may arrive in any order, so each fact
is ranked by (revision, kind): at one revision a handover or a caseworker revision replaces the
coordinator's decision, and a withdrawal replaces both. The highest-ranked fact governs: a
coordinator decision makes (or keeps) the person eligible; a withdrawal, a handover or a
revision to the caseworker route revokes eligibility (`Revoked`). A later coordinator decision
of a higher revision makes the person eligible again. A withdrawal or move that arrives before
the decision it replaces opens the record without a decision (`Opened`: pseudonym, journal
number, municipality), never listed. A course already started is never
changed by a revocation: the record remembers that it had started, and the coordinator sees the
incident moved in the eligibility list (`status: revoked`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eventsourcing.domain import event

from services.courses.domain.course import InvalidCommand
from shared.contracts import DecisionWithdrawn, RoutingDecision
from shared.contracts.decisions import CASE_OPENED_AFTER_ROUTING
from shared.eventstore import TracedAggregate
from shared.eventstore.ids import IdSpace, keyed_id

_IDS = IdSpace("urn:ssp:courses:eligibility")


class NotEligible(InvalidCommand):
    """No tovholder routing decision names this person for this journal number."""

    code = "not_eligible"


#: The rank of a fact at one revision: a coordinator decision < a move to the caseworker <
#: a withdrawal (see the module docstring).
RANK_COORDINATOR = 0
RANK_CASEWORKER = 1
RANK_WITHDRAWN = 2

#: Why eligibility was revoked, besides the withdrawal reasons
#: (`person_removed_from_incident`, `person_out_of_scope`).
REVISED_TO_CASEWORKER = "revised_to_caseworker"


DECISION_FACTS = {"decision_id", "revision", "municipality_code", "age_at_incident", "decided_at"}
"""What the record keeps of each coordinator decision (`Recorded`, `DecisionRevised`)."""


def rank_of(revision: int, kind: int) -> tuple[int, int]:
    return (revision, kind)


class TrivselEligibility(TracedAggregate):
    class Recorded(TracedAggregate.Created):
        person_key: str
        journal_number: str
        decision_id: str
        revision: int
        municipality_code: str
        age_at_incident: int
        decided_at: datetime

    class DecisionRevised(TracedAggregate.Event):
        decision_id: str
        revision: int
        municipality_code: str
        age_at_incident: int
        decided_at: datetime

    class Revoked(TracedAggregate.Event):
        """The coordinator's decision no longer stands (withdrawn, handed over or revised to
        the caseworker). `source_id` is the withdrawal's or the replacing decision's id."""

        source_id: str
        decision_id: str
        revision: int
        rank: int
        reason: str
        revoked_at: datetime
        course_started: bool

    class Opened(TracedAggregate.Created):
        """A withdrawal or a move to the caseworker arrived before the coordinator's decision
        it replaces (another topic delivered first): the record is opened without a decision,
        so that decision, when it comes, does not make the person eligible."""

        person_key: str
        journal_number: str
        municipality_code: str

    create_id = keyed_id(_IDS, "person_key", "journal_number")

    @classmethod
    def without_decision(
        cls, person_key: str, journal_number: str, municipality_code: str
    ) -> TrivselEligibility:
        return cls._create(
            cls.Opened,
            person_key=person_key,
            journal_number=journal_number,
            municipality_code=municipality_code,
        )

    @classmethod
    def from_decision(cls, decision: RoutingDecision) -> TrivselEligibility:
        return cls(
            person_key=decision.person_key,
            journal_number=decision.journal_number,
            **decision.model_dump(include=DECISION_FACTS),
        )

    # The defaults are for `Opened` (no decision yet); `Recorded` names every field.
    @event(Recorded)
    def __init__(
        self,
        person_key: str,
        journal_number: str,
        decision_id: str | None = None,
        revision: int = 0,
        municipality_code: str = "",
        age_at_incident: int = 0,
        decided_at: datetime | None = None,
    ) -> None:
        self.person_key = person_key
        self.journal_number = journal_number
        self.has_decision = decision_id is not None
        self.decision_ids = [decision_id] if decision_id is not None else []
        self.revision = revision
        self.municipality_code = municipality_code
        self.age_at_incident = age_at_incident
        self.decided_at = decided_at
        self.governing = rank_of(revision, RANK_COORDINATOR)
        self.revoked: dict[str, Any] | None = None

    @property
    def eligible(self) -> bool:
        return self.has_decision and self.revoked is None

    def receive(self, decision: RoutingDecision) -> bool:
        """Record a further coordinator decision; False when it was known already."""
        if decision.decision_id in self.decision_ids:
            return False
        self.revise(**decision.model_dump(include=DECISION_FACTS))
        return True

    @event(DecisionRevised)
    def revise(
        self,
        decision_id: str,
        revision: int,
        municipality_code: str,
        age_at_incident: int,
        decided_at: datetime,
    ) -> None:
        self.decision_ids.append(decision_id)
        # The highest revision governs, whatever order the decisions arrived in.
        if revision >= self.revision:
            self.has_decision = True
            self.revision = revision
            self.municipality_code = municipality_code
            self.age_at_incident = age_at_incident
            self.decided_at = decided_at
        if rank_of(revision, RANK_COORDINATOR) > self.governing:
            self.governing = rank_of(revision, RANK_COORDINATOR)
            self.revoked = None

    def receive_move_to_caseworker(self, decision: RoutingDecision, course_started: bool) -> bool:
        """A handover or a revision to the caseworker route; False when it was known."""
        if decision.decision_id in self.decision_ids:
            return False
        reason = (
            CASE_OPENED_AFTER_ROUTING
            if decision.decision_kind == "handover"
            else REVISED_TO_CASEWORKER
        )
        self.revoke(
            source_id=decision.decision_id,
            decision_id=decision.revises_decision_id or decision.decision_id,
            revision=decision.revision,
            rank=RANK_CASEWORKER,
            reason=reason,
            revoked_at=decision.decided_at,
            course_started=course_started,
        )
        return True

    def receive_withdrawal(self, withdrawal: DecisionWithdrawn, course_started: bool) -> bool:
        """A withdrawn decision; False when this withdrawal was known."""
        if withdrawal.withdrawal_id in self.decision_ids:
            return False
        self.revoke(
            source_id=withdrawal.withdrawal_id,
            decision_id=withdrawal.decision_id,
            revision=withdrawal.revision,
            rank=RANK_WITHDRAWN,
            reason=withdrawal.reason,
            revoked_at=withdrawal.withdrawn_at,
            course_started=course_started,
        )
        return True

    @event(Revoked)
    def revoke(
        self,
        source_id: str,
        decision_id: str,
        revision: int,
        rank: int,
        reason: str,
        revoked_at: datetime,
        course_started: bool,
    ) -> None:
        self.decision_ids.append(source_id)
        # Recorded even when it arrived after a higher-ranked fact (it then governs nothing).
        if rank_of(revision, rank) > self.governing:
            self.governing = rank_of(revision, rank)
            self.revoked = {
                "reason": reason,
                "decision_id": decision_id,
                "revision": revision,
                "revoked_at": revoked_at,
                "course_started": course_started,
            }
