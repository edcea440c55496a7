"""That a person was erased, recorded on each triage aggregate that holds something about them
(issue 18, part 3).

When intake erases a person (`PersonErased`), triage records on every aggregate of theirs it can
find an `ErasableAggregate.PersonErased` event: the pseudonym and the erasure's id, nothing
else. Applying it forgets the person in the aggregate's state (`forget`), so whatever reads the
aggregate, now or rebuilt from its events later, no longer sees them: the history, the
incident's decisions, the exit referral, the meeting's items, actions and notes, the PSP/KSP
handover list. Aggregates about one person forget everything; aggregates shared by several
forget that person's entries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.eventstore import TracedAggregate


@dataclass(frozen=True)
class ErasureOf:
    """Whom an erasure was about, and which erasure (its id on `PersonErased`)."""

    person_key: str
    erasure_id: str


class ErasableAggregate(TracedAggregate):
    """An aggregate that can forget a person. Subclasses say what forgetting them changes."""

    # The persons this aggregate has forgotten (an instance's own once one is). Not annotated:
    # an annotated class attribute would be taken for an argument of the created event.
    erased = frozenset[str]()

    class PersonErased(ErasureOf, TracedAggregate.Event):
        def apply(self, aggregate: Any) -> None:
            aggregate.erased = aggregate.erased | {self.person_key}
            aggregate.forget(self.person_key)

    def forget(self, person_key: str) -> None:
        raise NotImplementedError

    def mentions(self, person_key: str) -> bool:
        """Whether the aggregate holds anything about the person (else nothing is recorded)."""
        return True

    def erase(self, person_key: str, erasure_id: str) -> bool:
        """Record that the person was erased; False when it was recorded before, or the
        aggregate holds nothing about them."""
        if person_key in self.erased or not self.mentions(person_key):
            return False
        self.trigger_event(self.PersonErased, person_key=person_key, erasure_id=erasure_id)
        return True
