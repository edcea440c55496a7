"""A job that runs at most once per UTC day per service, across restarts and replicas.

Usage (a service's retention rules, issue 18):

    class CourseRetention:
        def __call__(self, now: datetime) -> dict[str, int]:
            ...  # erase what passed its deadline at `now`; return counts by data kind
            return {"courses": erased}

    # in the service's bootstrap (shared/service_parts.py):
    service_with_parts(..., daily=[lambda parts: parts.retention], clock=clock)
    # or, building a ServiceDefinition directly:
    ServiceDefinition(..., daily_steps=[lambda ctx: CourseRetention(ctx.app)])

The runtime (shared/runtime.py) then builds one `DailyJob` per service from those steps and
runs it in the store's thread every `SSP_DAILY_JOB_CHECK_INTERVAL_S` (default an hour) while it
holds the service's "retention" lock (`service_lock`, shared/messaging/leader.py: a PostgreSQL
advisory lock, or a file lock beside the SQLite store), so one replica at a time.

Once a day: after its steps ran, the job stores a `DailyRun` marker whose id is the service's,
the job's and the day's (UTC). A second run that day, after a restart or in another replica,
finds the marker and does nothing. Should two runs still overlap (a lost lock), the second
marker fails to store (IntegrityError, logged) and the steps ran twice: steps must therefore
be idempotent (erasing what is already erased is a no-op), which erasure is anyway.

A step gets the job's `now` (the injectable clock: tests drive days by setting it) and returns
counts only (by data kind, e.g. {"dead_letter": 2}): they are logged and kept in the marker,
never what was erased. Tests call `DailyJob(app, "courses", [step], clock).run_once()`
directly, on the in-memory, SQLite or PostgreSQL store.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field
from datetime import UTC, datetime

from eventsourcing.domain import event
from eventsourcing.persistence import IntegrityError

from shared.clock import Clock, utc_now
from shared.eventstore.aggregate import TracedAggregate
from shared.eventstore.application import ServiceApplication
from shared.eventstore.ids import IdSpace, keyed_id
from shared.eventstore.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

_IDS = IdSpace("urn:ssp:daily-jobs")

DailyStep = Callable[[datetime], Mapping[str, int]]
"""One part of a daily job: does its work as of `now`, returns counts by kind (no names)."""


def utc_day(moment: datetime) -> str:
    """The UTC day of `moment`, YYYY-MM-DD (a naive moment is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).date().isoformat()


class DailyRun(TracedAggregate):
    """That `job` of `service` ran on `day` (UTC), and what it counted. One per (service,
    job, day): its id is theirs, so a second run that day finds it or fails to store its own."""

    class Recorded(TracedAggregate.Created):
        service: str
        job: str
        day: str
        counts: dict[str, int]

    create_id = keyed_id(_IDS, "service", "job", "day")

    @event(Recorded)
    def __init__(self, service: str, job: str, day: str, counts: dict[str, int]) -> None:
        self.service = service
        self.job = job
        self.day = day
        self.counts = counts


@dataclass(frozen=True)
class DailyOutcome:
    day: str
    ran: bool
    """False: the job had already run that day (nothing was done)."""
    counts: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DailyJob:
    """Runs `steps` at most once per UTC day (call `run_once` in the store's thread)."""

    app: ServiceApplication
    service: str
    steps: Sequence[DailyStep]
    clock: Clock = utc_now
    _: KW_ONLY
    job: str = "retention"

    def has_run(self, day: str) -> bool:
        marker = DailyRun.create_id(self.service, self.job, day)
        return UnitOfWork(self.app).get(DailyRun, marker) is not None

    def run_once(self) -> DailyOutcome:
        now = self.clock()
        day = utc_day(now)
        if self.has_run(day):
            return DailyOutcome(day, ran=False)
        counts: dict[str, int] = {}
        for step in self.steps:
            for kind, count in step(now).items():
                counts[kind] = counts.get(kind, 0) + count
        uow = UnitOfWork(self.app)
        uow.add(DailyRun(service=self.service, job=self.job, day=day, counts=counts))
        try:
            uow.commit()
        except IntegrityError:
            log.info("%s: %s job for %s was recorded by another replica", *self._what(day))
        log.info(
            "%s: %s job for %s done: %s",
            *self._what(day),
            ", ".join(f"{kind}={count}" for kind, count in sorted(counts.items())) or "nothing",
        )
        return DailyOutcome(day, ran=True, counts=counts)

    def _what(self, day: str) -> tuple[str, str, str]:
        return self.service, self.job, day
