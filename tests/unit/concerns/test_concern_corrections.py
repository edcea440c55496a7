"""A rejected concern is corrected as a concern (issue 15, parts 5 and 6): resubmitted for its
reference it is checked by the rules of POST /v1/concerns, registered and published like a
fresh concern, and the rejection is closed with the concern's id; still invalid, 422 with its
problems by field and the rejection stays open. A valid concern with the same id (over HTTP or
on ssp.concerns.v1) closes it as well."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from services.intake.application.open_rejections import REJECTION_EVENT_TOPICS
from services.intake.application.service import IntakeService
from services.intake.domain.model import RejectedInput
from services.intake.domain.pseudonym import Pseudonymiser
from services.intake.entrypoints.kafka import CONSUMERS
from shared.contracts import CONCERNS
from shared.messaging.inbound import Inbound
from tests.unit.auth.support import (
    IN,
    OUT,
    PK_IN,
    PSEUDONYM_SECRET,
    ServiceUnderTest,
    headers,
    intake_under_test,
)
from tests.unit.concerns.documents import accepted, concern
from tests.unit.concerns.test_intake_concerns import concerns_published, post


@pytest.fixture
def intake(tmp_path: Path) -> Iterator[ServiceUnderTest]:
    with intake_under_test(tmp_path) as served:
        yield served


def rejected_concern(intake: ServiceUnderTest, concern_id: str = "c-r") -> str:
    answer = post(intake, concern(concern_id, category="nope", text=""))
    assert answer.status_code == 422, answer.text
    reference: str = answer.json()["reference"]
    return reference


def resubmit(
    intake: ServiceUnderTest, reference: str, document: Any, role: str = "tovholder"
) -> Any:
    return intake.client.post(
        f"/v1/rejected/{reference}/resubmit",
        content=json.dumps(document).encode(),
        headers=headers(role),
    )


def open_references(intake: ServiceUnderTest) -> set[str]:
    listed = intake.client.get("/v1/rejected", headers=headers("tovholder"))
    assert listed.status_code == 200, listed.text
    return {r["reference"] for r in listed.json()["rejections"]}


def read(intake: ServiceUnderTest, reference: str) -> dict[str, Any]:
    answer = intake.client.get(f"/v1/rejected/{reference}", headers=headers("tovholder"))
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_a_corrected_concern_is_registered_published_and_closes_the_rejection(
    intake: ServiceUnderTest,
) -> None:
    reference = rejected_concern(intake)
    assert reference in open_references(intake)
    assert read(intake, reference)["from_concern"] is True
    answer = resubmit(intake, reference, concern("c-r"))
    assert answer.status_code == 202, answer.text
    assert answer.json() == accepted("c-r")
    [registered] = concerns_published(intake)
    assert (registered.concern_id, registered.person_key) == ("c-r", PK_IN)
    assert reference not in open_references(intake)
    assert read(intake, reference)["corrected_by"] == {"concern_id": "c-r", "how": "resubmitted"}
    # Readable, like any concern, by those allowed.
    text = intake.client.get("/v1/concerns/c-r", headers=headers("tovholder"))
    assert text.status_code == 200 and text.json()["category"] == "grupperinger"


def test_a_correction_still_invalid_is_422_by_field_and_the_rejection_stays_open(
    intake: ServiceUnderTest,
) -> None:
    reference = rejected_concern(intake)
    answer = resubmit(intake, reference, concern("c-r", category="stadig forkert"))
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["error"] == "invalid_concern" and body["reference"] == reference
    assert [p["field"] for p in body["problems"]] == ["category"]
    assert body["field"] == "category"
    assert "stadig forkert" not in answer.text
    assert reference in open_references(intake)
    assert read(intake, reference)["corrected_by"] is None
    assert concerns_published(intake) == []
    # Checked as a concern, not as a police incident: a valid incident is no concern.
    incident_like = {"journal_number": "3700-80123-00456-26", "revision": 1, "persons": []}
    as_incident = resubmit(intake, reference, incident_like)
    assert as_incident.status_code == 422
    assert "concern_id" in {p["field"] for p in as_incident.json()["problems"]}
    assert reference in open_references(intake)


def test_the_police_may_neither_read_nor_correct_a_rejected_concern(
    intake: ServiceUnderTest,
) -> None:
    reference = rejected_concern(intake)
    assert resubmit(intake, reference, concern("c-r"), "police_coordinator").status_code in (
        403,
        404,
    )
    other = intake.client.post(
        f"/v1/rejected/{reference}/resubmit",
        content=json.dumps(concern("c-r", municipality_code=OUT)).encode(),
        headers=headers("tovholder"),
    )
    assert other.status_code == 403
    assert reference in open_references(intake)
    assert concerns_published(intake) == []


def test_the_same_concern_id_posted_valid_closes_the_rejection(intake: ServiceUnderTest) -> None:
    reference = rejected_concern(intake, "c-again")
    unrelated = rejected_concern(intake, "c-other")
    assert post(intake, concern("c-again")).status_code == 202
    assert reference not in open_references(intake)
    assert unrelated in open_references(intake)
    closed = read(intake, reference)["corrected_by"]
    assert closed == {"concern_id": "c-again", "how": "submitted_again"}


def test_a_valid_concern_of_another_municipality_does_not_close_it(
    intake: ServiceUnderTest,
) -> None:
    reference = rejected_concern(intake, "c-mine")
    other = post(intake, concern("c-mine", municipality_code=OUT), municipalities=[IN, OUT])
    assert other.status_code in (202, 422)  # whether OUT is served here is not the point
    assert reference in open_references(intake)


def test_on_kafka_a_bad_and_a_good_concern_in_one_batch_and_later(
    intake: ServiceUnderTest,
) -> None:
    service = IntakeService(intake.app, Pseudonymiser(PSEUDONYM_SECRET.encode()))
    bad = json.dumps(concern("k-1", category="nope")).encode()
    good = json.dumps(concern("k-1")).encode()
    batch = [Inbound(CONCERNS, 0, 1, b"k-1", bad), Inbound(CONCERNS, 0, 2, b"k-1", good)]
    before = open_references(intake)  # the incidents the harness rejected
    intake.seed(CONSUMERS.batch_handler(service), batch)
    assert [m.concern_id for m in concerns_published(intake)] == ["k-1"]
    assert open_references(intake) == before  # closed in the batch that rejected it
    late = json.dumps(concern("k-2", text="")).encode()
    intake.seed(CONSUMERS.batch_handler(service), [Inbound(CONCERNS, 0, 3, b"k-2", late)])
    assert len(open_references(intake) - before) == 1
    fixed = json.dumps(concern("k-2")).encode()
    intake.seed(CONSUMERS.batch_handler(service), [Inbound(CONCERNS, 0, 4, b"k-2", fixed)])
    assert open_references(intake) == before


def test_resubmission_only_keeps_it_open_until_resubmitted(tmp_path: Path) -> None:
    with intake_under_test(tmp_path, INTAKE_CORRECTION_MATCH="resubmission_only") as intake:
        reference = rejected_concern(intake, "c-only")
        assert post(intake, concern("c-only")).status_code == 202
        assert reference in open_references(intake)
        assert resubmit(intake, reference, concern("c-only")).status_code == 200  # duplicate
        assert reference not in open_references(intake)


def test_an_incident_correction_reads_as_before() -> None:
    rejected = RejectedInput(
        reference="0b8f7a52-3c1e-4a4f-9d9e-1c2b3a4d5e6f",
        channel="http",
        received_at=datetime(2026, 11, 1, tzinfo=UTC),
        original_b64=base64.b64encode(b"{}").decode(),
        rejection={"reasons": []},
    )
    rejected.mark_corrected(journal_number="3700-80123-00456-26", revision=1)
    assert rejected.correction() == {
        "journal_number": "3700-80123-00456-26",
        "revision": 1,
        "how": "resubmitted",
    }
    assert not rejected.is_open and rejected.corrected_concern_id is None
    assert any(topic.endswith("ConcernCorrected") for topic in REJECTION_EVENT_TOPICS)


@pytest.mark.postgres
def test_on_postgresql_the_correction_is_stored_and_followed(
    tmp_path: Path, postgres_url: str
) -> None:
    with intake_under_test(tmp_path, SSP_DATABASE_URL=postgres_url) as intake:
        reference = rejected_concern(intake, "c-pg")
        assert resubmit(intake, reference, concern("c-pg")).status_code == 202
        assert reference not in open_references(intake)
        # A fresh index (as at a restart) follows the stored events: ConcernCorrected closes it.
        fresh = IntakeService(intake.app, Pseudonymiser(PSEUDONYM_SECRET.encode()))
        listed = intake.seed(fresh.open_rejections)
        assert listed and reference not in {summary.reference for summary in listed}
        closed = read(intake, reference)["corrected_by"]
        assert closed == {"concern_id": "c-pg", "how": "resubmitted"}
