"""Every open rejection, and closing those a valid incident replaces.

`RejectionIndex`: every open rejection, in memory, followed from the application's
notification log (shared/eventstore/followed_log.py, like notifications' task index).

It answers the list of open rejections (`GET /v1/rejected`) and tells the acceptance which
kept rejections a valid incident replaces. It holds codes, never the input: the original
stays in the encrypted store. Memory: one small record per open rejection.
"""

from __future__ import annotations

import base64
import logging
from typing import Any
from uuid import UUID
from weakref import WeakKeyDictionary

from eventsourcing.utils import get_topic

from services.intake.domain.model import RejectedInput
from services.intake.domain.rejections import (
    SUBMITTED_AGAIN,
    CorrectionMatch,
    RejectionSummary,
    summarise,
)
from shared.contracts import PoliceIncident
from shared.eventstore import ServiceApplication, UnitOfWork
from shared.eventstore.followed_log import FollowedLog

log = logging.getLogger(__name__)

CASE_REGISTER_INPUT = "case_register_input"
"""Key in a kept rejection: the input came from the case register."""
CONCERN_INPUT = "concern_input"
"""Key in a kept rejection: the input was a concern (a child's welfare: not for the police)."""

_CORRECTED: Any = getattr(RejectedInput, "Corrected")  # noqa: B009 (made by @event)
REJECTION_EVENT_TOPICS = (get_topic(RejectedInput.Recorded), get_topic(_CORRECTED))


def summary_of(rejected: RejectedInput | RejectedInput.Recorded) -> RejectionSummary:
    """The summary of a kept rejection: from its aggregate (one recorded in this unit of work)
    or from the event that recorded it (both hold the same fields)."""
    return summarise(
        rejected.reference,
        rejected.channel,
        rejected.received_at,
        base64.b64decode(rejected.original_b64),
        rejected.rejection,
        bool(rejected.rejection.get(CASE_REGISTER_INPUT, False)),
        bool(rejected.rejection.get(CONCERN_INPUT, False)),
    )


class RejectionIndex(FollowedLog):
    def __init__(self, app: ServiceApplication, batch_size: int = 1000) -> None:
        super().__init__(app, batch_size, REJECTION_EVENT_TOPICS)
        self._open: dict[str, RejectionSummary] = {}
        self._by_journal: dict[str, set[str]] = {}

    def apply(self, event: Any) -> None:
        if isinstance(event, RejectedInput.Recorded):
            self._add(summary_of(event))
        else:
            self._close(str(event.originator_id))

    def _add(self, summary: RejectionSummary) -> None:
        self._open[summary.reference] = summary
        if summary.journal_number is not None:
            self._by_journal.setdefault(summary.journal_number, set()).add(summary.reference)

    def _close(self, reference: str) -> None:
        summary = self._open.pop(reference, None)
        if summary is not None and summary.journal_number is not None:
            references = self._by_journal.get(summary.journal_number, set())
            references.discard(reference)
            if not references:
                self._by_journal.pop(summary.journal_number, None)

    def open_rejections(self) -> list[RejectionSummary]:
        """Every open rejection, the most recently received first."""
        return sorted(self._open.values(), key=lambda r: (r.received_at, r.reference), reverse=True)

    def replaced_by(
        self, match: CorrectionMatch, journal_number: str, revision: int, source: str
    ) -> list[str]:
        """The references of the open rejections the valid incident replaces."""
        return sorted(
            reference
            for reference in self._by_journal.get(journal_number, ())
            if self._open[reference].replaced_by(match, journal_number, revision, source)
        )


class OpenRejections:
    """The index and the deployment's matching rule (`INTAKE_CORRECTION_MATCH`), for the
    acceptance: which kept rejections a valid incident replaces, and closing them in its
    unit of work. Catch up (`catch_up`) when a unit of work begins."""

    def __init__(self, app: ServiceApplication, match: CorrectionMatch) -> None:
        self.index = RejectionIndex(app)
        self.match = match
        # Rejections recorded in a unit of work not yet committed, by journal number: a
        # correction in the same Kafka batch or police list closes them too.
        self._recorded_in: WeakKeyDictionary[UnitOfWork, dict[str, list[RejectedInput]]] = (
            WeakKeyDictionary()
        )

    def catch_up(self) -> None:
        self.index.catch_up()

    def listed(self) -> list[RejectionSummary]:
        self.index.catch_up()
        return self.index.open_rejections()

    def recorded(self, uow: UnitOfWork, rejected: RejectedInput, journal_number: str) -> None:
        """A rejection with a readable journal number was recorded in `uow`."""
        pending = self._recorded_in.setdefault(uow, {})
        pending.setdefault(journal_number, []).append(rejected)

    def replaced(self, incident: PoliceIncident) -> list[UUID]:
        """The ids of the stored open rejections the valid incident replaces (to prefetch)."""
        references = self.index.replaced_by(
            self.match, incident.journal_number, incident.revision, incident.source
        )
        return [UUID(reference) for reference in references]

    def close_replaced(self, uow: UnitOfWork, incident: PoliceIncident) -> None:
        """Close the open rejections this valid incident replaces (domain/rejections.py):
        those stored and those recorded in this unit of work."""
        if self.match is CorrectionMatch.RESUBMISSION_ONLY:
            return
        key = (self.match, incident.journal_number, incident.revision, incident.source)
        stored = [uow.get(RejectedInput, aggregate_id) for aggregate_id in self.replaced(incident)]
        recorded_now = self._recorded_in.get(uow, {}).get(incident.journal_number, [])
        for rejected in [*stored, *(r for r in recorded_now if summary_of(r).replaced_by(*key))]:
            if rejected is not None and rejected.corrected_by is None:
                rejected.mark_corrected(
                    journal_number=incident.journal_number,
                    revision=incident.revision,
                    how=SUBMITTED_AGAIN,
                )
                log.info(
                    "intake: rejection %s closed by %s revision %d",
                    rejected.reference,
                    incident.journal_number,
                    incident.revision,
                )
