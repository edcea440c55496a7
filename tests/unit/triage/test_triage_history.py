"""The child's history (issue 4, part 3): the per-person aggregate, the summary and repeat rule,
and the history on decisions made through the service's store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.triage.application.app import TriageApplication
from services.triage.application.service import TriageService
from services.triage.bootstrap import build_service
from services.triage.domain.person_history import PersonHistory
from services.triage.domain.profiles import RepeatRule
from services.triage.domain.routing import Report, summarise_history
from services.triage.settings import TriageSettings
from shared.eventstore import store_env
from tests.unit.triage.factories import DECIDED_AT, PROFILES, incident, journal, person

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def day(n: float) -> str:
    return (T0 + timedelta(days=n)).isoformat()


def event_names(aggregate: Any) -> list[str]:
    return [type(e).__name__ for e in aggregate.collect_events()]


def history(*reports: tuple[str, int, float]) -> PersonHistory:
    """A history given (journal, revision, day) reports, its events already collected."""
    aggregate = PersonHistory("pk_a")
    for journal_number, revision, at in reports:
        aggregate.record(
            Report(journal_number, revision, T0 + timedelta(days=at), "sigtet", "tyveri")
        )
    aggregate.collect_events()
    return aggregate


# --- PersonHistory ------------------------------------------------------------------------


def test_a_report_is_recorded_once_per_revision() -> None:
    h = history((journal(1), 1, 0))
    assert h.record(Report(journal(1), 1, T0, "sigtet", "tyveri")) is False
    assert event_names(h) == []


def test_a_higher_revision_replaces_the_report_and_a_lower_one_changes_nothing() -> None:
    h = history((journal(1), 2, 0))
    assert h.record(Report(journal(1), 1, T0, "antruffet", "vold")) is False
    assert h.record(Report(journal(1), 3, T0 + timedelta(days=1), "forurettet", "vold")) is True
    assert event_names(h) == ["ReportRecorded"]
    [report] = h.reports.values()
    assert (report.revision, report.role, report.offence_code) == (3, "forurettet", "vold")


def test_withdrawn_report_is_not_counted_and_a_late_older_revision_does_not_restore_it() -> None:
    h = history((journal(1), 1, 0), (journal(2), 1, 5))
    assert h.withdraw(journal(1), 2) is True
    assert event_names(h) == ["ReportWithdrawn"]
    assert h.record(Report(journal(1), 1, T0, "sigtet", "tyveri")) is False
    assert h.withdraw(journal(1), 2) is False
    assert [r.journal_number for r in h.reports_before(journal(9), T0 + timedelta(days=30))] == [
        journal(2)
    ]
    assert h.record(Report(journal(1), 3, T0, "sigtet", "tyveri")) is True  # listed again


def test_reports_before_excludes_the_incident_itself_and_later_ones() -> None:
    h = history((journal(1), 1, 0), (journal(2), 1, 10), (journal(3), 1, 20))
    before = h.reports_before(journal(2), T0 + timedelta(days=10))
    assert [r.journal_number for r in before] == [journal(1)]


def test_history_rebuilt_from_its_events_has_the_same_reports() -> None:
    h = PersonHistory("pk_a")
    h.record(Report(journal(1), 1, T0, "sigtet", "tyveri"))
    h.record(Report(journal(2), 1, T0, "antruffet", "vold"))
    h.withdraw(journal(1), 2)
    copy = None
    for e in h.collect_events():
        copy = e.mutate(copy)
    assert copy is not None and copy.id == PersonHistory.create_id("pk_a")
    assert copy.reports == h.reports and copy.revisions == {journal(1): 2, journal(2): 1}


# --- summary and repeat rule ----------------------------------------------------------------

RULE = RepeatRule(window_days=30, threshold=3)


def reports_on(*days: float) -> list[Report]:
    return [
        Report(journal(i), 1, T0 + timedelta(days=d), "sigtet", "tyveri")
        for i, d in enumerate(days, start=1)
    ]


@pytest.mark.parametrize(
    ("earlier_days", "in_window", "repeat"),
    [
        ((), 1, False),
        ((90,), 2, False),
        ((70, 90), 3, True),  # exactly 30 days before is inside the window
        ((69.9, 90), 2, False),
        ((10, 20, 95), 2, False),
    ],
)
def test_repeat_counts_reports_within_the_window_this_one_included(
    earlier_days: tuple[float, ...], in_window: int, repeat: bool
) -> None:
    summary = summarise_history(reports_on(*earlier_days), T0 + timedelta(days=100), RULE)
    assert summary.earlier_reports == len(earlier_days)
    assert (summary.reports_in_window, summary.repeat) == (in_window, repeat)
    assert (summary.window_days, summary.repeat_threshold) == (30, 3)


def test_a_first_report_summary_is_built_once_per_rule() -> None:
    first = summarise_history([], T0, RULE)
    assert first.model_dump() == {
        "earlier_reports": 0,
        "reports_in_window": 1,
        "window_days": 30,
        "repeat_threshold": 3,
        "repeat": False,
        "reports": [],
    }
    assert summarise_history((), T0 + timedelta(days=5), RULE) is first
    other = RepeatRule(window_days=90, threshold=2)
    assert summarise_history([], T0, other).window_days == 90


def test_summary_lists_codes_and_dates_newest_first_and_at_most_20() -> None:
    summary = summarise_history(reports_on(*range(25)), T0 + timedelta(days=100), RULE)
    assert summary.earlier_reports == 25
    assert len(summary.reports) == 20
    assert summary.reports[0].occurred_at == T0 + timedelta(days=24)
    assert set(summary.reports[0].model_dump()) == {
        "journal_number",
        "occurred_at",
        "role",
        "offence_code",
    }


# --- through the service's store ------------------------------------------------------------


@pytest.fixture
def service(settings: TriageSettings) -> Iterator[TriageService]:
    app = TriageApplication(env=store_env(settings, "triage"))
    yield build_service(settings, app, clock=lambda: DECIDED_AT, profiles=PROFILES)
    app.close()


def triage_on(service: TriageService, n: int, at: float, revision: int = 1, **kw: Any) -> Any:
    persons = kw.pop("persons", [person("pk_a")])
    return service.triage_incident(
        incident(
            journal_number=journal(n),
            revision=revision,
            occurred_at=day(at),
            reported_at=day(at + 0.5),
            persons=persons,
            **kw,
        )
    )


def test_each_decision_carries_the_earlier_reports(service: TriageService) -> None:
    triage_on(service, 1, 0, offence_code="haervaerk", persons=[person("pk_a", role="antruffet")])
    [second] = triage_on(service, 2, 10)
    assert second.history is not None
    assert second.history.earlier_reports == 1
    [report] = second.history.reports
    assert (report.journal_number, report.role, report.offence_code) == (
        journal(1),
        "antruffet",
        "haervaerk",
    )
    assert report.occurred_at == T0


def test_a_third_report_within_half_a_year_is_a_repeat_and_raises_severity(
    service: TriageService,
) -> None:
    triage_on(service, 1, 0)
    triage_on(service, 2, 50)
    [third] = triage_on(service, 3, 100)  # Fredericia: 3 within 180 days
    assert third.history is not None and third.history.repeat
    assert "repeat_within_window" in third.reasons
    assert third.severity == "medium"  # butikstyveri is low; one step up


def test_a_later_revision_is_not_counted_as_another_report(service: TriageService) -> None:
    triage_on(service, 1, 0)
    triage_on(service, 1, 0, revision=2)
    triage_on(service, 1, 0, revision=3)
    [decision] = triage_on(service, 2, 10)
    assert decision.history is not None and decision.history.earlier_reports == 1
    assert not decision.history.repeat


def test_a_report_that_happened_later_is_not_earlier(service: TriageService) -> None:
    triage_on(service, 1, 50)  # arrives first, happened later
    [decision] = triage_on(service, 2, 10)
    assert decision.history is not None and decision.history.earlier_reports == 0


def test_a_person_removed_by_a_revision_loses_that_report(service: TriageService) -> None:
    triage_on(service, 1, 0, persons=[person("pk_a"), person("pk_b")])
    triage_on(service, 1, 0, revision=2, persons=[person("pk_b")])
    [decision] = triage_on(service, 2, 10)
    assert decision.history is not None and decision.history.earlier_reports == 0


def test_out_of_scope_persons_get_no_history(service: TriageService) -> None:
    triage_on(service, 1, 0, persons=[person("pk_old", 40)])
    decisions = triage_on(service, 2, 10, persons=[person("pk_old", 40), person("pk_a")])
    assert [d.person_key for d in decisions] == ["pk_a"]
    assert decisions[0].co_registered_person_keys == ["pk_old"]
    ids = {PersonHistory.create_id("pk_old"), PersonHistory.create_id("pk_a")}
    assert set(service.app.load_many(ids)) == {PersonHistory.create_id("pk_a")}
