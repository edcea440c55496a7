"""Identity resolution on intake: one person at a time, a stated purpose, the person's own
municipality only, rate limited, and always in the audit trail the person can ask about."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest

from services.intake.application.service import IntakeService
from services.intake.domain.pseudonym import Pseudonymiser
from shared.eventstore import UnitOfWork
from tests.support import example
from tests.unit.auth.support import (
    CPR_IN,
    CPR_OUT,
    OUT,
    PK_IN,
    PK_OUT,
    PK_UNKNOWN,
    PSEUDONYM_SECRET,
    ServiceUnderTest,
    headers,
    intake_under_test,
)

WHY = {"purpose": "informing the parents of the incident"}


@pytest.fixture
def intake(tmp_path: Path) -> Iterator[ServiceUnderTest]:
    with intake_under_test(tmp_path, INTAKE_IDENTITY_RESOLUTIONS_PER_HOUR="3") as served:
        yield served


def resolve(
    intake: ServiceUnderTest,
    person_key: str,
    role: str = "tovholder",
    body: dict[str, str] = WHY,
    **token: Any,
) -> httpx.Response:
    return intake.client.post(
        f"/v1/identities/{person_key}/resolve",
        json=body,
        headers=headers(role, purpose=False, **token),
    )


def test_the_person_is_resolved_and_the_read_audited(intake: ServiceUnderTest) -> None:
    response = resolve(intake, PK_IN)
    assert response.status_code == 200
    cpr = CPR_IN.replace("-", "")
    assert response.json() == {"person_key": PK_IN, "cpr": cpr, "names": ["Mads Jensen"]}
    [entry] = intake.audit.search(person_key=PK_IN, subject="user-tovholder")
    assert (entry.action, entry.result, entry.purpose, entry.count) == (
        "identity.resolve",
        "allowed",
        WHY["purpose"],
        1,
    )
    assert entry.person_keys == (PK_IN,)
    assert cpr not in str(entry.as_json()) and "Mads" not in str(entry.as_json())


def test_staff_of_the_persons_municipality_only(intake: ServiceUnderTest) -> None:
    assert resolve(intake, PK_OUT).status_code == 404
    assert resolve(intake, PK_OUT, municipalities=[OUT]).status_code == 200
    [refused] = intake.audit.search(person_key=PK_OUT, subject="user-tovholder")[:1]
    assert (refused.result, refused.reason) == ("denied", "outside_municipality")


def test_out_of_reach_answers_exactly_like_unknown(intake: ServiceUnderTest) -> None:
    out_of_reach, unknown = resolve(intake, PK_OUT), resolve(intake, PK_UNKNOWN)
    assert out_of_reach.status_code == unknown.status_code == 404
    assert out_of_reach.content == unknown.content
    assert out_of_reach.json() == {"error": "not_found", "message": "not found", "field": None}


def test_a_purpose_is_required(intake: ServiceUnderTest) -> None:
    response = resolve(intake, PK_IN, body={})
    assert response.status_code == 400
    assert response.json()["error"] == "purpose_required"
    assert intake.audit.search(person_key=PK_IN)[-1].reason == "purpose_missing"
    header_only = intake.client.post(
        f"/v1/identities/{PK_IN}/resolve",
        json={"purpose": " "},
        headers=headers("caseworker", purpose=False),
    )
    assert header_only.status_code == 400


@pytest.mark.parametrize("role", ["police_coordinator", "school_representative", "management"])
def test_roles_without_need_are_refused(intake: ServiceUnderTest, role: str) -> None:
    assert resolve(intake, PK_IN, role=role).status_code == 403


def test_attempts_are_rate_limited_per_user(intake: ServiceUnderTest) -> None:
    for _ in range(3):
        assert resolve(intake, PK_UNKNOWN).status_code == 404  # misses count too
    limited = resolve(intake, PK_IN)
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert resolve(intake, PK_IN, role="caseworker").status_code == 200  # another user
    assert intake.audit.search(subject="user-tovholder")[-1].reason == "rate_limited"


def test_who_looked_at_me(intake: ServiceUnderTest) -> None:
    resolve(intake, PK_IN)
    resolve(intake, PK_IN, role="caseworker")
    resolve(intake, PK_IN, role="police_coordinator")
    rejected = intake.records["rejected_in"]  # names the same person (by CPR number)
    intake.client.get(f"/v1/rejected/{rejected}", headers=headers("police_coordinator"))
    auditor = headers("auditor", municipalities=[])
    export = intake.client.get(f"/v1/audit/export/{PK_IN}", headers=auditor)
    assert export.status_code == 200
    looks = [(e["role"], e["action"], e["result"]) for e in export.json()["entries"]]
    assert looks == [
        ("tovholder", "identity.resolve", "allowed"),
        ("caseworker", "identity.resolve", "allowed"),
        ("police_coordinator", "identity.resolve", "denied"),
        ("police_coordinator", "rejected_input.read", "allowed"),
    ]
    assert all(e["purpose"] for e in export.json()["entries"])
    # The auditor's look is itself in the trail.
    again = intake.client.get(f"/v1/audit?person_key={PK_IN}", headers=auditor).json()
    assert again["entries"][-1]["action"] == "audit_trail.export"
    assert again["entries"][-1]["role"] == "auditor"


def test_case_register_municipality_counts(tmp_path: Path) -> None:
    """A person known only from the case register can be resolved by that municipality."""
    cpr = "2504081234"
    case_opened = {
        "event": "case_opened",
        "case_id": "DUBU-2026-000777",
        "cpr": cpr,
        "municipality_code": OUT,
        "at": "2026-10-02T09:00:00+02:00",
    }
    pseudonymiser = Pseudonymiser(PSEUDONYM_SECRET.encode())
    with intake_under_test(tmp_path) as intake:
        service = IntakeService(intake.app, pseudonymiser)

        def receive() -> None:
            uow = UnitOfWork(intake.app)
            service._receive_case_event(uow, json.dumps(case_opened).encode(), uuid4())
            uow.commit()

        intake.executor.submit(receive).result()
        key = pseudonymiser.person_key(cpr)
        assert resolve(intake, key).status_code == 404
        assert resolve(intake, key, municipalities=[OUT]).json()["cpr"] == cpr


def test_a_correction_may_not_bring_in_another_municipalitys_persons(
    intake: ServiceUnderTest,
) -> None:
    elsewhere = json.dumps(
        {
            **example("incident-valid.json"),
            "journal_number": "3700-80123-00777-26",
            "persons": [{"cpr": CPR_OUT, "role": "sigtet", "municipality_code": OUT}],
        }
    )
    reference = intake.records["rejected_in"]
    response = intake.client.post(
        f"/v1/rejected/{reference}/resubmit", content=elsewhere, headers=headers("tovholder")
    )
    assert response.status_code == 403
    entry = intake.audit.search(subject="user-tovholder")[-1]
    assert (entry.result, entry.reason) == ("denied", "outside_municipality")


def test_a_malformed_body_is_one_audit_entry_too(intake: ServiceUnderTest) -> None:
    before = intake.audit_count()
    response = intake.client.post(
        f"/v1/identities/{PK_IN}/resolve",
        json={"purpose": 5},
        headers=headers("tovholder", purpose=True),
    )
    assert response.status_code == 422
    assert intake.audit_count() == before + 1


# --- the letter to the parents (issue 16) ----------------------------------------------------
LETTER = {"purpose": "brev til forældre", "journal_number": "3700-80123-00456-26"}


def letter_recipients(
    intake: ServiceUnderTest, person_key: str, role: str = "tovholder", **token: Any
) -> httpx.Response:
    return intake.client.post(
        f"/v1/identities/{person_key}/letter-recipients",
        json=LETTER,
        headers=headers(role, purpose=False, **token),
    )


def test_the_letter_gets_name_address_and_the_persons_part_but_no_cpr(
    intake: ServiceUnderTest,
) -> None:
    response = letter_recipients(intake, PK_IN)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["names"], body["addresses"], body["custodians"]) == (
        ["Mads Jensen"],
        ["Vestre Ringvej 1, 7000 Fredericia"],
        [],  # the police incident names no custodians
    )
    assert body["incident"]["role"] == "sigtet"
    assert body["incident"]["journal_number"] == LETTER["journal_number"]
    assert CPR_IN.replace("-", "") not in response.text
    [entry] = intake.audit.search(person_key=PK_IN, subject="user-tovholder")
    assert (entry.action, entry.result, entry.purpose) == (
        "identity.letter_recipients",
        "allowed",
        "brev til forældre",
    )
    assert "Mads" not in str(entry.as_json())


def test_the_letter_recipients_need_the_persons_municipality(intake: ServiceUnderTest) -> None:
    assert letter_recipients(intake, PK_OUT).status_code == 404
    assert letter_recipients(intake, PK_UNKNOWN).status_code == 404
    # Not rate limited like a resolution (a week's letters go at once): the limit here is 3.
    assert all(letter_recipients(intake, PK_IN).status_code == 200 for _ in range(5))
