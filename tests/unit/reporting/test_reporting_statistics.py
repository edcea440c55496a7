"""The week's statistics are counted by the database (`ViewReader.registration_counts`), not
from the handover list's entries row by row. Property: whatever the messages, the counts are
exactly those of the handover list's entries — route (`out_of_scope`, `not_routed`), severity
(`not_assessed`), offence — protected by the same suppression rules (domain/disclosure.py), for
each municipality."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.reporting.application.queries import (
    HandoverStatistics,
    ReportingQueries,
    weekly_statistics,
)
from services.reporting.bootstrap import build_application, build_read_side, build_service
from services.reporting.domain.disclosure import DEFAULT_SMALLEST_SHOWN
from services.reporting.domain.weeks import IsoWeek
from services.reporting.entrypoints.kafka import CONSUMERS
from services.reporting.settings import ReportingSettings
from shared.contracts import INTAKE_INCIDENTS, TRIAGE_CASEWORKER, TRIAGE_TOVHOLDER
from tests.unit.reporting.documents import (
    FREDERICIA,
    WEEK,
    accepted_incident,
    person,
    relayed,
    routing_decision,
)

VEJLE = "630"
JOURNALS = tuple(f"3700-80123-{n:05d}-26" for n in range(1, 9))
PERSONS = tuple(f"pk_{letter * 32}" for letter in "abcdef")
OFFENCES = ("butikstyveri", "haervaerk", "vold")


@st.composite
def incident(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    listed = draw(st.lists(st.sampled_from(PERSONS), min_size=1, max_size=4, unique=True))
    doc = accepted_incident(
        [
            person(
                key,
                draw(st.sampled_from([13, 17, 22, 30])),  # 30: out of scope
                municipality_code=draw(st.sampled_from([FREDERICIA, VEJLE])),
            )
            for key in listed
        ],
        journal_number=draw(st.sampled_from(JOURNALS)),
        revision=draw(st.integers(1, 2)),
    )
    doc["offence_code"] = draw(st.sampled_from(OFFENCES))
    return INTAKE_INCIDENTS, doc


@st.composite
def decision(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    route = draw(st.sampled_from(["tovholder", "caseworker"]))
    doc = routing_decision(
        draw(st.sampled_from(PERSONS)),
        route,
        decided_at="2026-11-16T09:00:00+01:00",
        revision=draw(st.integers(1, 2)),
        journal_number=draw(st.sampled_from(JOURNALS)),
    )
    doc["severity"] = draw(st.sampled_from(["low", "medium", "high"]))
    return (TRIAGE_TOVHOLDER if route == "tovholder" else TRIAGE_CASEWORKER), doc


def counted_from_entries(queries: ReportingQueries, code: str) -> HandoverStatistics:
    """The statistics as they were counted before: one handover entry per listed person."""
    entries = queries.handover(code, IsoWeek.parse(WEEK)).persons
    return weekly_statistics(
        code,
        WEEK,
        [(e.route != "out_of_scope", e.route, e.severity, e.offence_code, 1) for e in entries],
        # issue 16: the clocks of the routed persons the list shows
        [
            (e.route, e.severity, e.clocks)
            for e in entries
            if e.route in ("caseworker", "tovholder") and e.clocks is not None
        ],
        DEFAULT_SMALLEST_SHOWN,
    )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sent=st.lists(st.one_of(incident(), decision()), min_size=1, max_size=30))
def test_statistics_count_what_the_handover_list_shows(
    tmp_path: Path, sent: list[tuple[str, dict[str, Any]]]
) -> None:
    reporting = ReportingSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path))
    app = build_application(reporting)
    try:
        CONSUMERS.batch_handler(build_service(reporting, app))(relayed(reporting, sent))
        projection, queries = build_read_side(reporting, app)
        projection.catch_up()
        for code in (FREDERICIA, VEJLE):
            counted = queries.statistics(code, IsoWeek.parse(WEEK))
            assert counted == counted_from_entries(queries, code)
    finally:
        app.close()
