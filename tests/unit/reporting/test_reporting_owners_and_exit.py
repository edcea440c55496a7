"""The handover list shows what the decision says (issue 4, parts 1-3 and 6): its owner, team,
district, history summary and PSP/KSP mark, and whether triage referred the person to the exit
coordinator (ssp.triage.exit-referrals.v1, also a step of the trace). The police and school
representatives see none of it; a rebuild gives the same list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from services.reporting.adapters.views import tables
from services.reporting.adapters.views.reader import ViewReader
from services.reporting.adapters.views.writer import ReadModels
from services.reporting.application.projection import Projection
from services.reporting.application.queries import ReportingQueries
from services.reporting.bootstrap import build_read_side, definition
from services.reporting.domain.weeks import IsoWeek
from services.reporting.settings import ReportingSettings
from shared.auth import Principal, Role
from shared.contracts import (
    INTAKE_INCIDENTS,
    TRIAGE_CASEWORKER,
    TRIAGE_EXIT_REFERRALS,
    TRIAGE_TOVHOLDER,
)
from tests.support import InboxHarness, inbox_harness
from tests.unit.reporting.documents import (
    FREDERICIA,
    JOURNAL,
    PK_CASEWORKER,
    PK_TOVHOLDER,
    WEEK,
    accepted_incident,
    exit_referral,
    person,
    profiled,
    relay_headers,
    routing_decision,
)

HISTORY = {
    "earlier_reports": 2,
    "reports_in_window": 3,
    "window_days": 180,
    "repeat_threshold": 3,
    "repeat": True,
    "reports": [
        {
            "journal_number": "3700-80123-00311-26",
            "occurred_at": "2026-09-02T17:10:00+02:00",
            "role": "sigtet",
            "offence_code": "haervaerk",
        },
        {
            "journal_number": "3700-80123-00201-26",
            "occurred_at": "2026-07-12T21:00:00+02:00",
            "role": "antruffet",
            "offence_code": "butikstyveri",
        },
    ],
}
NEW_FIELDS = (
    "owner_team",
    "district",
    "earlier_reports",
    "repeat",
    "psp_ksp_handover",
    "exit_referral",
)


@pytest.fixture
def settings(tmp_path: Path) -> ReportingSettings:
    return ReportingSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path))


async def publish_profiled_flow(h: InboxHarness, *, referral_first: bool = False) -> None:
    """Two persons: one routed to Herning-style district SSP workers with a repeat and an exit
    referral; one whose active case the profile gives to the team leader."""
    await h.publish(
        accepted_incident([person(PK_TOVHOLDER, 16), person(PK_CASEWORKER, 17)]),
        INTAKE_INCIDENTS,
        key=JOURNAL,
        headers=relay_headers("intake", 1),
    )
    referral = (exit_referral(PK_TOVHOLDER), TRIAGE_EXIT_REFERRALS, relay_headers("triage", 9))
    if referral_first:
        await h.publish(referral[0], referral[1], key=PK_TOVHOLDER, headers=referral[2])
    await h.publish(
        profiled(
            routing_decision(
                PK_TOVHOLDER, "tovholder", decided_at="2026-11-16T08:12:03+01:00", age=16
            ),
            owner_role="ssp_district_worker",
            owner_team="SSP-medarbejder distrikt nord",
            district="nord",
            history=HISTORY,
            reasons=["no_active_case", "repeat_within_window", "exit_referral"],
        ),
        TRIAGE_TOVHOLDER,
        key=PK_TOVHOLDER,
        headers=relay_headers("triage", 7),
    )
    await h.publish(
        profiled(
            routing_decision(
                PK_CASEWORKER, "caseworker", decided_at="2026-11-16T08:12:04+01:00", age=17
            ),
            owner_role="team_leader",
            owner_team="Familieafdelingen",
        ),
        TRIAGE_CASEWORKER,
        key=PK_CASEWORKER,
        headers=relay_headers("triage", 8),
    )
    if not referral_first:
        await h.publish(referral[0], referral[1], key=PK_TOVHOLDER, headers=referral[2])


def handover(queries: ReportingQueries, principal: Principal | None = None) -> Any:
    week = IsoWeek.parse(WEEK)
    if principal is None:
        return queries.handover(FREDERICIA, week).model_dump()["persons"]
    return queries.handover_for(principal, FREDERICIA, week).model_dump()["persons"]


def who(role: Role, schools: frozenset[str] = frozenset()) -> Principal:
    return Principal(
        subject="someone",
        role=role,
        municipalities=frozenset({FREDERICIA}),
        schools=schools,
        scopes=frozenset(),
    )


@pytest.mark.parametrize("referral_first", [False, True])
async def test_the_owner_team_district_history_and_exit_referral_come_from_triage(
    settings: ReportingSettings, referral_first: bool
) -> None:
    async with inbox_harness(definition(settings)) as h:
        await publish_profiled_flow(h, referral_first=referral_first)
        projection, queries = build_read_side(settings, h.app)
        projection.catch_up()
        district_worker, team_leader = handover(queries)

    assert {k: district_worker[k] for k in ("route", "owner_role", *NEW_FIELDS)} == {
        "route": "tovholder",
        "owner_role": "ssp_district_worker",  # not derived from the route
        "owner_team": "SSP-medarbejder distrikt nord",
        "district": "nord",
        "earlier_reports": 2,
        "repeat": True,
        "psp_ksp_handover": False,
        "exit_referral": True,
    }
    assert {k: team_leader[k] for k in ("route", "owner_role", *NEW_FIELDS)} == {
        "route": "caseworker",
        "owner_role": "team_leader",
        "owner_team": "Familieafdelingen",
        "district": None,
        "earlier_reports": 0,
        "repeat": False,
        "psp_ksp_handover": False,
        "exit_referral": False,  # the referral is the other person's
    }


async def test_the_exit_referral_is_a_step_of_the_trace(settings: ReportingSettings) -> None:
    async with inbox_harness(definition(settings)) as h:
        await publish_profiled_flow(h)
        # The same referral again (a redelivery without the relay's headers) is one step.
        await h.publish(exit_referral(PK_TOVHOLDER), TRIAGE_EXIT_REFERRALS, key=PK_TOVHOLDER)
        projection, queries = build_read_side(settings, h.app)
        projection.catch_up()
        trace = queries.trace(JOURNAL)
    assert trace is not None
    [step] = [s for s in trace.steps if s.step == "exit_referral"]
    assert (step.service, step.person_key, step.revision) == ("triage", PK_TOVHOLDER, 1)
    assert step.at == "2026-11-16T08:12:03+01:00"
    assert step.detail == "referred to exit_coordinator (Exit-koordinatoren), flags bande, minor"


async def test_the_police_and_schools_see_none_of_the_decisions_details(
    settings: ReportingSettings,
) -> None:
    async with inbox_harness(definition(settings)) as h:
        await publish_profiled_flow(h)
        projection, queries = build_read_side(settings, h.app)
        projection.catch_up()
        staff = handover(queries, who(Role.TEAM_LEADER))
        police = handover(queries, who(Role.POLICE_COORDINATOR))
        school = handover(
            queries, who(Role.SCHOOL_REPRESENTATIVE, frozenset({"Kirstinebjergskolen"}))
        )

    assert [row["exit_referral"] for row in staff] == [True, False]
    for rows in (police, school):
        assert [row["person_key"] for row in rows] == [PK_TOVHOLDER, PK_CASEWORKER]
        for row in rows:
            assert all(row[field] is None for field in ("route", "owner_role", *NEW_FIELDS)), row
            assert row["reasons"] == []


async def test_a_rebuild_gives_the_same_handover_list(
    store_url: str | None, tmp_path: Path
) -> None:
    settings = ReportingSettings(SSP_DATABASE_URL=store_url, SSP_DATA_DIR=str(tmp_path))
    async with inbox_harness(definition(settings)) as h:
        await publish_profiled_flow(h)
        projection, queries = build_read_side(settings, h.app)
        try:
            projection.catch_up()
            before = handover(queries)
            trace_before = queries.trace(JOURNAL)
            assert projection.rebuild() > 0
            assert handover(queries) == before
            assert queries.trace(JOURNAL) == trace_before
        finally:
            projection.views.dispose()
    assert before[0]["exit_referral"] is True and before[0]["earlier_reports"] == 2


async def test_read_models_of_the_layout_before_are_rebuilt_with_the_new_fields(
    settings: ReportingSettings, tmp_path: Path
) -> None:
    """A deployment's read models from before these columns (and without the referrals table)
    are dropped when reporting starts, and the projection builds them again from the log."""
    engine = create_engine(f"sqlite:///{tmp_path / 'views.sqlite'}")
    tables.metadata.create_all(engine)
    with engine.begin() as conn:
        for column in ("owner_role", "owner_team", "district", "earlier_reports"):
            conn.execute(text(f"ALTER TABLE reporting_routings DROP COLUMN {column}"))
        conn.execute(text("DROP TABLE reporting_exit_referrals"))
        conn.execute(text("INSERT INTO reporting_projection_position VALUES ('views', 99)"))
    async with inbox_harness(definition(settings)) as h:
        await publish_profiled_flow(h)
        views = ReadModels(engine)
        with views.transaction() as writer:
            assert writer.position() == 0
        Projection(h.app, views).catch_up()
        rows = handover(ReportingQueries(ViewReader(engine)))
    assert [(r["owner_role"], r["exit_referral"]) for r in rows] == [
        ("ssp_district_worker", True),
        ("team_leader", False),
    ]
    engine.dispose()
