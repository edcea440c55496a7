"""Intake takes concerns that do not come from the police (issue 15, part 5): over HTTP and on
ssp.concerns.v1, pseudonymised like an incident, with the reporter, the category and the free
text kept encrypted; bad input is rejected and kept; the text is read only by those allowed,
with a purpose, audited."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from services.intake.adapters.publications import intake_publications
from services.intake.application.service import IntakeService
from services.intake.domain.pseudonym import Pseudonymiser
from services.intake.entrypoints.kafka import CONSUMERS
from shared.contracts import (
    CONCERNS,
    INTAKE_CONCERNS,
    INTAKE_REJECTED,
    ConcernRegistered,
    IntakeRejection,
)
from shared.messaging.inbound import Inbound
from tests.unit.auth.support import (
    CPR_IN,
    IN,
    OUT,
    PK_IN,
    PSEUDONYM_SECRET,
    SCHOOL,
    ServiceUnderTest,
    headers,
    intake_under_test,
)
from tests.unit.concerns.documents import REPORTER_NAME, SECRET_TEXT, accepted, concern


@pytest.fixture
def intake(tmp_path: Path) -> Iterator[ServiceUnderTest]:
    # A store in a file (not memory): the test reads its bytes.
    with intake_under_test(tmp_path, SSP_DATABASE_URL="") as served:
        yield served


def post(intake: ServiceUnderTest, document: Any, role: str = "tovholder", **token: Any) -> Any:
    body = document if isinstance(document, bytes) else json.dumps(document).encode()
    return intake.client.post(
        "/v1/concerns", content=body, headers=headers(role, purpose=False, **token)
    )


def published(intake: ServiceUnderTest) -> list[tuple[str, Any]]:
    def read() -> list[Any]:
        return list(intake.app.recorder.select_notifications(start=1, limit=1000))

    return [
        (outgoing.topic, outgoing)
        for notification in intake.seed(read)
        for outgoing in intake_publications(intake.app.mapper.to_domain_event(notification))
    ]


def concerns_published(intake: ServiceUnderTest) -> list[ConcernRegistered]:
    return [
        ConcernRegistered.model_validate(o.value)
        for topic, o in published(intake)
        if topic == INTAKE_CONCERNS
    ]


def test_a_concern_is_accepted_pseudonymised_and_published_without_text_or_names(
    intake: ServiceUnderTest,
) -> None:
    answer = post(intake, concern())
    assert answer.status_code == 202, answer.text
    assert answer.json() == accepted("c-1")
    [message] = concerns_published(intake)
    assert message.person_key == PK_IN
    assert (message.category, message.reporter_kind, message.school) == (
        "grupperinger",
        "school",
        SCHOOL,
    )
    assert message.iso_week == "2026-W47" and message.municipality_code == IN
    body = message.model_dump_json()
    for secret in (SECRET_TEXT, REPORTER_NAME, "Mads", CPR_IN, CPR_IN.replace("-", "")):
        assert secret not in body
    again = post(intake, concern())
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert len(concerns_published(intake)) == 1


def test_the_store_keeps_text_reporter_and_cpr_encrypted(
    intake: ServiceUnderTest, tmp_path: Path
) -> None:
    assert post(intake, concern()).status_code == 202
    assert post(intake, concern("c-bad", category="nope")).status_code == 422
    files = [p for p in tmp_path.rglob("intake.sqlite*") if p.is_file()]
    assert files
    stored = b"".join(p.read_bytes() for p in files)
    for secret in (SECRET_TEXT, REPORTER_NAME, "Mads Jensen", CPR_IN, CPR_IN.replace("-", "")):
        assert secret.encode() not in stored
        assert secret.encode("utf-16-le") not in stored
    # ... and yet it is all there for those allowed to read it.
    read = intake.client.get("/v1/concerns/c-1", headers=headers("tovholder"))
    assert read.status_code == 200, read.text
    assert read.json()["text"] == SECRET_TEXT
    assert read.json()["reporter"]["name"] == REPORTER_NAME


def test_bad_input_is_rejected_and_kept_naming_the_fields_never_the_values(
    intake: ServiceUnderTest,
) -> None:
    too_long = "x" * 4001
    answer = post(intake, concern("c-2", text=too_long, category="nope"))
    assert answer.status_code == 422
    body = answer.json()
    assert body["error"] == "invalid_concern" and body["message"] and body["field"]
    fields = {p["field"] for p in body["problems"]}
    assert {"text", "category"} <= fields
    assert too_long not in answer.text and "nope" not in answer.text
    rejections = [o for topic, o in published(intake) if topic == INTAKE_REJECTED]
    assert body["reference"] in [
        IntakeRejection.model_validate(r.value).reference for r in rejections
    ]
    # Kept for correction, for the municipality's coordinator (never for the police).
    kept = intake.client.get(body["retrievable_at"], headers=headers("tovholder"))
    assert kept.status_code == 200 and too_long in kept.json()["original_text"]
    police = intake.client.get(body["retrievable_at"], headers=headers("police_coordinator"))
    assert police.status_code == 404
    # Listed as open, marked as a concern, for the coordinator; not for the police.
    listed = intake.client.get("/v1/rejected", headers=headers("tovholder")).json()
    [mine] = [r for r in listed["rejections"] if r["reference"] == body["reference"]]
    assert mine["from_concern"] is True and mine["municipality_codes"] == [IN]
    police_list = intake.client.get("/v1/rejected", headers=headers("police_coordinator"))
    assert body["reference"] not in police_list.text
    assert concerns_published(intake) == []


def test_an_unserved_municipality_is_rejected(intake: ServiceUnderTest) -> None:
    answer = post(intake, concern("c-3", municipality_code="101"), municipalities=["101"])
    assert answer.status_code == 422
    assert answer.json()["problems"][0]["code"] == "municipality_not_served"


@pytest.mark.parametrize(
    ("role", "token", "status"),
    [
        ("tovholder", {}, 202),
        ("caseworker", {}, 202),
        ("school_representative", {}, 202),
        ("school_representative", {"schools": ["Anden Skole"]}, 403),
        ("tovholder", {"municipalities": [OUT]}, 403),
        ("police_coordinator", {}, 403),
        ("management", {}, 403),
    ],
)
def test_who_may_register_a_concern(
    intake: ServiceUnderTest, role: str, token: dict[str, Any], status: int
) -> None:
    assert post(intake, concern(f"c-{role}"), role, **token).status_code == status


def test_the_text_is_read_only_by_those_allowed_with_a_purpose_and_audited(
    intake: ServiceUnderTest,
) -> None:
    assert post(intake, concern()).status_code == 202
    before = intake.audit_count()
    for role, token in (
        ("police_coordinator", {}),
        ("school_representative", {}),
        ("tovholder", {"municipalities": [OUT]}),
    ):
        answer = intake.client.get("/v1/concerns/c-1", headers=headers(role, **token))
        assert answer.status_code in (403, 404), role
        assert SECRET_TEXT not in answer.text
    no_purpose = intake.client.get("/v1/concerns/c-1", headers=headers("tovholder", purpose=False))
    assert no_purpose.status_code == 400
    unknown = intake.client.get("/v1/concerns/c-404", headers=headers("tovholder"))
    assert unknown.status_code == 404
    read = intake.client.get("/v1/concerns/c-1", headers=headers("team_leader"))
    assert read.status_code == 200 and read.json()["category"] == "grupperinger"
    entries = [e for e in intake.seed(lambda: intake.audit.search()) if e.action == "concern.read"]
    assert any(PK_IN in e.person_keys and e.role == "team_leader" for e in entries)
    assert intake.audit_count() > before


def test_concerns_on_kafka_are_taken_like_incidents_and_bad_ones_kept(
    intake: ServiceUnderTest,
) -> None:
    service = IntakeService(intake.app, Pseudonymiser(PSEUDONYM_SECRET.encode()))
    good = json.dumps(concern("k-1")).encode()
    batch = [Inbound(CONCERNS, 0, 1, b"k-1", good), Inbound(CONCERNS, 0, 2, b"x", b"\xff")]
    intake.seed(CONSUMERS.batch_handler(service), batch)
    assert [m.concern_id for m in concerns_published(intake)] == ["k-1"]
    assert any(topic == INTAKE_REJECTED for topic, _ in published(intake))


@pytest.mark.postgres
def test_on_postgresql_too_the_stored_rows_hold_no_text_reporter_or_cpr(
    tmp_path: Path, postgres_url: str
) -> None:
    with intake_under_test(tmp_path, SSP_DATABASE_URL=postgres_url) as served:
        assert post(served, concern()).status_code == 202
        read = served.client.get("/v1/concerns/c-1", headers=headers("tovholder"))
        assert read.json()["text"] == SECRET_TEXT
    stored = b""
    with psycopg.connect(postgres_url) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_name LIKE %s",
                ("%intake%",),
            )
        ]
        assert tables
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                stored += b"|".join(
                    bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
                    for value in row
                )
    assert len(stored) > 1000
    for secret in (SECRET_TEXT, REPORTER_NAME, "Mads Jensen", CPR_IN, CPR_IN.replace("-", "")):
        assert secret.encode() not in stored
