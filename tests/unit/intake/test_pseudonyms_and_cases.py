"""Pseudonyms are stable keyed HMACs; case events leave intake without the CPR number."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest

from services.intake.adapters.publications import intake_publications
from services.intake.bootstrap import definition
from services.intake.domain.pseudonym import Pseudonymiser
from services.intake.settings import IntakeSettings
from shared.contracts import INTAKE_CASE_EVENTS, INTAKE_REJECTED, SOCIAL_CASES
from tests.support import inbox_harness, outbox

SECRET = b"k" * 32


def test_the_same_person_always_gets_the_same_key() -> None:
    p = Pseudonymiser(SECRET)
    assert p.person_key("120310-4123") == p.person_key("1203104123")
    assert p.person_key("120310-4123") != p.person_key("120310-4124")
    assert "1203104123" not in p.person_key("1203104123")


def test_the_key_is_the_documented_hmac_of_the_cpr_number() -> None:
    def documented(cpr: str) -> str:
        return "pk_" + hmac.new(SECRET, b"person:" + cpr.encode(), hashlib.sha256).hexdigest()[:32]

    p = Pseudonymiser(SECRET)
    # Each key starts from the same keyed state: earlier keys do not change later ones.
    assert [p.person_key(c) for c in ("120310-4123", "0205094871", "1203104123")] == [
        documented("1203104123"),
        documented("0205094871"),
        documented("1203104123"),
    ]


def test_the_key_depends_on_the_secret() -> None:
    assert Pseudonymiser(SECRET).person_key("1203104123") != Pseudonymiser(b"x" * 32).person_key(
        "1203104123"
    )


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        Pseudonymiser(b"short")


async def test_case_events_are_pseudonymised_once(tmp_path: Path) -> None:
    settings = IntakeSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path))
    case_opened = {
        "event": "case_opened",
        "case_id": "DUBU-2026-001234",
        "cpr": "1203104123",
        "municipality_code": "607",
        "team": "Børn og Familie Team Nord",
        "caseworker": "ABJ",
        "at": "2026-10-02T09:00:00+02:00",
    }
    async with inbox_harness(definition(settings)) as h:
        await h.publish(case_opened, SOCIAL_CASES)
        await h.publish(case_opened, SOCIAL_CASES)  # the register sent it twice
        await h.publish({**case_opened, "event": "case_reopened"}, SOCIAL_CASES)
        published = outbox(h.app, intake_publications)
    case_events = [json.loads(m.body()) for m in published if m.topic == INTAKE_CASE_EVENTS]
    assert len(case_events) == 1
    assert case_events[0]["person_key"].startswith("pk_")
    assert "1203104123" not in json.dumps(case_events)
    rejected = [json.loads(m.body()) for m in published if m.topic == INTAKE_REJECTED]
    assert [r["reasons"][0]["field"] for r in rejected] == ["event"]
