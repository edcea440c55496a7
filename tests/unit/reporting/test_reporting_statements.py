"""Triage's statements without a decision, in the handover list and the trace (issue 14):

- part 7, every revision leaves a current statement: a revision that left the person's decision
  unchanged shows as "confirmed in revision 2" on their row and as a trace step;
- part 1, a person of a municipality not served here is a step of the trace (operations see it
  without the person key).

Seed: 000 l.199 — the police present the week's list at the handover meeting ("Politiet
præsenterer listen med unge der har været antruffet, sigtet eller forurettet i den forgange
uge"): the meeting works from the current revision, so each row must say which revision it
stands for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from services.reporting.bootstrap import build_read_side, definition
from services.reporting.domain.weeks import IsoWeek
from services.reporting.settings import ReportingSettings
from shared.contracts import INTAKE_INCIDENTS, TRIAGE_STATEMENTS, TRIAGE_TOVHOLDER
from tests.support import inbox_harness
from tests.unit.reporting.documents import (
    FREDERICIA,
    JOURNAL,
    PK_CASEWORKER,
    PK_TOVHOLDER,
    WEEK,
    accepted_incident,
    person,
    relay_headers,
    routing_decision,
)

VEJLE = "630"


@pytest.fixture
def settings(tmp_path: Path) -> ReportingSettings:
    return ReportingSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path))


def statement(kind: str, person_key: str, revision: int, **fields: Any) -> dict[str, Any]:
    return {
        "statement_id": f"statement-{kind}-{person_key}-{revision}",
        "statement": kind,
        "journal_number": JOURNAL,
        "revision": revision,
        "person_key": person_key,
        "municipality_code": FREDERICIA,
        "decision_id": None,
        "stated_at": "2026-11-17T09:00:00+01:00",
        **fields,
    }


@pytest.mark.parametrize("confirmation_first", [False, True])
async def test_a_confirmed_decision_shows_the_revision_that_confirmed_it(
    settings: ReportingSettings, confirmation_first: bool
) -> None:
    decision = routing_decision(PK_TOVHOLDER, "tovholder", decided_at="2026-11-16T08:12:03+01:00")
    confirmed = statement(
        "decision_confirmed", PK_TOVHOLDER, 2, decision_id=decision["decision_id"]
    )
    async with inbox_harness(definition(settings)) as h:
        for revision in (1, 2):
            await h.publish(
                accepted_incident([person(PK_TOVHOLDER, 14)], revision=revision),
                INTAKE_INCIDENTS,
                headers=relay_headers("intake", revision),
            )
        sends = [
            (decision, TRIAGE_TOVHOLDER, relay_headers("triage", 1)),
            (confirmed, TRIAGE_STATEMENTS, relay_headers("triage", 2)),
        ]
        for document, topic, headers in reversed(sends) if confirmation_first else sends:
            await h.publish(document, topic, headers=headers)
        projection, queries = build_read_side(settings, h.app)
        projection.catch_up()
        (row,) = queries.handover(FREDERICIA, IsoWeek.parse(WEEK)).persons
        assert (row.revision, row.route, row.confirmed_in_revision) == (2, "tovholder", 1 + 1)
        trace = queries.trace(JOURNAL)
        assert trace is not None
        steps = [(s.step, s.revision, s.detail) for s in trace.steps]
        assert ("decision_confirmed", 2, "decision confirmed in revision 2: unchanged") in steps


async def test_a_confirmation_of_a_replaced_decision_is_not_shown(
    settings: ReportingSettings,
) -> None:
    first = routing_decision(PK_TOVHOLDER, "tovholder", decided_at="2026-11-16T08:12:03+01:00")
    revised = {
        **routing_decision(
            PK_TOVHOLDER, "tovholder", decided_at="2026-11-18T08:00:00+01:00", revision=3
        ),
        "decision_kind": "revised",
        "revises_decision_id": first["decision_id"],
    }
    async with inbox_harness(definition(settings)) as h:
        await h.publish(
            accepted_incident([person(PK_TOVHOLDER, 14)], revision=3),
            INTAKE_INCIDENTS,
            headers=relay_headers("intake", 1),
        )
        await h.publish(first, TRIAGE_TOVHOLDER, headers=relay_headers("triage", 1))
        await h.publish(
            statement("decision_confirmed", PK_TOVHOLDER, 2, decision_id=first["decision_id"]),
            TRIAGE_STATEMENTS,
            headers=relay_headers("triage", 2),
        )
        await h.publish(revised, TRIAGE_TOVHOLDER, headers=relay_headers("triage", 3))
        projection, queries = build_read_side(settings, h.app)
        projection.catch_up()
        (row,) = queries.handover(FREDERICIA, IsoWeek.parse(WEEK)).persons
        assert (row.revision, row.confirmed_in_revision) == (3, None)


async def test_a_person_not_served_is_a_step_of_the_trace(settings: ReportingSettings) -> None:
    neighbour = {**person(PK_CASEWORKER, 15, municipality_code=VEJLE), "served": False}
    async with inbox_harness(definition(settings)) as h:
        await h.publish(
            accepted_incident([person(PK_TOVHOLDER, 14), neighbour]),
            INTAKE_INCIDENTS,
            headers=relay_headers("intake", 1),
        )
        await h.publish(
            statement("not_served", PK_CASEWORKER, 1, municipality_code=VEJLE),
            TRIAGE_STATEMENTS,
            headers=relay_headers("triage", 1),
        )
        projection, queries = build_read_side(settings, h.app)
        projection.catch_up()
        trace = queries.trace(JOURNAL)
        assert trace is not None
        by_step = {s.step: s for s in trace.steps}
        assert "1 not served here" in by_step["incident_accepted"].detail
        not_served = by_step["person_not_served"]
        assert (not_served.person_key, not_served.service) == (PK_CASEWORKER, "triage")
        assert "not routed" in not_served.detail
        # The local child's row is unaffected; the neighbour is on no served list.
        (row,) = queries.handover(FREDERICIA, IsoWeek.parse(WEEK)).persons
        assert row.person_key == PK_TOVHOLDER
