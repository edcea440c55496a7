"""Issue 16's property: over ages, routes, roles, assessment outcomes and municipality profiles,
every task that is created has exactly one template, and every letter rendered for it names its
recipients correctly (one copy per recipient set, each addressed to whom it is for)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import TemplateNotFound

from services.notifications.domain.letter_content import (
    AUDIENCES,
    ROLES,
    audience,
    template_name,
)
from services.notifications.domain.letter_task_case import LetterTaskCase
from tests.unit.notifications.factories import DEADLINES, assessment, decision
from tests.unit.notifications.letters.support import BOOK, facts

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
PROFILES = ["607", "376", "161", "657", "575", "999"]  # 999: no profile of its own
NAME = "Sofie Nørgaard-Ærø"


@settings(max_examples=150, deadline=None)
@given(
    age=st.integers(min_value=0, max_value=25),
    route=st.sampled_from(["tovholder", "caseworker"]),
    outcome=st.sampled_from(["inform", "summon"]),
    role=st.sampled_from(ROLES),
    municipality=st.sampled_from(PROFILES),
    youth_letter_age=st.one_of(st.none(), st.integers(min_value=12, max_value=18)),
    custodians=st.sampled_from(
        [(), (("Anne Ø", "Nørregade 1, 7000 Fredericia"), ("Per Å", "Søndergade 2, 7100 Vejle"))]
    ),
)
def test_every_task_has_one_template_and_names_its_recipients(
    age: int,
    route: str,
    outcome: str,
    role: str,
    municipality: str,
    youth_letter_age: int | None,
    custodians: tuple[tuple[str, str], ...],
) -> None:
    routed = decision(
        route=route,
        age=age,
        municipality_code="607" if municipality == "999" else municipality,
        role=role,
        youth_letter_age=youth_letter_age,
    )
    case, _ = LetterTaskCase.open_with_decision(routed, NOW, DEADLINES)
    if route == "caseworker":
        case.receive_assessment(assessment(outcome=outcome), NOW, DEADLINES)
    task = case.letter
    assert task is not None
    code = municipality  # the rendering looks the profile up by the task's municipality
    for recipient in task.recipients:
        who = audience(recipient, age)
        # exactly one template: the municipality's own if it has one, else the built-in
        candidates = [f"{code}/{template_name(task.kind, who)}", template_name(task.kind, who)]
        found = []
        for name in candidates:
            try:
                BOOK.environment.get_template(name)
                found.append(name)
            except TemplateNotFound:
                pass
        assert found[:1] == [template_name(task.kind, who)]
    person = facts(names=(NAME,), custodians=custodians, role=role, age=age)
    letters = BOOK.render(
        municipality_code=code,
        kind=task.kind,
        recipients=list(task.recipients),
        owner_role=task.owner_role,
        facts=person,
        journal_number=task.journal_number,
        today=NOW,
    )
    parents_copies = len(custodians) or 1
    expected = sum(parents_copies if r == "parents" else 1 for r in task.recipients)
    assert len(letters) == expected
    for letter in letters:
        lines = letter.addressee.address_lines
        if letter.addressee.recipient == "parents":
            assert letter.addressee.audience == "foraeldre"
            if custodians:
                assert lines[0] in {c[0] for c in custodians}
                assert f"Kære {lines[0]}" in letter.html
            else:
                assert lines[0] == f"Forældremyndighedsindehaveren for {NAME}"
                assert "Kære forældre" in letter.html
            assert "Jeres rettigheder" in letter.html
        else:
            assert letter.addressee.audience == ("den_unge_voksne" if age >= 18 else "den_unge")
            assert lines[0] == NAME
            assert f"Kære {NAME}" in letter.html
            assert "Dine rettigheder" in letter.html
        assert all(line in letter.html for line in lines)
        assert "{{" not in letter.html and "None" not in letter.html


def test_the_audiences_are_the_three_the_issue_names() -> None:
    assert AUDIENCES == ("foraeldre", "den_unge", "den_unge_voksne")
    assert audience("parents", 19) == "foraeldre"
    assert audience("youth", 17) == "den_unge"
    assert audience("youth", 18) == "den_unge_voksne"
