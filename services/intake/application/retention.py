"""The daily retention job (issue 18, part 2): erase every person whose deadline passed.

A person's deadline runs from their last police report, case-register event or concern (a later one
starts it afresh) for the years their municipalities' rules give (domain/retention.py). A
person past it is erased exactly as `ssp erase` does (application/erasure.py, reason
`retention_deadline`): their data key destroyed, `PersonErased` published, every service
forgetting them. It counts in `ssp erasure-report` like any erasure.

`RetentionJob` is a step of intake's daily job (shared/eventstore/daily_job.py): once per UTC
day across restarts and replicas (a `DailyRun` marker per day in intake's store), one replica
at a time (the service's "retention" lock, shared/messaging/leader.py); should two still
overlap, the second erasure of a person is a no-op and only one marker is stored.

Rejected input: `INTAKE_RETENTION_REJECTED_INPUT_DAYS` (a municipality's own
`rejected_input_days` in `INTAKE_RETENTION_BY_MUNICIPALITY`; naming several, the longest)
after it was closed (corrected or resubmitted; the time the closing was stored), the
rejection's own key (`rejection:<reference>`) is destroyed, reason `case_closed`, kind
`rejected_input`. Its original and every person's part are sealed under that key too
(application/sealed_data.py), so all of it becomes unreadable while the persons it names stay
(their identities and incidents are not touched). Rejected input sealed for its persons only
(before the rejection's own key was added) goes with those persons; rejected input stored
before issue 18 is under the store key only and is not touched.

`RetentionLog` keeps each person's last report time and each closable rejection in memory
(one entry a person or such rejection), read once from the store's notification log and then
only what is new."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from eventsourcing.utils import get_topic

from services.intake.application.app import IntakeApplication
from services.intake.application.erasure import Eraser, municipalities_of
from services.intake.application.identities import IdentityIds
from services.intake.application.open_rejections import REJECTION_EVENT_TOPICS
from services.intake.application.sealed_data import municipalities_in, rejection_owner
from services.intake.domain.concerns import ConcernRecord
from services.intake.domain.model import CaseRegisterEntry, IncidentRecord, RejectedInput
from services.intake.domain.retention import RetentionRules, years_after
from shared.eventstore import UnitOfWork
from shared.eventstore.daily_job import DailyJob
from shared.eventstore.followed_log import FollowedLog

log = logging.getLogger(__name__)
NAME = "intake"
PERSONS = "person"
REJECTED_INPUT = "rejected_input"

_REPORT_TOPICS = (
    get_topic(IncidentRecord.Received),
    get_topic(IncidentRecord.RevisionAccepted),
    get_topic(CaseRegisterEntry.Received),
    get_topic(ConcernRecord.Registered),
)


def _moment(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class RetentionLog(FollowedLog):
    """Each person's last police report or case-register event (its time as intake
    accepted it; a case event: when it happened), and the rejections naming no one (when
    they were closed, once they are)."""

    def __init__(self, app: IntakeApplication) -> None:
        super().__init__(app, topics=(*_REPORT_TOPICS, *REJECTION_EVENT_TOPICS))
        self.sealer = app.sealer
        self.last: dict[str, datetime] = {}
        self.own_key_rejections: dict[Any, tuple[str, frozenset[str]]] = {}
        """Rejections sealed under a key of their own: aggregate id → reference and the
        municipalities they name (read once, when recorded)."""
        self.closed: dict[str, tuple[datetime, frozenset[str]]] = {}
        """Of those, the closed ones: reference → when the closing was stored, and the
        municipalities."""

    def apply(self, event: Any) -> None:
        if isinstance(event, RejectedInput.Event):
            self._rejection(event)
        elif isinstance(event, CaseRegisterEntry.Received):
            self._seen(event.pseudonymised.get("person_key"), _moment(event.at))
            return
        elif isinstance(event, ConcernRecord.Registered):
            # A concern keeps its young person as a report does (its text goes with them):
            # without this a person known only from a concern would never be erased.
            self._seen(
                event.registered.get("person_key"), _moment(event.registered.get("accepted_at"))
            )
            return
        accepted: dict[str, Any] = getattr(event, "accepted", None) or {}
        at = _moment(accepted.get("accepted_at"))
        for person in accepted.get("persons") or []:
            self._seen(person.get("person_key") if isinstance(person, dict) else None, at)

    def _rejection(self, event: Any) -> None:
        if isinstance(event, RejectedInput.SealedRecorded):
            owners = (event.sealed_original or {}).get("owners") or []
            if rejection_owner(event.reference) in owners:
                codes = municipalities_in(event, self.sealer)
                self.own_key_rejections[event.originator_id] = (event.reference, codes)
        elif event.originator_id in self.own_key_rejections:  # Corrected, ConcernCorrected
            reference, codes = self.own_key_rejections.pop(event.originator_id)
            self.closed[reference] = (event.timestamp, codes)

    def _seen(self, person_key: Any, at: datetime | None) -> None:
        if not isinstance(person_key, str) or at is None:
            return
        earlier = self.last.get(person_key)
        if earlier is None or at > earlier:
            self.last[person_key] = at


@dataclass(frozen=True)
class RetentionOutcome:
    day: str
    ran: bool
    """False: the job had already run that day (nothing was done)."""
    persons_erased: int = 0
    rejections_erased: int = 0


class RetentionJob:
    """Intake's retention rules as a daily step (`__call__`); `run_once` runs them as the
    daily job would (tests)."""

    def __init__(
        self, eraser: Eraser, rules: RetentionRules, clock: Callable[[], datetime]
    ) -> None:
        self.app: IntakeApplication = eraser.app
        self.eraser = eraser
        self.rules = rules
        self.clock = clock
        self.reports = RetentionLog(self.app)

    def run_once(self) -> RetentionOutcome:
        """Apply the rules unless the daily job ran today (in the store's thread)."""
        outcome = DailyJob(self.app, NAME, [self], self.clock).run_once()
        return RetentionOutcome(
            outcome.day,
            outcome.ran,
            outcome.counts.get(PERSONS, 0),
            outcome.counts.get(REJECTED_INPUT, 0),
        )

    def __call__(self, now: datetime) -> dict[str, int]:
        """Erase every person and closed rejection past its deadline at `now` (counts)."""
        self.reports.catch_up()
        erased = 0
        for person_key in self.due(now):
            if not self.eraser.erase(person_key, "retention_deadline").already:
                erased += 1
            self.reports.last.pop(person_key, None)
        shredded = 0
        for reference in self.rejections_due(now):
            shredded += self.eraser.shred_rejection(reference, "case_closed")
            del self.reports.closed[reference]
        return {PERSONS: erased, REJECTED_INPUT: shredded}

    def rejections_due(self, now: datetime) -> list[str]:
        return sorted(
            reference
            for reference, (closed_at, codes) in self.reports.closed.items()
            if self.rules.rejection_is_due(closed_at, now, codes)
        )

    def due(self, now: datetime) -> list[str]:
        """The persons past their deadline and not yet erased."""
        erased = self.app.keyring.erased_owners()
        shortest = self.rules.shortest_years()
        uow = UnitOfWork(self.app)
        return sorted(
            person_key
            for person_key, last in self.reports.last.items()
            if person_key not in erased
            and years_after(last, shortest) <= now  # else no identity needs loading
            and self.rules.is_due(last, municipalities_of(uow, IdentityIds.of(person_key)), now)
        )
