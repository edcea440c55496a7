"""Every open rejection, and closing those a valid incident replaces.

`RejectionIndex`: every open rejection, in memory, followed from the application's
notification log (shared/eventstore/followed_log.py, like notifications' task index).

It answers the list of open rejections (`GET /v1/rejected`) and tells the acceptance which
kept rejections a valid incident replaces. It holds codes, never the input: the original
stays in the encrypted store. Memory: one small record per open rejection.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID
from weakref import WeakKeyDictionary

from eventsourcing.utils import get_topic

from services.intake.application.app import IntakeApplication
from services.intake.application.sealed_data import original_of
from services.intake.domain.model import RejectedInput
from services.intake.domain.rejections import (
    SUBMITTED_AGAIN,
    CorrectionMatch,
    RejectionSummary,
    summarise,
)
from shared.contracts import Concern, PoliceIncident
from shared.eventstore import UnitOfWork
from shared.eventstore.followed_log import FollowedLog
from shared.keys.sealing import PersonSealer

log = logging.getLogger(__name__)

CASE_REGISTER_INPUT = "case_register_input"
"""Key in a kept rejection: the input came from the case register."""
CONCERN_INPUT = "concern_input"
"""Key in a kept rejection: the input was a concern (a child's welfare: not for the police)."""

_CORRECTED: Any = getattr(RejectedInput, "Corrected")  # noqa: B009 (made by @event)
_CONCERN_CORRECTED: Any = getattr(RejectedInput, "ConcernCorrected")  # noqa: B009
REJECTION_EVENT_TOPICS = (
    get_topic(RejectedInput.Recorded),
    get_topic(RejectedInput.SealedRecorded),
    get_topic(_CORRECTED),
    get_topic(_CONCERN_CORRECTED),
)
MatchKey = tuple[str, str]
"""What a later valid input is matched on: `("journal", number)` or `("concern", id)`."""


def match_key(summary: RejectionSummary) -> MatchKey | None:
    if summary.concern_id is not None:
        return ("concern", summary.concern_id)
    if summary.journal_number is not None:
        return ("journal", summary.journal_number)
    return None


def summary_of(
    rejected: RejectedInput | RejectedInput.Recorded | RejectedInput.SealedRecorded,
    sealer: PersonSealer,
) -> RejectionSummary:
    """The summary of a kept rejection: from its aggregate (one recorded in this unit of work)
    or from the event that recorded it (both hold the same fields). Its original is opened
    with the keys of the persons it names (issue 18): once one is erased, what is left."""
    return summarise(
        rejected.reference,
        rejected.channel,
        rejected.received_at,
        original_of(rejected, sealer),
        rejected.rejection,
        bool(rejected.rejection.get(CASE_REGISTER_INPUT, False)),
        bool(rejected.rejection.get(CONCERN_INPUT, False)),
    )


class RejectionIndex(FollowedLog):
    @property
    def sealer(self) -> PersonSealer:
        return self.intake.sealer

    def __init__(self, app: IntakeApplication, batch_size: int = 1000) -> None:
        super().__init__(app, batch_size, REJECTION_EVENT_TOPICS)
        self.intake = app
        self._open: dict[str, RejectionSummary] = {}
        self._by_key: dict[MatchKey, set[str]] = {}

    def apply(self, event: Any) -> None:
        if isinstance(event, RejectedInput.Recorded | RejectedInput.SealedRecorded):
            self._add(summary_of(event, self.sealer))
        else:
            self._close(str(event.originator_id))

    def _add(self, summary: RejectionSummary) -> None:
        self._open[summary.reference] = summary
        key = match_key(summary)
        if key is not None:
            self._by_key.setdefault(key, set()).add(summary.reference)

    def _close(self, reference: str) -> None:
        summary = self._open.pop(reference, None)
        key = None if summary is None else match_key(summary)
        if key is not None:
            references = self._by_key.get(key, set())
            references.discard(reference)
            if not references:
                self._by_key.pop(key, None)

    def open_rejections(self) -> list[RejectionSummary]:
        """Every open rejection, the most recently received first."""
        return sorted(self._open.values(), key=lambda r: (r.received_at, r.reference), reverse=True)

    def replaced_by(
        self, match: CorrectionMatch, journal_number: str, revision: int, source: str
    ) -> list[str]:
        """The references of the open rejections the valid incident replaces."""
        return sorted(
            reference
            for reference in self._by_key.get(("journal", journal_number), ())
            if self._open[reference].replaced_by(match, journal_number, revision, source)
        )

    def replaced_by_concern(
        self, match: CorrectionMatch, concern_id: str, municipality_code: str
    ) -> list[str]:
        """The references of the open rejections the valid concern replaces."""
        return sorted(
            reference
            for reference in self._by_key.get(("concern", concern_id), ())
            if self._open[reference].replaced_by_concern(match, concern_id, municipality_code)
        )


class OpenRejections:
    """The index and the deployment's matching rule (`INTAKE_CORRECTION_MATCH`), for the
    acceptance: which kept rejections a valid incident replaces, and closing them in its
    unit of work. Catch up (`catch_up`) when a unit of work begins."""

    def __init__(self, app: IntakeApplication, match: CorrectionMatch) -> None:
        self.index = RejectionIndex(app)
        self.match = match
        # Rejections recorded in a unit of work not yet committed, by what they are matched
        # on: a correction in the same Kafka batch or police list closes them too.
        self._recorded_in: WeakKeyDictionary[UnitOfWork, dict[MatchKey, list[RejectedInput]]] = (
            WeakKeyDictionary()
        )

    def catch_up(self) -> None:
        self.index.catch_up()

    def listed(self) -> list[RejectionSummary]:
        self.index.catch_up()
        return self.index.open_rejections()

    def recorded(self, uow: UnitOfWork, rejected: RejectedInput) -> None:
        """A rejection was recorded in `uow` (kept when it has something to match on)."""
        key = match_key(summary_of(rejected, self.index.sealer))
        if key is not None:
            pending = self._recorded_in.setdefault(uow, {})
            pending.setdefault(key, []).append(rejected)

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
        for rejected in self._replaced_in(
            uow,
            self.replaced(incident),
            ("journal", incident.journal_number),
            lambda summary: summary.replaced_by(*key),
        ):
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

    def replaced_concern(self, concern: Concern) -> list[UUID]:
        """The ids of the stored open rejections the valid concern replaces (to prefetch)."""
        references = self.index.replaced_by_concern(
            self.match, concern.concern_id, concern.municipality_code
        )
        return [UUID(reference) for reference in references]

    def close_replaced_concern(self, uow: UnitOfWork, concern: Concern) -> None:
        """Close the open rejections this valid concern replaces (domain/rejections.py)."""
        if self.match is CorrectionMatch.RESUBMISSION_ONLY:
            return
        key = (self.match, concern.concern_id, concern.municipality_code)
        for rejected in self._replaced_in(
            uow,
            self.replaced_concern(concern),
            ("concern", concern.concern_id),
            lambda summary: summary.replaced_by_concern(*key),
        ):
            rejected.mark_concern_corrected(concern_id=concern.concern_id, how=SUBMITTED_AGAIN)
            log.info("intake: rejection %s closed by a concern", rejected.reference)

    def _replaced_in(
        self,
        uow: UnitOfWork,
        stored_ids: list[UUID],
        key: MatchKey,
        replaces: Callable[[RejectionSummary], bool],
    ) -> Iterator[RejectedInput]:
        """The open rejections replaced: those stored (`stored_ids`, from the index) and
        those recorded in this unit of work under `key` that `replaces` accepts."""
        stored = [uow.get(RejectedInput, aggregate_id) for aggregate_id in stored_ids]
        recorded_now = self._recorded_in.get(uow, {}).get(key, [])
        sealer = self.index.sealer
        now = [r for r in recorded_now if replaces(summary_of(r, sealer))]
        for rejected in [*stored, *now]:
            if rejected is not None and rejected.is_open:
                yield rejected
