"""Letter tasks, property-based (issue 4, parts 4-5): one person's decisions as triage makes
them (initial, revised, handover, withdrawn, back again) and caseworker assessments, delivered
in any order — the two decision topics and the withdrawals topic are not ordered among
themselves.

- never a second task, never `created` twice;
- the decision that governs in the end is triage's current one, whatever the order;
- a withdrawn person has no open task; an open task has its current decision's owner and
  deadline; a current tovholder decision always has its task.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from services.notifications.domain.letter_task_case import LetterTaskCase
from services.notifications.domain.letters import CLOSED
from shared.contracts import CaseworkerAssessment, DecisionWithdrawn, RoutingDecision
from tests.unit.notifications.factories import (
    DEADLINES,
    JOURNAL,
    START,
    assessment_doc,
    decision_doc,
    withdrawal_doc,
)

Message = RoutingDecision | DecisionWithdrawn | CaseworkerAssessment


@dataclass
class Triage:
    """Makes one person's decisions as triage would: each names the one it replaces."""

    revision: int = 1
    current: RoutingDecision | None = None
    messages: list[Message] = field(default_factory=list)

    def decide(self, route: str, age: int, hours: int, kind: str = "initial") -> None:
        n = len(self.messages)
        decision = RoutingDecision.model_validate(
            decision_doc(
                route=route,
                age=age,
                revision=self.revision,
                decision_id=f"d{n}",
                decision_kind=kind,
                revises_decision_id=self.current.decision_id if self.current else None,
                owner_role=route,
                owner_team=f"team-{n}",
                due_at=(START + timedelta(hours=hours)).isoformat(),
            )
        )
        self.current = decision
        self.messages.append(decision)

    def apply(self, op: tuple[str, str, int, int]) -> None:
        what, route, age, hours = op
        if what == "revise" and self.current is not None:
            self.revision += 1
            self.decide(route, age, hours, "revised")
        elif what == "handover" and self.current is not None and self.current.route == "tovholder":
            self.decide("caseworker", self.current.age_at_incident, hours, "handover")
        elif what == "withdraw" and self.current is not None:
            self.revision += 1
            self.messages.append(
                DecisionWithdrawn.model_validate(
                    withdrawal_doc(
                        revision=self.revision,
                        withdrawal_id=f"w{len(self.messages)}",
                        decision_id=self.current.decision_id,
                    )
                )
            )
            self.current = None
        elif what == "back" and self.current is None:
            self.revision += 1
            self.decide(route, age, hours)
        elif what == "assess":
            at = (START + timedelta(minutes=len(self.messages))).isoformat()
            outcome = "summon" if hours % 2 else "inform"
            self.messages.append(
                CaseworkerAssessment.model_validate(assessment_doc(outcome=outcome, at=at))
            )


ops = st.lists(
    st.tuples(
        st.sampled_from(["revise", "handover", "withdraw", "back", "assess"]),
        st.sampled_from(["tovholder", "caseworker"]),
        st.integers(13, 19),
        st.integers(24, 240),
    ),
    max_size=8,
)


@st.composite
def deliveries(draw: Any) -> tuple[Triage, list[Message]]:
    triage = Triage()
    triage.decide(draw(st.sampled_from(["tovholder", "caseworker"])), 14, 72)
    for op in draw(ops):
        triage.apply(op)
    return triage, draw(st.permutations(triage.messages))


@settings(max_examples=300, deadline=None)
@given(delivery=deliveries())
def test_one_task_that_follows_the_current_decision_in_any_order(
    delivery: tuple[Triage, list[Message]],
) -> None:
    triage, messages = delivery
    case = LetterTaskCase(JOURNAL, "pk_a")
    for n, message in enumerate(messages):
        now = START + timedelta(minutes=n)
        if isinstance(message, RoutingDecision):
            case.receive_decision(message, now, DEADLINES)
        elif isinstance(message, DecisionWithdrawn):
            case.receive_withdrawal(message, now)
        else:
            case.receive_assessment(message, now, DEADLINES)
    letters = [e.letter for e in case.collect_events() if isinstance(e, LetterTaskCase.TaskChanged)]
    assert [letter["event"] for letter in letters].count("created") <= 1
    assert len({letter["task_id"] for letter in letters}) <= 1
    current = triage.current
    if current is None:
        assert case.withdrawn
        assert case.letter is None or case.status in CLOSED
        return
    assert case.decision is not None and case.decision.decision_id == current.decision_id
    assert not case.withdrawn
    if case.letter is not None and case.status not in CLOSED:
        assert (case.letter.owner_role, case.letter.owner_team) == (
            current.owner_role,
            current.owner_team,
        )
        assert case.letter.due_at == current.due_at
    if current.route == "tovholder":
        assert case.letter is not None
