"""Reporting keeps each concern in the young person's history (issue 15, part 5): recorded as
observed on ssp.intake.concerns.v1 (once, whatever is re-delivered), projected by
`concern_row`, rebuilt from the log like every read model, and read back by the municipality's
case staff only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.reporting.application.service import ReportingService
from services.reporting.entrypoints.kafka import CONSUMERS
from shared.auth import Role
from shared.contracts import INTAKE_CONCERNS
from shared.messaging.inbound import ORIGIN_HEADER, Inbound
from tests.unit.auth.support import IN, OUT, PK_IN, ServiceUnderTest, headers, reporting_under_test
from tests.unit.concerns.test_triage_agenda import registered


@pytest.fixture
def reporting(tmp_path: Path) -> Iterator[ServiceUnderTest]:
    with reporting_under_test(tmp_path) as served:
        yield served


def deliver(reporting: ServiceUnderTest, offset: int, concern_id: str, **changes: object) -> None:
    concern = registered(concern_id, **changes)
    message = Inbound(
        INTAKE_CONCERNS,
        0,
        offset,
        concern.person_key.encode(),
        concern.model_dump_json().encode(),
        {ORIGIN_HEADER: "intake"},
    )
    reporting.seed(CONSUMERS.batch_handler(ReportingService(reporting.app)), [message])


def rebuild(reporting: ServiceUnderTest) -> None:
    answer = reporting.client.post("/v1/admin/rebuild", headers=headers(Role.OPERATIONS))
    assert answer.status_code == 200, answer.text


def test_a_concern_joins_the_persons_history_once_and_survives_a_rebuild(
    reporting: ServiceUnderTest,
) -> None:
    deliver(reporting, 1, "c-1")
    deliver(reporting, 2, "c-1")  # the same concern again (no relay headers to de-duplicate)
    deliver(
        reporting,
        3,
        "c-2",
        category="rusmidler",
        reporter_kind="night_team",
        registered_at="2026-12-04T23:10:00+01:00",
    )
    deliver(reporting, 4, "c-elsewhere", municipality_code=OUT)
    rebuild(reporting)
    answer = reporting.client.get(f"/v1/persons/{PK_IN}/concerns", headers=headers("caseworker"))
    assert answer.status_code == 200, answer.text
    history = answer.json()["concerns"]
    assert [(c["concern_id"], c["category"], c["reporter_kind"]) for c in history] == [
        ("c-2", "rusmidler", "night_team"),
        ("c-1", "mistrivsel", "parent"),
    ]
    assert history[0]["municipality_code"] == IN and history[0]["iso_week"] == "2026-W49"
    other = reporting.client.get(
        f"/v1/persons/{PK_IN}/concerns", headers=headers("tovholder", municipalities=[OUT])
    )
    assert [c["concern_id"] for c in other.json()["concerns"]] == ["c-elsewhere"]
    for role in ("police_coordinator", "school_representative", "management"):
        refused = reporting.client.get(f"/v1/persons/{PK_IN}/concerns", headers=headers(role))
        assert refused.status_code == 403
