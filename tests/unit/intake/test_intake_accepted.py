"""The accepted incident intake stores (and publishes) is the contract's `AcceptedIncident`
as it dumps itself, for varied incidents, offsets and clocks."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from services.intake.adapters.publications import intake_publications
from services.intake.application.service import IntakeService
from services.intake.bootstrap import build_application, build_service
from services.intake.domain.model import IncidentRecord
from services.intake.settings import IntakeSettings
from shared.contracts import AcceptedIncident
from shared.eventstore import UnitOfWork
from ssp_platform.samples import sample_incident
from tests.support import example, outbox


def service_at(tmp_path: Path, now: datetime) -> IntakeService:
    settings = IntakeSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path))
    app = build_application(settings, base64.b64encode(b"c" * 32).decode())
    service = build_service(settings, app, "s" * 32)
    service.clock = lambda: now
    return service


def documents() -> list[dict[str, Any]]:
    example_incident = example("incident-valid.json")  # two persons, flags, schools
    bare = {**sample_incident(3, persons=3, seed=3), "police_district": None, "flags": []}
    for person in bare["persons"]:
        person.pop("school")
    utc = sample_incident(
        4, persons=2, occurred_at=datetime(2026, 3, 29, 0, 59, 59, 123456, tzinfo=UTC)
    )
    western = sample_incident(
        5,
        occurred_at=datetime(2026, 6, 1, 23, 0, tzinfo=timezone(timedelta(hours=-3, minutes=-30))),
    )
    older = sample_incident(6, persons=4, seed=6)  # ages 10-24, some drawn out of scope below
    older["persons"][0]["cpr"] = "0101704321"  # 56: out of scope
    older["flags"] = ["bande", "vaaben", "gentagelse"]
    return [example_incident, bare, utc, western, older]


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 11, 18, 8, 0, tzinfo=UTC),
        datetime(2026, 11, 18, 9, 0, 0, 1, tzinfo=timezone(timedelta(hours=1))),
    ],
)
def test_the_stored_accepted_incident_is_the_contracts_own_dump(
    tmp_path: Path, now: datetime
) -> None:
    service = service_at(tmp_path, now)
    for document in documents():
        result = service.submit_incident(json.dumps(document).encode())
        assert result.outcome == "accepted", result.problems
        record = UnitOfWork(service.app).get(
            IncidentRecord, IncidentRecord.create_id(document["journal_number"])
        )
        assert record is not None and record.accepted is not None
        stored = record.accepted
        as_contract = AcceptedIncident.model_validate(stored).model_dump(mode="json")
        # Same keys in the same order, same values of the same types: the same JSON.
        assert json.dumps(stored) == json.dumps(as_contract)
        assert [type(v) for v in stored.values()] == [type(v) for v in as_contract.values()]
        for person, contract_person in zip(stored["persons"], as_contract["persons"], strict=True):
            assert [type(v) for v in person.values()] == [type(v) for v in contract_person.values()]
    # Out-of-scope persons are among them (recorded, not dropped).
    assert any(
        not p["in_scope"]
        for m in outbox(service.app, intake_publications)
        for p in json.loads(m.body())["persons"]
    )


def test_a_clock_without_offset_is_refused_as_the_contract_refuses_it(tmp_path: Path) -> None:
    service = service_at(tmp_path, datetime(2026, 11, 18, 8, 0))
    with pytest.raises(ValueError, match="aware"):
        service.submit_incident(json.dumps(example("incident-valid.json")).encode())
