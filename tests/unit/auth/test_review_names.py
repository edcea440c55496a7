"""Intake resolves the names of a review sample in one step (issue 17, part 4): the review
(`607/2026`) is the purpose's occasion instead of a meeting, with the meeting's rules: the
roles that may resolve, only persons of the caller's municipalities, limited per review,
audited with every person."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.unit.auth.support import (
    IN,
    OUT,
    PK_IN,
    PK_OUT,
    ServiceUnderTest,
    headers,
    intake_under_test,
)

PURPOSE = "kvalitetsgennemgang: review sample"


@pytest.fixture
def intake(tmp_path: Path) -> Iterator[ServiceUnderTest]:
    with intake_under_test(tmp_path, INTAKE_MEETING_RESOLUTIONS_PER_HOUR="2") as served:
        yield served


def resolve(
    intake: ServiceUnderTest, body: dict[str, Any], role: str = "team_leader"
) -> httpx.Response:
    return intake.client.post(
        "/v1/identities/resolve-batch",
        json={"purpose": PURPOSE, "person_keys": [PK_IN, PK_OUT], **body},
        headers=headers(role, purpose=False),
    )


def test_a_review_sample_is_resolved_in_one_step_and_audited_per_person(
    intake: ServiceUnderTest,
) -> None:
    answer = resolve(intake, {"review": f"{IN}/2026"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["review"], body["meeting"]) == (f"{IN}/2026", None)
    assert [(p["person_key"], p["names"]) for p in body["persons"]] == [(PK_IN, ["Mads Jensen"])]
    assert body["not_found"] == [PK_OUT]
    [entry] = intake.audit.search(person_key=PK_IN, subject="user-team_leader")
    assert (entry.action, entry.result, entry.purpose) == (
        "identity.resolve_for_meeting", "allowed", PURPOSE,
    )  # fmt: skip


def test_a_review_names_its_municipality_and_is_limited_per_review(
    intake: ServiceUnderTest,
) -> None:
    assert resolve(intake, {"review": f"{OUT}/2026"}).status_code == 403
    assert resolve(intake, {"review": f"{IN}/2026"}, role="auditor").status_code == 403
    for body in ({}, {"review": f"{IN}/2026", "meeting": f"{IN}/2026-W47"}, {"review": "607"}):
        refused = resolve(intake, body)
        assert refused.status_code == 422, body
    assert resolve(intake, {"review": f"{IN}/2026"}).status_code == 200
    assert resolve(intake, {"review": f"{IN}/2026"}).status_code == 200
    assert resolve(intake, {"review": f"{IN}/2026"}).status_code == 429
    # Another occasion has its own budget.
    assert resolve(intake, {"review": f"{IN}/2025"}).status_code == 200
