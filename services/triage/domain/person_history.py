"""The police reports about one person (by pseudonym), as triage has routed them (issue 4,
part 3): the history every new decision is seen in the light of.

One report per journal number: a higher revision replaces the report (its role, offence or time
may have changed), and an incident that no longer lists the person is withdrawn. Recording what
was already recorded changes nothing, so re-delivered incidents never count twice. Codes and
dates only: no names, no CPR numbers, no free text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, cast

from eventsourcing.domain import event

from services.triage.domain.erasure import ErasableAggregate
from services.triage.domain.ids import aggregate_id
from services.triage.domain.routing import Report
from shared.contracts import OffenceCode, Role
from shared.eventstore import TracedAggregate
from shared.eventstore.ids import keyed_id


@dataclass(frozen=True)
class HistoryOf:
    """Whose history: the first field of the event that starts one (after the event's own)."""

    person_key: str


class PersonHistory(ErasableAggregate):
    class StartedWithReport(Report, HistoryOf, TracedAggregate.Created):
        """A history started by the person's first report: one stored event for what `Started`
        and `ReportRecorded` record (histories stored before begin with those two, and still
        load)."""

        def apply(self, aggregate: Any) -> None:
            aggregate._put_report(_report_of(self))

    class ReportRecorded(Report, TracedAggregate.Event):
        """Version 2 keeps the person's age at the incident (for the +18 handover); version 1
        events load with none."""

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["age_at_incident"] = None

        def apply(self, aggregate: Any) -> None:
            aggregate._put_report(_report_of(self))

    class ReportWithdrawn(TracedAggregate.Event):
        journal_number: str
        revision: int

    create_id = keyed_id(aggregate_id, "person_key", prefix="history")

    @event("Started")
    def __init__(self, person_key: str) -> None:
        self.person_key = person_key
        self.reports: dict[str, Report] = {}
        # The highest revision seen per journal number, also after a withdrawal, so an older
        # revision delivered late cannot bring a withdrawn report back.
        self.revisions: dict[str, int] = {}

    @classmethod
    def start(
        cls, person_key: str, report: Report, trace_context: Mapping[str, str] | None = None
    ) -> PersonHistory:
        """A new history holding the person's first report: the same as
        `PersonHistory(person_key)` followed by `record(report)`, stored as one event.
        `trace_context`: what `current_trace_context()` gives now, when the caller has it
        already; else the event asks for it."""
        return cls._create(
            cls.StartedWithReport,
            id=cls.create_id(person_key),
            trace_context=trace_context,
            person_key=person_key,
            **asdict(report),
        )

    def record(self, report: Report) -> bool:
        """Record the person's part in a revision; False when that revision or a later one of
        the incident was recorded before."""
        if self.erased or self.revisions.get(report.journal_number, 0) >= report.revision:
            return False
        self.trigger_event(self.ReportRecorded, **asdict(report))
        return True

    def withdraw(self, journal_number: str, revision: int) -> bool:
        """The incident's `revision` no longer lists the person; False when nothing changed."""
        if journal_number not in self.reports or self.revisions[journal_number] >= revision:
            return False
        self.withdraw_report(journal_number=journal_number, revision=revision)
        return True

    def reports_before(self, journal_number: str, occurred_at: datetime) -> list[Report]:
        """Reports of other incidents that happened before `occurred_at`."""
        return [
            report
            for report in self.reports.values()
            if report.journal_number != journal_number and report.occurred_at < occurred_at
        ]

    def forget(self, person_key: str) -> None:
        """Erased (issue 18): no report is kept, and none is recorded any more."""
        self.reports = {}
        self.revisions = {}

    def _put_report(self, report: Report) -> None:
        """What recording a report does to the state (`ReportRecorded`, `StartedWithReport`)."""
        self.reports[report.journal_number] = report
        self.revisions[report.journal_number] = report.revision

    @event(ReportWithdrawn)
    def withdraw_report(self, journal_number: str, revision: int) -> None:
        self.reports.pop(journal_number, None)
        self.revisions[journal_number] = revision


def _report_of(recorded: Any) -> Report:
    """The report a `ReportRecorded` or `StartedWithReport` event records."""
    return Report(
        recorded.journal_number,
        recorded.revision,
        recorded.occurred_at,
        cast(Role, recorded.role),
        cast(OffenceCode, recorded.offence_code),
        recorded.age_at_incident,
    )
