"""Victims are not suspects (issue 14, part 2) and who receives the letter (part 3): rule tables
citing the seed lines, and the invariants as properties.

Seeds: 000 l.195/199 (the police list carries young people "antruffet, sigtet eller
forurettet"), 000 l.200-201 (who is informed, with and without an active case), 004 l.96-132
(abuse cases: the child is the victim)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.triage.domain.roles import recipients_for
from services.triage.domain.routing import ActiveCase, PersonFacts, Report, route_person
from shared.contracts import AcceptedIncident
from shared.contracts.incidents import FLAGS, ROLES
from tests.unit.triage.factories import DECIDED_AT, incident, person, profile

FREDERICIA = profile("607")
HERNING = profile("657")
CASE = ActiveCase(case_id="DUBU-2026-001234", municipality_code="607")


def decide(
    role: str = "sigtet",
    age: int = 16,
    flags: list[str] | None = None,
    facts: PersonFacts | None = None,
    municipality: str = "607",
) -> Any:
    accepted: AcceptedIncident = incident(
        persons=[person("pk_a", age, role=role, municipality_code=municipality)],
        flags=flags or [],
    )
    return route_person(
        accepted.persons[0],
        accepted,
        facts or PersonFacts(),
        profile(municipality),
        DECIDED_AT,
    )


# --- part 2: exit referrals by role --------------------------------------------------------------
EXIT_RULES = [
    pytest.param("sigtet", 16, ["bande"], True, id="suspect 16 with bande: referred"),
    pytest.param("antruffet", 17, ["ekstremisme"], True, id="encountered with ekstremisme"),
    pytest.param("forurettet", 17, ["bande"], False, id="000 l.195: a victim is never referred"),
    pytest.param("sigtet", 14, ["bande"], False, id="under 15: not the target group"),
    pytest.param("sigtet", 16, ["rusmidler"], False, id="no exit flag"),
]


@pytest.mark.parametrize(("role", "age", "flags", "referred"), EXIT_RULES)
def test_exit_referral_rule_table(role: str, age: int, flags: list[str], referred: bool) -> None:
    assert ("exit_referral" in decide(role, age, flags).reasons) is referred


@settings(max_examples=200, deadline=None)
@given(
    age=st.integers(0, 25),
    flags=st.lists(st.sampled_from(sorted(FLAGS)), unique=True, max_size=4),
    active_case=st.booleans(),
)
def test_a_victim_never_gets_an_exit_referral(
    age: int, flags: list[str], active_case: bool
) -> None:
    facts = PersonFacts(active_case=CASE if active_case else None)
    assert "exit_referral" not in decide("forurettet", age, flags, facts).reasons


# --- part 2: the repeat rule counts roles per profile ---------------------------------------------
def earlier(*roles: str) -> tuple[Report, ...]:
    occurred = datetime(2026, 11, 15, 21, 40, tzinfo=UTC)
    return tuple(
        Report(
            journal_number=f"3700-80123-{n:05d}-26",
            revision=1,
            occurred_at=occurred - timedelta(days=10 * (n + 1)),
            role=role,  # type: ignore[arg-type]
            offence_code="butikstyveri",
            age_at_incident=16,
        )
        for n, role in enumerate(roles)
    )


REPEAT_RULES = [
    # (this report's role, earlier roles) -> repeat; Fredericia: threshold 3 in 180 days
    pytest.param("sigtet", ("sigtet", "antruffet"), True, id="three as suspect/encountered"),
    pytest.param("sigtet", ("forurettet", "forurettet"), False, id="earlier as victim: no"),
    pytest.param("forurettet", ("sigtet", "sigtet"), False, id="a victim's own report: no"),
    pytest.param("antruffet", ("sigtet", "forurettet", "antruffet"), True, id="mixed: 3 count"),
]


@pytest.mark.parametrize(("role", "roles", "repeat"), REPEAT_RULES)
def test_repeat_rule_table(role: str, roles: tuple[str, ...], repeat: bool) -> None:
    decision = decide(role, 16, facts=PersonFacts(earlier_reports=earlier(*roles)))
    assert decision.history.repeat is repeat
    assert decision.history.earlier_reports == len(roles)  # every report is shown


@settings(max_examples=200, deadline=None)
@given(roles=st.lists(st.sampled_from(ROLES), max_size=6))
def test_a_victims_reports_never_raise_the_severity(roles: list[str]) -> None:
    as_victim = decide("forurettet", 16, facts=PersonFacts(earlier_reports=earlier(*roles)))
    first = decide("forurettet", 16)
    assert as_victim.severity == first.severity
    assert "repeat_within_window" not in as_victim.reasons


# --- parts 2-3: the letters and who receives them (Fredericia's table) -----------------------
def plans(decision: Any) -> dict[str | None, tuple[str, list[str]]]:
    return {p.assessment: (p.kind, p.recipients) for p in decision.letters}


LETTER_RULES = [
    # 000 l.201: no case: the tovholder informs "forældre og den unge", no age limit
    pytest.param(False, "sigtet", 12, {None: ("orientering", ["parents", "youth"])}, id="l201-12"),
    # 000 l.200: case: orientering to "forældre og den unge over 15 år" (read >= 15)
    pytest.param(
        True,
        "sigtet",
        14,
        {"inform": ("orientering", ["parents"]), "summon": ("indkaldelse", ["parents", "youth"])},
        id="l200-14",
    ),
    pytest.param(
        True,
        "sigtet",
        15,
        {
            "inform": ("orientering", ["parents", "youth"]),
            "summon": ("indkaldelse", ["parents", "youth"]),
        },
        id="l200-15",
    ),
    # 18 and over: the young person only (an adult)
    pytest.param(False, "antruffet", 19, {None: ("orientering", ["youth"])}, id="adult"),
    # part 2: a victim's orientering is of its own kind
    pytest.param(
        False,
        "forurettet",
        13,
        {None: ("orientering_forurettet", ["parents", "youth"])},
        id="victim-no-case",
    ),
    pytest.param(
        True,
        "forurettet",
        16,
        {
            "inform": ("orientering_forurettet", ["parents", "youth"]),
            "summon": ("indkaldelse", ["parents", "youth"]),
        },
        id="victim-case",
    ),
]


@pytest.mark.parametrize(("case", "role", "age", "expected"), LETTER_RULES)
def test_fredericia_letter_table(
    case: bool, role: str, age: int, expected: dict[str | None, tuple[str, list[str]]]
) -> None:
    facts = PersonFacts(active_case=CASE if case else None)
    assert plans(decide(role, age, facts=facts)) == expected


@settings(max_examples=200, deadline=None)
@given(age=st.integers(0, 25), role=st.sampled_from(ROLES), case=st.booleans())
def test_other_municipalities_keep_the_age_rule(age: int, role: str, case: bool) -> None:
    """Herning's seed says nothing about recipients: every letter by youth_letter_age, as
    before."""
    facts = PersonFacts(active_case=CASE if case else None)
    decision = decide(role, age, facts=facts, municipality="657")
    assert not HERNING.recipients
    for plan in decision.letters:
        assert plan.recipients == recipients_for(age, HERNING.youth_letter_age)
