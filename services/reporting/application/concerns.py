"""The concerns about a young person that do not come from the police (issue 15, part 5), in
reporting: recorded as observed (`PersonConcern`, rebuildable like every step), projected into
the person's history (`reporting_person_concerns`), and read back scoped to the caller.

`concern_row` is the projection of one observed concern to its row in the person's history: a
pure function, for any read model of a person's history that shows concerns beside reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.reporting.adapters.views.reader import ViewReader
from services.reporting.adapters.views.writer import ViewWriter
from services.reporting.application.access_policy import ReportingAction
from services.reporting.domain.handover import utc_text
from services.reporting.domain.model import PersonConcern
from shared.auth import Principal, Resource, Visibility
from shared.contracts import ConcernRegistered
from shared.eventstore import UnitOfWork


@dataclass(frozen=True)
class SeenConcern:
    """A concern as received: the contract, who published it, the trace it belongs to."""

    concern: ConcernRegistered
    service: str
    trace_id: str | None


def record_concern(uow: UnitOfWork, seen: SeenConcern, observed_at: datetime) -> bool:
    """Record the concern unless it was observed before; True when it was recorded."""
    concern = seen.concern
    if uow.get(PersonConcern, PersonConcern.id_of(concern.concern_id)) is not None:
        return False
    document = concern.model_dump(mode="json")
    uow.add(PersonConcern(document, seen.service, seen.trace_id, observed_at))
    return True


def concern_row(event: PersonConcern.Recorded) -> dict[str, Any]:
    """The row of the person's history a recorded concern becomes."""
    concern = event.concern
    registered_at = datetime.fromisoformat(concern["registered_at"])
    return {
        "concern_id": concern["concern_id"],
        "person_key": concern["person_key"],
        "municipality_code": concern["municipality_code"],
        "school": concern.get("school"),
        "category": concern["category"],
        "reporter_kind": concern["reporter_kind"],
        "registered_at": concern["registered_at"],
        "registered_at_utc": utc_text(registered_at),
        "iso_week": concern["iso_week"],
    }


def apply_concern(views: ViewWriter, event: PersonConcern.Recorded) -> None:
    views.put_concern(concern_row(event))


def concerns_for(reader: ViewReader, principal: Principal, person_key: str) -> list[dict[str, Any]]:
    """The person's concerns the caller may see: those registered in their municipalities."""
    visibility = Visibility(principal, ReportingAction.READ_PERSON_CONCERNS)
    return [
        {name: value for name, value in row.items() if name != "registered_at_utc"}
        for row in reader.concerns_of(person_key)
        if visibility.sees(Resource.of(row["municipality_code"]))
    ]
