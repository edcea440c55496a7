"""Reporting of revised, handed-over and withdrawn decisions (issue 4, parts 4-5): the handover
list shows the current decision, and the trace shows every step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from services.reporting.bootstrap import build_read_side, definition
from services.reporting.domain.weeks import IsoWeek
from services.reporting.settings import ReportingSettings
from shared.contracts import (
    INTAKE_INCIDENTS,
    LETTER_TASKS,
    TRIAGE_CASEWORKER,
    TRIAGE_TOVHOLDER,
    TRIAGE_WITHDRAWALS,
)
from tests.support import inbox_harness
from tests.unit.reporting.documents import (
    FREDERICIA,
    JOURNAL,
    PK_CASEWORKER,
    PK_TOVHOLDER,
    WEEK,
    accepted_incident,
    letter_task,
    person,
    relay_headers,
    routing_decision,
)


@pytest.fixture
def settings(tmp_path: Path) -> ReportingSettings:
    return ReportingSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path))


def handover_decision(person_key: str, *, decided_at: str) -> dict[str, Any]:
    tovholder = routing_decision(person_key, "tovholder", decided_at="2026-11-16T08:12:03+01:00")
    return {
        **routing_decision(person_key, "caseworker", decided_at=decided_at),
        "decision_id": f"handover-{person_key}",
        "decision_kind": "handover",
        "revises_decision_id": tovholder["decision_id"],
        "reasons": ["active_case", "case_opened_after_routing"],
    }


async def test_a_handover_replaces_the_tovholder_decision_even_when_it_arrives_first(
    settings: ReportingSettings,
) -> None:
    async with inbox_harness(definition(settings)) as h:
        await h.publish(
            accepted_incident([person(PK_TOVHOLDER, 14)]),
            INTAKE_INCIDENTS,
            headers=relay_headers("intake", 1),
        )
        # handed over with a decided_at before the tovholder decision's (clock skew): the
        # handover still names the tovholder decision as the one it replaces
        await h.publish(
            handover_decision(PK_TOVHOLDER, decided_at="2026-11-16T08:00:00+01:00"),
            TRIAGE_CASEWORKER,
            headers=relay_headers("triage", 2),
        )
        await h.publish(
            routing_decision(PK_TOVHOLDER, "tovholder", decided_at="2026-11-16T08:12:03+01:00"),
            TRIAGE_TOVHOLDER,
            headers=relay_headers("triage", 1),
        )
        updated = {
            **letter_task(PK_TOVHOLDER, "updated", at="2026-11-17T09:00:00+01:00"),
            "owner_role": "caseworker",
            "due_at": "2026-11-21T08:12:00+01:00",
            "reason": "case_opened_after_routing",
        }
        # the update first, the creation late: the updated deadline stays
        await h.publish(updated, LETTER_TASKS, headers=relay_headers("notifications", 2))
        await h.publish(
            letter_task(PK_TOVHOLDER, "created", at="2026-11-16T08:12:05+01:00"),
            LETTER_TASKS,
            headers=relay_headers("notifications", 1),
        )
        projection, queries = build_read_side(settings, h.app)
        projection.catch_up()
        [row] = queries.handover(FREDERICIA, IsoWeek.parse(WEEK)).persons
        trace = queries.trace(JOURNAL)
    assert (row.route, row.decision_kind, row.owner_role) == (
        "caseworker",
        "handover",
        "caseworker",
    )
    assert "case_opened_after_routing" in row.reasons
    assert (row.letter_task_status, row.due_at) == ("open", "2026-11-21T08:12:00+01:00")
    assert trace is not None
    steps = [s.step for s in trace.steps]
    assert steps.count("letter_task_updated") == 1
    [step] = [s for s in trace.steps if s.step == "letter_task_updated"]
    assert "case_opened_after_routing" in step.detail


async def test_a_withdrawn_person_leaves_the_list_and_the_trace_shows_the_withdrawal(
    settings: ReportingSettings,
) -> None:
    both = accepted_incident([person(PK_TOVHOLDER, 14), person(PK_CASEWORKER, 16)])
    second = accepted_incident(
        [person(PK_CASEWORKER, 16)], revision=2, accepted_at="2026-11-16T11:00:00+01:00"
    )
    withdrawal = {
        "withdrawal_id": "w-1",
        "decision_id": f"decision-{PK_TOVHOLDER}-1-tovholder",
        "journal_number": JOURNAL,
        "revision": 2,
        "person_key": PK_TOVHOLDER,
        "municipality_code": FREDERICIA,
        "reason": "person_removed_from_incident",
        "withdrawn_at": "2026-11-16T11:00:02+01:00",
    }
    async with inbox_harness(definition(settings)) as h:
        await h.publish(both, INTAKE_INCIDENTS, headers=relay_headers("intake", 1))
        for key, route in ((PK_TOVHOLDER, "tovholder"), (PK_CASEWORKER, "caseworker")):
            await h.publish(
                routing_decision(key, route, decided_at="2026-11-16T08:12:03+01:00"),
                TRIAGE_TOVHOLDER if route == "tovholder" else TRIAGE_CASEWORKER,
                headers=relay_headers("triage", 1 if route == "tovholder" else 2),
            )
        await h.publish(second, INTAKE_INCIDENTS, headers=relay_headers("intake", 2))
        await h.publish(withdrawal, TRIAGE_WITHDRAWALS, headers=relay_headers("triage", 3))
        await h.publish(withdrawal, TRIAGE_WITHDRAWALS, headers=relay_headers("triage", 3))
        projection, queries = build_read_side(settings, h.app)
        projection.catch_up()
        rows = queries.handover(FREDERICIA, IsoWeek.parse(WEEK)).persons
        trace = queries.trace(JOURNAL)
    assert [(r.person_key, r.route, r.revision) for r in rows] == [(PK_CASEWORKER, "caseworker", 2)]
    assert trace is not None
    withdrawn = [s for s in trace.steps if s.step == "decision_withdrawn"]
    assert [(s.person_key, s.revision, s.service) for s in withdrawn] == [
        (PK_TOVHOLDER, 2, "triage")
    ]
    assert "person_removed_from_incident" in withdrawn[0].detail
