"""The +18 handover mark (issue 4, part 6) reaches the weekly handover list: an adult who
reached 18 with an open item shows the reason reached_18_with_open_item, an exit referral the
reason exit_referral, so the meeting sees whom to hand over to PSP/KSP."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.reporting.application.queries import ReportingQueries
from services.reporting.bootstrap import build_read_side, definition
from services.reporting.domain.weeks import IsoWeek
from services.reporting.settings import ReportingSettings
from shared.contracts import INTAKE_INCIDENTS, TRIAGE_TOVHOLDER
from tests.support import inbox_harness
from tests.unit.reporting.documents import (
    FREDERICIA,
    JOURNAL,
    PK_TOVHOLDER,
    WEEK,
    accepted_incident,
    person,
    relay_headers,
    routing_decision,
)


@pytest.fixture
def settings(tmp_path: Path) -> ReportingSettings:
    return ReportingSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path))


def handover(queries: ReportingQueries) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = queries.handover(FREDERICIA, IsoWeek.parse(WEEK)).model_dump()[
        "persons"
    ]
    return rows


async def test_the_psp_ksp_mark_and_the_exit_referral_show_on_the_handover_list(
    settings: ReportingSettings,
) -> None:
    reasons = ["no_active_case", "adult_workflow", "exit_referral", "reached_18_with_open_item"]
    async with inbox_harness(definition(settings)) as h:
        await h.publish(
            accepted_incident([person(PK_TOVHOLDER, 18)]),
            INTAKE_INCIDENTS,
            key=JOURNAL,
            headers=relay_headers("intake", 1),
        )
        await h.publish(
            {
                **routing_decision(
                    PK_TOVHOLDER, "tovholder", decided_at="2026-11-16T08:12:03+01:00", age=18
                ),
                "reasons": reasons,
                "psp_ksp_handover": True,
            },
            TRIAGE_TOVHOLDER,
            key=PK_TOVHOLDER,
            headers=relay_headers("triage", 7),
        )
        projection, queries = build_read_side(settings, h.app)
        assert projection.catch_up() > 0
        [row] = handover(queries)
    assert (row["workflow"], row["reasons"]) == ("adult", reasons)
    assert row["psp_ksp_handover"] is True
