"""Rejected input naming several municipalities shows a user only the persons of their own
municipalities (and audits only those); a rejected case-register event is social services'
record, not shown to the police (issue 12, part 5)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from services.intake.domain.pseudonym import Pseudonymiser
from tests.unit.auth.support import (
    CPR_IN,
    CPR_OUT,
    IN,
    OUT,
    PSEUDONYM_SECRET,
    ServiceUnderTest,
    headers,
    intake_under_test,
    reject_case_events,
)

PK_IN = Pseudonymiser(PSEUDONYM_SECRET.encode()).person_key(CPR_IN)
PK_OUT = Pseudonymiser(PSEUDONYM_SECRET.encode()).person_key(CPR_OUT)


def _mixed_document() -> bytes:
    return json.dumps(
        {
            "journal_number": "3700-80123-00456-26",
            "revision": 1,
            "source": "doegnrapport",
            "reported_at": "2026-11-16T08:12:00+01:00",
            "occurred_at": "not a time",  # the reason it is rejected
            "offence": {"code": "vold"},
            "location": {"municipality_code": IN},
            "persons": [
                {"cpr": CPR_IN, "name": "Mads Jensen", "role": "sigtet", "municipality_code": IN},
                {"cpr": CPR_OUT, "name": "Emil Hansen", "role": "sigtet", "municipality_code": OUT},
            ],
            "narrative": "Mads og Emil fra Nykøbing",
        }
    ).encode()


@pytest.fixture(scope="module")
def intake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceUnderTest]:
    with intake_under_test(tmp_path_factory.mktemp("intake")) as served:
        police = headers("police_integration", purpose=False)
        answer = served.client.post("/v1/incidents", content=_mixed_document(), headers=police)
        assert answer.status_code == 422
        served.records["mixed"] = answer.json()["reference"]
        # A case-register event without `at`, rejected on Kafka.
        case_event = json.dumps(
            {"event": "case_opened", "case_id": "DUBU-1", "cpr": CPR_IN, "municipality_code": IN}
        ).encode()
        served.records["case_event"], served.records["unreadable_case_event"] = reject_case_events(
            served, case_event, b"\xff not json"
        )
        yield served


def _read(
    intake: ServiceUnderTest, name: str, role: str, municipalities: list[str]
) -> dict[str, Any]:
    answer = intake.client.get(
        f"/v1/rejected/{intake.records[name]}",
        headers=headers(role, municipalities=municipalities),
    )
    return {"status": answer.status_code, **(answer.json() if answer.status_code == 200 else {})}


@pytest.mark.parametrize("role", ["tovholder", "police_coordinator"])
def test_a_user_sees_only_the_persons_of_their_own_municipalities(
    intake: ServiceUnderTest, role: str
) -> None:
    seen = _read(intake, "mixed", role, [IN])
    assert seen["status"] == 200 and seen["redacted"] is True
    document = json.loads(seen["original_text"])
    assert document["persons"][0]["cpr"] == CPR_IN
    assert document["persons"][1] == {"withheld": "outside_your_municipalities"}
    assert document["narrative"] == {"withheld": "outside_your_municipalities"}
    original = base64.b64decode(seen["original_base64"]).decode()
    for other in (CPR_OUT, "Emil", "Nykøbing"):
        assert other not in seen["original_text"] and other not in original
    entry = intake.audit.search(limit=100_000)[-1]
    assert entry.person_keys == (PK_IN,)  # audited with the person shown, not the other


def test_the_other_municipality_sees_only_its_own_child(intake: ServiceUnderTest) -> None:
    seen = _read(intake, "mixed", "tovholder", [OUT])
    document = json.loads(seen["original_text"])
    assert document["persons"][0] == {"withheld": "outside_your_municipalities"}
    assert document["persons"][1]["cpr"] == CPR_OUT


def test_a_user_of_every_named_municipality_sees_the_whole_original(
    intake: ServiceUnderTest,
) -> None:
    seen = _read(intake, "mixed", "tovholder", [IN, OUT])
    assert seen["redacted"] is False
    assert base64.b64decode(seen["original_base64"]) == _mixed_document()


def test_a_rejected_case_register_event_is_not_shown_to_the_police(
    intake: ServiceUnderTest,
) -> None:
    assert _read(intake, "case_event", "police_coordinator", [IN])["status"] == 404
    assert _read(intake, "case_event", "tovholder", [IN])["status"] == 200
    assert _read(intake, "case_event", "tovholder", [OUT])["status"] == 404


def test_an_unreadable_case_register_event_is_not_shown_to_the_police(
    intake: ServiceUnderTest,
) -> None:
    # It names no municipality: before, any police coordinator could read it.
    assert _read(intake, "unreadable_case_event", "police_coordinator", [IN])["status"] == 404
