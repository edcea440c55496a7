"""The letter a task case publishes: the `created` letter a decision and an assessment call
for, and the letter document a task event stores (and the relay publishes)."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any

from services.notifications.domain.case_state import GoverningDecision, RecordedDecision
from services.notifications.domain.letters import Deadlines, letter_kind, owner_role
from services.notifications.domain.recipients import YOUTH_LETTER_AGE, recipients_for_age
from shared.contracts import AssessmentOutcome, LetterTaskEvent, RoutingDecision
from shared.contracts.decisions import LetterPlan
from shared.contracts.letter_kinds import LetterKind, Recipient

_KEPT_OF_DECISION = {field.name for field in fields(RecordedDecision)} - {"letters"}


def stored(letter: LetterTaskEvent) -> dict[str, Any]:
    """The letter as a task event stores (and the relay publishes) it."""
    return letter.model_dump(mode="json")


def letter_of(document: dict[str, Any]) -> LetterTaskEvent:
    """A stored letter document as the task's letter."""
    return LetterTaskEvent.model_validate(document)


def new_letter(
    task_id: str,
    journal_number: str,
    person_key: str,
    decision: GoverningDecision,
    outcome: AssessmentOutcome | None,
    now: datetime,
    deadlines: Deadlines,
) -> LetterTaskEvent | None:
    """The `created` task the governing decision and the assessment (if any) call for; None
    while they call for none (a caseworker route without an assessment)."""
    plan = planned_letter(decision, outcome)
    kind = plan.kind if plan is not None else letter_kind(decision.route, outcome)
    if kind is None:
        return None
    return LetterTaskEvent(
        task_id=task_id,
        event="created",
        journal_number=journal_number,
        person_key=person_key,
        municipality_code=decision.municipality_code,
        kind=kind,
        recipients=list(plan.recipients) if plan is not None else recipients_of(decision, kind),
        owner_role=decision.owner_role or owner_role(decision.route),
        owner_team=decision.owner_team,
        # The decision's deadline runs from the police registration (the service level);
        # only decisions without one get the settings' deadline from task creation.
        due_at=decision.due_at or deadlines.due_at(owner_role(decision.route), now),
        at=now,
    )


def decision_fields(decision: RoutingDecision) -> dict[str, Any]:
    """What a recorded decision keeps of a `RoutingDecision`: the fields `RecordedDecision`
    names, its letter plans as JSON data."""
    return decision.model_dump(include=_KEPT_OF_DECISION) | {
        "letters": (
            [plan.model_dump(mode="json") for plan in decision.letters]
            if decision.letters is not None
            else None
        )
    }


def planned_letter(
    decision: GoverningDecision, outcome: AssessmentOutcome | None
) -> LetterPlan | None:
    """The letter triage planned for this outcome (None: the tovholder's letter at once);
    None when the decision carries no plans (made before them) or the outcome has none."""
    if decision.letters is None:
        return None
    if decision.route != "tovholder" and outcome is None:
        return None
    wanted = None if decision.route == "tovholder" else outcome
    return next((plan for plan in decision.letters if plan.assessment == wanted), None)


def recipients_of(decision: GoverningDecision, kind: LetterKind) -> list[Recipient]:
    """Who receives a letter of this kind under the decision: the plan of that kind when the
    decision has plans, else by `youth_letter_age` (decisions made before plans)."""
    for plan in decision.letters or ():
        if plan.kind == kind:
            return list(plan.recipients)
    youth_letter_age = decision.youth_letter_age
    return recipients_for_age(
        decision.age_at_incident,
        youth_letter_age if youth_letter_age is not None else YOUTH_LETTER_AGE,
    )
