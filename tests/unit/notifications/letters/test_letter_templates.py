"""Issue 16, part 1: every kind x audience x role template of every profile renders at start-up
under StrictUndefined; what is missing is named then, not when a letter is rendered; a
municipality overrides a template with a file, without code."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.notifications.adapters.letter_templates import (
    BUILT_IN_PROFILES,
    BUILT_IN_TEMPLATES,
    LetterBook,
    LetterSetupError,
)
from services.notifications.bootstrap import definition
from services.notifications.domain.letter_content import (
    AUDIENCES,
    ROLES,
    every_template,
    sample_facts,
    template_name,
)
from services.notifications.settings import NotificationsSettings
from shared.contracts.letter_tasks import LETTER_KINDS

TODAY = datetime(2026, 11, 16, tzinfo=UTC)


def render_one(book: LetterBook, code: str = "607", kind: str = "orientering") -> str:
    [letter] = book.render(
        municipality_code=code,
        kind=kind,  # type: ignore[arg-type]
        recipients=["parents"],
        owner_role="tovholder",
        facts=sample_facts("sigtet", 14),
        journal_number="3700-80123-00456-26",
        today=TODAY,
    )
    return letter.html


def test_one_template_file_per_kind_and_audience_and_a_paragraph_per_role() -> None:
    assert len(every_template()) == len(LETTER_KINDS) * len(AUDIENCES) == 15
    for kind, audience in every_template():
        assert (BUILT_IN_TEMPLATES / template_name(kind, audience)).is_file()
    for role in ROLES:
        assert (BUILT_IN_TEMPLATES / "_rolle" / f"{role}.html.j2").is_file()


def test_every_profile_has_its_letters_section() -> None:
    book = LetterBook()
    assert set(book.profiles) == {"default", "607", "376", "161", "657", "575"}
    assert "Fredericia Kommune" in render_one(book, "607")
    # A municipality without a profile of its own writes with the default's.
    assert book.profile("999").code == "default"


def test_the_sender_is_a_role_and_a_team_not_a_person() -> None:
    book = LetterBook()
    html = render_one(book)
    assert "SSP-tovholder, SSP Fredericia" in html
    assert book.profile("607").sender_for("tovholder").name is None


def copy_of_templates(tmp_path: Path) -> Path:
    target = tmp_path / "templates"
    shutil.copytree(BUILT_IN_TEMPLATES, target)
    return target


def test_a_missing_template_is_named_at_start_up(tmp_path: Path) -> None:
    # The override directory cannot remove a built-in file, so the whole set is copied and
    # the built-in directory left out by pointing the book at the copy as its only source.
    templates = copy_of_templates(tmp_path)
    (templates / "indkaldelse" / "den_unge.html.j2").unlink()
    with pytest.raises(LetterSetupError) as raised:
        LetterBook(templates_dir=templates, built_in=False)
    assert "indkaldelse/den_unge.html.j2" in str(raised.value)
    assert "template file missing" in str(raised.value)


def test_a_field_the_context_lacks_is_named_at_start_up(tmp_path: Path) -> None:
    templates = tmp_path / "override"
    (templates / "orientering").mkdir(parents=True)
    (templates / "orientering" / "foraeldre.html.j2").write_text(
        '{% extends "_base.html.j2" %}{% block title %}T{% endblock %}'
        "{% block body %}<p>{{ sender.mobile }}</p>{% endblock %}",
        encoding="utf-8",
    )
    with pytest.raises(LetterSetupError) as raised:
        LetterBook(templates_dir=templates)
    assert "orientering/foraeldre.html.j2" in str(raised.value)
    assert "mobile" in str(raised.value)


def test_a_profile_missing_a_key_is_named_at_start_up(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    shutil.copytree(BUILT_IN_PROFILES, profiles)
    text = (profiles / "607.yaml").read_text(encoding="utf-8")
    (profiles / "607.yaml").write_text(text.replace("municipality_name:", "kommune:"), "utf-8")
    with pytest.raises(LetterSetupError) as raised:
        LetterBook(profiles_dir=profiles)
    assert "607.yaml: municipality_name: Field required" in str(raised.value)


def test_the_service_does_not_start_with_a_broken_template(tmp_path: Path) -> None:
    templates = tmp_path / "override"
    (templates / "bekymringsbrev").mkdir(parents=True)
    (templates / "bekymringsbrev" / "den_unge_voksne.html.j2").write_text(
        "{{ letter.nonexistent }}", encoding="utf-8"
    )
    settings = NotificationsSettings(
        SSP_DATABASE_URL="memory",
        SSP_DATA_DIR=str(tmp_path),
        NOTIFICATIONS_LETTER_TEMPLATES_DIR=str(templates),
    )
    with pytest.raises(LetterSetupError, match=r"bekymringsbrev/den_unge_voksne\.html\.j2"):
        definition(settings)


def test_a_municipality_overrides_a_template_without_code(tmp_path: Path) -> None:
    templates = tmp_path / "override"
    (templates / "607" / "orientering").mkdir(parents=True)
    (templates / "607" / "orientering" / "foraeldre.html.j2").write_text(
        '{% extends "_base.html.j2" %}{% block title %}Brev fra Fredericia{% endblock %}'
        "{% block body %}<p>Særlig tekst for {{ child.name }}.</p>{% endblock %}",
        encoding="utf-8",
    )
    book = LetterBook(templates_dir=templates)
    assert "Særlig tekst for Prøve Prøvesen." in render_one(book, "607")
    assert "Særlig tekst" not in render_one(book, "376")  # only Fredericia's
    # The version recorded with a sent letter changes with the template.
    assert book.version("607") != LetterBook().version("607")
    assert book.version("376") == LetterBook().version("376")
