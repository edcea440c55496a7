"""Intake through its Kafka entry point, on TestKafkaBroker and an in-memory store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.intake.adapters.publications import intake_publications
from services.intake.bootstrap import definition
from services.intake.settings import IntakeSettings
from shared.contracts import INTAKE_INCIDENTS, INTAKE_REJECTED, POLICE_INCIDENTS
from tests.support import example, inbox_harness, outbox


@pytest.fixture
def settings(tmp_path: Path) -> IntakeSettings:
    return IntakeSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path))


async def test_valid_incident_is_pseudonymised_and_published_once(settings: IntakeSettings) -> None:
    async with inbox_harness(definition(settings)) as h:
        incident = example("incident-valid.json")
        await h.publish(incident, POLICE_INCIDENTS, key=incident["journal_number"])
        await h.publish(incident, POLICE_INCIDENTS, key=incident["journal_number"])
        published = outbox(h.app, intake_publications)
    accepted = [m for m in published if m.topic == INTAKE_INCIDENTS]
    assert len(accepted) == 1
    body = accepted[0].body().decode()
    assert "120310" not in body and "Mads" not in body and "Vestre Ringvej" not in body
    persons = json.loads(body)["persons"]
    assert [p["age_at_incident"] for p in persons] == [16, 17]
    assert all(p["person_key"].startswith("pk_") for p in persons)


async def test_higher_revision_supersedes_and_lower_changes_nothing(
    settings: IntakeSettings,
) -> None:
    async with inbox_harness(definition(settings)) as h:
        incident = example("incident-valid.json")
        for revision in (2, 1, 3, 2):
            await h.publish({**incident, "revision": revision}, POLICE_INCIDENTS)
        published = outbox(h.app, intake_publications)
    revisions = [json.loads(m.body())["revision"] for m in published if m.topic == INTAKE_INCIDENTS]
    assert revisions == [2, 3]


async def test_invalid_incident_is_rejected_with_reasons_and_kept(settings: IntakeSettings) -> None:
    async with inbox_harness(definition(settings)) as h:
        await h.publish(example("incident-invalid.json"), POLICE_INCIDENTS)
        await h.publish(b"\xff not json", POLICE_INCIDENTS)
        published = outbox(h.app, intake_publications)
    rejections = [json.loads(m.body()) for m in published if m.topic == INTAKE_REJECTED]
    assert len(rejections) == 2
    fields = {r["field"] for r in rejections[0]["reasons"]}
    assert {"journal_number", "persons[0].cpr", "persons[0].role", "offence.code"} <= fields
    text = json.dumps(rejections)
    assert "310299" not in text and "Test Person" not in text
    assert rejections[1]["reasons"][0]["code"] == "invalid_json"
