"""That a person was erased (issue 18, part 3): the record intake publishes as `PersonErased`.

It says who (the pseudonym), where, when and why, never what was erased; one per person."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import event

from shared.eventstore import TracedAggregate
from shared.eventstore.ids import IdSpace

_IDS = IdSpace("urn:ssp:intake:erasures")


class PersonErasure(TracedAggregate):
    class Recorded(TracedAggregate.Created):
        erasure_id: str
        person_key: str
        municipality_code: str | None
        reason: str
        erased_at: datetime

    @staticmethod
    def create_id(person_key: str) -> UUID:
        return _IDS(person_key)

    @event(Recorded)
    def __init__(
        self,
        erasure_id: str,
        person_key: str,
        municipality_code: str | None,
        reason: str,
        erased_at: datetime,
    ) -> None:
        self.erasure_id = erasure_id
        self.person_key = person_key
        self.municipality_code = municipality_code
        self.reason = reason
        self.erased_at = erased_at
