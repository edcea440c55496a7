"""Pseudonyms are stable keyed HMACs; case events leave intake without the CPR number."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.intake.adapters.publications import intake_publications
from services.intake.bootstrap import definition
from services.intake.domain.pseudonym import Pseudonymiser
from services.intake.settings import IntakeSettings
from shared.contracts import (
    INTAKE_CASE_EVENTS,
    INTAKE_REJECTED,
    SOCIAL_CASES,
    CaseRegisterEvent,
    PoliceIncident,
    is_valid_cpr,
    normalise_cpr,
    parse_bytes,
)
from tests.support import example, inbox_harness, outbox

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


@settings(max_examples=300, deadline=None)
@given(
    secret=st.binary(min_size=32, max_size=200),
    cpr=st.builds(
        "{:02d}{:02d}{:02d}{}{:04d}".format,
        st.integers(1, 28),
        st.integers(1, 12),
        st.integers(0, 99),
        st.sampled_from(["", "-"]),
        st.integers(0, 9999),
    ),
)
def test_every_key_is_the_hmac_of_its_secret(secret: bytes, cpr: str) -> None:
    """Also for secrets longer than SHA-256's block (hashed first, as `hmac` does), and the
    same whether the number is normalised here or was already."""
    assert is_valid_cpr(cpr)
    digits = normalise_cpr(cpr)
    documented = hmac.new(secret, b"person:" + digits.encode(), hashlib.sha256).hexdigest()
    p = Pseudonymiser(secret)
    assert p.person_key(cpr) == p.key_of_normalised(digits) == "pk_" + documented[:32]


def test_validated_cpr_numbers_are_normalised() -> None:
    """Why the service may key a validated model's `cpr` with `key_of_normalised`."""
    raw = example("incident-valid.json")
    raw["persons"][0]["cpr"] = "120310-4123"
    incident, _ = parse_bytes(json.dumps(raw).encode(), PoliceIncident)
    assert incident is not None and incident.persons[0].cpr == "1203104123"
    case = {
        "event": "case_opened",
        "case_id": "S-1",
        "cpr": "120310-4123",
        "municipality_code": "607",
        "at": "2026-11-16T08:12:00+01:00",
    }
    event, _ = parse_bytes(json.dumps(case).encode(), CaseRegisterEvent)
    assert event is not None and event.cpr == "1203104123"
