"""Issue 16, part 2: a golden PDF per template. The text pypdf extracts is, whole, the expected
Danish text in golden_text/{kind}-{audience}.txt (regenerate: `uv run python -m
tests.unit.notifications.letters.golden --write`), holds the title, the rights and the sender,
and no placeholder; the PDF is A4 and PDF/A; pdftoppm renders its first page (the PNGs in
docs/letters/ are made the same way by scripts/letter_previews.py).

pdftoppm comes from Debian's poppler-utils, which `./ssp test` installs
(scripts/ensure-poppler.sh, fatal there). A bare pytest run without it skips the PNG test,
unless `CI` is set: under CI a missing pdftoppm fails the test."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest

from services.notifications.adapters.letter_templates import LetterBook
from services.notifications.domain.letter_content import Audience
from shared.contracts.letter_tasks import LetterKind
from tests.unit.notifications.letters.golden import (
    GOLDEN,
    JOURNAL,
    extracted_text,
    golden_pdf,
    golden_text_path,
)
from tests.unit.notifications.letters.support import pdf_text

DOCS = Path(__file__).resolve().parents[4] / "docs" / "letters"
A4_POINTS = (595.28, 841.89)


@pytest.fixture(scope="module")
def book() -> LetterBook:
    return LetterBook()


@pytest.mark.parametrize(("kind", "audience"), sorted(GOLDEN))
def test_golden_letter(book: LetterBook, kind: LetterKind, audience: Audience) -> None:
    pdf = golden_pdf(book, kind, audience)
    golden = golden_text_path(kind, audience)
    assert golden.is_file(), (
        "run `uv run python -m tests.unit.notifications.letters.golden --write`"
    )
    assert extracted_text(pdf) == golden.read_text(encoding="utf-8"), (
        f"{kind}-{audience}: the letter's text differs from {golden.name}; after an intended "
        "change regenerate with `uv run python -m tests.unit.notifications.letters.golden --write`"
    )
    text = pdf_text(pdf)
    title, sentence = GOLDEN[kind, audience]
    for expected in (
        "Fredericia Kommune",
        title,
        sentence,
        f"Politiets journalnummer: {JOURNAL}",
        "16. november 2026",
        "aktindsigt",
        "Telefon 72 10 70 00",
        "SSP-tovholder, SSP Fredericia",
    ):
        assert expected in text, (kind, audience, expected)
    assert ("Kære forældre" in text) == (audience == "foraeldre")
    # No field placeholder, no Jinja syntax, no Python None left in the letter.
    for leftover in ("{{", "}}", "{%", "%}", "None", "Undefined"):
        assert leftover not in text, (kind, audience, leftover)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 1), round(float(box.height), 1)) == (595.3, 841.9)
    # The PDF/A identification, in the document's XMP metadata: PDF/A-3b.
    metadata = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3" pdfaid:conformance="B"' in metadata
    assert (DOCS / f"{kind}-{audience}.png").is_file(), "run scripts/letter_previews.py"


def test_what_happened_is_told_in_general_terms_by_role(book: LetterBook) -> None:
    text = pdf_text(golden_pdf(book, "orientering", "foraeldre"))
    assert "den 15. november 2026 blev sigtet i en sag om hærværk" in text
    victim = pdf_text(golden_pdf(book, "orientering_forurettet", "den_unge"))
    assert "blev udsat for en hændelse, som politiet har registreret som hærværk" in victim


def test_the_first_page_renders_to_png(book: LetterBook, tmp_path: Path) -> None:
    if shutil.which("pdftoppm") is None:
        message = "pdftoppm (poppler-utils) is missing: run scripts/ensure-poppler.sh"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(golden_pdf(book, "indkaldelse", "foraeldre"))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile", pdf, tmp_path / "p"],
        check=True,
    )
    assert (tmp_path / "p.png").read_bytes().startswith(b"\x89PNG")
