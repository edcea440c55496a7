"""Issue 18 over triage's HTTP API: the minutes show a note's text until the person it is about
is erased, then neither the note nor the decision; a note about an erased person is refused
(404 alike); the erasure report counts triage's erasures for auditors, never who."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.triage.entrypoints.kafka import CONSUMERS
from tests.unit.auth.support import (
    IN,
    JOURNAL_IN,
    PK_IN,
    WEEK,
    ServiceUnderTest,
    headers,
    triage_under_test,
)
from tests.unit.triage.lifecycle import erasure_message

MINUTES = f"/v1/meetings/{IN}/{WEEK}"
TEXT = "Drengen har været meget fraværende; mor er bekymret"


@pytest.fixture
def triage(tmp_path: Path) -> Iterator[ServiceUnderTest]:
    with triage_under_test(tmp_path) as served:
        yield served


def note(triage: ServiceUnderTest) -> int:
    body = {"journal_number": JOURNAL_IN, "person_key": PK_IN, "text": TEXT}
    answer = triage.client.post(
        f"{MINUTES}/notes", json=body, headers=headers("tovholder", purpose=False)
    )
    return answer.status_code


def erase(triage: ServiceUnderTest) -> None:
    triage.seed(CONSUMERS.batch_handler(triage.seeder), [erasure_message(PK_IN, IN)])


def test_the_minutes_forget_an_erased_person_and_take_no_note_about_them(
    triage: ServiceUnderTest,
) -> None:
    assert note(triage) == 201
    minutes = triage.client.get(MINUTES, headers=headers("tovholder")).json()
    assert [n["text"] for n in minutes["notes"]] == [TEXT]

    erase(triage)

    minutes = triage.client.get(MINUTES, headers=headers("tovholder")).json()
    assert (minutes["items"], minutes["notes"]) == ([], [])
    assert note(triage) == 404
    decisions = triage.client.get(f"/v1/decisions/{JOURNAL_IN}", headers=headers("tovholder"))
    assert decisions.status_code == 404, decisions.text  # none in reach: as for none at all


def test_the_erasure_report_counts_triage_erasures_for_auditors(triage: ServiceUnderTest) -> None:
    erase(triage)
    answer = triage.client.get("/v1/erasures/report", headers=headers("auditor", purpose=False))
    assert answer.status_code == 200, answer.text
    [row] = answer.json()["rows"]
    assert (row["kind"], row["month"], row["reason"], row["count"]) == (
        "person",
        "2026-11",
        "request",
        1,
    )
    assert PK_IN not in answer.text
    refused = triage.client.get("/v1/erasures/report", headers=headers("tovholder"))
    assert refused.status_code == 403
