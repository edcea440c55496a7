"""`GET /v1/rejected`: the open rejections of the caller's reach, by role and municipality,
with problems that say what is allowed, paged, audited; a corrected one leaves the list."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import example
from tests.unit.auth.support import (
    CPR_IN,
    IN,
    OUT,
    ServiceUnderTest,
    headers,
    intake_under_test,
    reject_case_events,
)


@pytest.fixture(scope="module")
def intake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceUnderTest]:
    """Seeded: one rejection naming 607, one naming 376, one unreadable (no municipality);
    here also a case-register event of 607 rejected on Kafka."""
    with intake_under_test(tmp_path_factory.mktemp("intake")) as served:
        case_event = json.dumps(
            {"event": "case_opened", "case_id": "DUBU-9", "cpr": CPR_IN, "municipality_code": IN}
        ).encode()
        reject_case_events(served, case_event)
        yield served


def listed(
    intake: ServiceUnderTest, role: str, municipalities: list[str], **params: Any
) -> tuple[int, dict[str, Any]]:
    answer = intake.client.get(
        "/v1/rejected", params=params, headers=headers(role, municipalities=municipalities)
    )
    return answer.status_code, answer.json()


def references(body: dict[str, Any]) -> set[str]:
    return {r["reference"] for r in body["rejections"]}


def test_a_tovholder_lists_the_rejections_of_their_municipality(
    intake: ServiceUnderTest,
) -> None:
    status, body = listed(intake, "tovholder", [IN])
    assert status == 200
    assert intake.records["rejected_in"] in references(body)
    assert intake.records["rejected_out"] not in references(body)
    assert intake.records["rejected_unreadable"] not in references(body)  # names none
    from_register = [r for r in body["rejections"] if r["from_case_register"]]
    assert len(from_register) == 1 and from_register[0]["channel"] == "kafka"
    assert body["total"] == 2
    _, both = listed(intake, "tovholder", [IN, OUT])
    assert {intake.records["rejected_in"], intake.records["rejected_out"]} <= references(both)


def test_the_police_coordinator_lists_no_case_register_event_but_unreadable_input(
    intake: ServiceUnderTest,
) -> None:
    status, body = listed(intake, "police_coordinator", [IN])
    assert status == 200
    assert references(body) == {
        intake.records["rejected_in"],
        intake.records["rejected_unreadable"],
    }
    assert not any(r["from_case_register"] for r in body["rejections"])
    _, only_607 = listed(intake, "police_coordinator", [IN], municipality_code=IN)
    assert references(only_607) == {intake.records["rejected_in"]}


@pytest.mark.parametrize("role", ["team_leader", "caseworker", "school_representative", "auditor"])
def test_roles_that_do_not_correct_input_are_refused(intake: ServiceUnderTest, role: str) -> None:
    assert listed(intake, role, [IN])[0] == 403


def test_a_municipality_outside_the_token_is_refused_and_a_purpose_required(
    intake: ServiceUnderTest,
) -> None:
    assert listed(intake, "tovholder", [IN], municipality_code=OUT)[0] == 403
    assert listed(intake, "tovholder", [IN], municipality_code="999")[0] == 422
    no_purpose = intake.client.get(
        "/v1/rejected", headers=headers("tovholder", purpose=False, municipalities=[IN])
    )
    assert no_purpose.status_code == 400


def test_each_rejection_has_its_problems_by_field_saying_what_is_allowed(
    intake: ServiceUnderTest,
) -> None:
    _, body = listed(intake, "tovholder", [IN])
    [row] = [r for r in body["rejections"] if r["reference"] == intake.records["rejected_in"]]
    problems = {p["field"]: p for p in row["problems"]}
    assert problems["journal_number"]["code"] == "string_pattern_mismatch"
    assert "3700-80123-00456-26" in problems["journal_number"]["message"]
    for problem in row["problems"]:
        assert not any(mark in problem["message"] for mark in ("^", "[0-9]", "{", "$"))
    assert row["municipality_codes"] == [IN]
    assert row["journal_number"] is None  # it had none that could be read
    assert row["retrievable_at"] == f"/v1/rejected/{row['reference']}"
    assert CPR_IN not in json.dumps(body)


def test_the_list_is_paged_and_bounded(intake: ServiceUnderTest) -> None:
    _, first = listed(intake, "tovholder", [IN], limit=1)
    _, second = listed(intake, "tovholder", [IN], limit=1, offset=1)
    assert first["next_offset"] == 1 and second["next_offset"] is None
    assert len(first["rejections"]) == len(second["rejections"]) == 1
    assert references(first) != references(second)
    assert listed(intake, "tovholder", [IN], limit=201)[0] == 422
    assert listed(intake, "tovholder", [IN], limit=0)[0] == 422


def test_every_list_read_is_audited(intake: ServiceUnderTest) -> None:
    before = intake.audit_count()
    listed(intake, "tovholder", [IN])
    assert intake.audit_count() == before + 1
    entry = intake.audit.search(limit=100_000)[-1]
    assert entry.action == "rejected_input.list" and entry.count == 2


def test_a_resubmitted_rejection_leaves_the_list(tmp_path_factory: pytest.TempPathFactory) -> None:
    with intake_under_test(tmp_path_factory.mktemp("resubmit")) as served:
        reference = served.records["rejected_in"]
        staff = headers("tovholder", municipalities=[IN])
        corrected = {**example("incident-valid.json"), "revision": 2}
        answer = served.client.post(
            f"/v1/rejected/{reference}/resubmit", content=json.dumps(corrected), headers=staff
        )
        assert answer.status_code == 202, answer.text
        _, body = listed(served, "tovholder", [IN])
        assert reference not in references(body)
        read = served.client.get(f"/v1/rejected/{reference}", headers=staff).json()
        assert read["corrected_by"] == {
            "journal_number": corrected["journal_number"],
            "revision": 2,
            "how": "resubmitted",
        }
