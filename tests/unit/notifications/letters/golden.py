"""The golden letters: one sample per kind x audience, and what its PDF must say. Shared by
the golden test and `scripts/letter_previews.py` (which writes docs/letters/*.png).

`golden_text/{kind}-{audience}.txt` holds the whole text pypdf extracts from each sample's PDF
(one page after another, separated by a form feed); the golden test compares it whole. After an
intended change to a template, a profile or the PDF engine regenerate them, read the diff, and
say in the commit why the letters changed:

    uv run python -m tests.unit.notifications.letters.golden --write
"""

from __future__ import annotations

import io
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pypdf

from services.notifications.adapters.letter_templates import LetterBook
from services.notifications.adapters.pdf import pdf_of
from services.notifications.domain.letter_content import Audience, sample_facts
from shared.contracts.letter_tasks import LetterKind, Recipient

TODAY = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
JOURNAL = "3700-80123-00456-26"

#: (kind, audience) -> the title and one sentence of the body, as the PDF's text holds them.
GOLDEN: dict[tuple[LetterKind, Audience], tuple[str, str]] = {
    ("orientering", "foraeldre"): (
        "Orientering om en henvendelse fra politiet",
        "Brevet er ikke en afgørelse, og I skal ikke gøre noget.",
    ),
    ("orientering", "den_unge"): (
        "Orientering om en henvendelse fra politiet",
        "Dine forældre har fået et brev om det samme.",
    ),
    ("orientering", "den_unge_voksne"): (
        "Orientering om en henvendelse fra politiet",
        "Da du er over 18 år, skriver vi kun til dig.",
    ),
    ("indkaldelse", "foraeldre"): (
        "Invitation til et møde om jeres barn",
        "I må gerne tage en bisidder med.",
    ),
    ("indkaldelse", "den_unge"): (
        "Invitation til et møde",
        "Du må gerne tage en voksen med, som du er tryg ved.",
    ),
    ("indkaldelse", "den_unge_voksne"): (
        "Invitation til et møde",
        "Du må gerne tage en bisidder med.",
    ),
    ("bekymringsbrev", "foraeldre"): (
        "Vi er bekymrede for jeres barn",
        "Jo tidligere vi taler sammen, jo bedre kan vi hjælpe.",
    ),
    ("bekymringsbrev", "den_unge"): (
        "Vi er bekymrede for dig",
        "Du er ikke i problemer med os: vi vil gerne hjælpe.",
    ),
    ("bekymringsbrev", "den_unge_voksne"): (
        "Vi er bekymrede for dig",
        "Det er frivilligt at tage imod hjælpen.",
    ),
    ("akut_standardbrev", "foraeldre"): (
        "Orientering om en alvorlig hændelse",
        "Vi skriver ikke om, hvem der var involveret.",
    ),
    ("akut_standardbrev", "den_unge"): (
        "Orientering om en alvorlig hændelse",
        "Der er voksne, du kan tale med, hvis du har brug for det.",
    ),
    ("akut_standardbrev", "den_unge_voksne"): (
        "Orientering om en alvorlig hændelse",
        "Kommunen og politiet arbejder sammen om at skabe ro og tryghed.",
    ),
    ("orientering_forurettet", "foraeldre"): (
        "Tilbud om støtte til jeres barn",
        "Offerrådgivningen i Danmark kan også kontaktes på telefon 33 45 50 55.",
    ),
    ("orientering_forurettet", "den_unge"): (
        "Tilbud om støtte",
        "Hvis du har lyst til at tale med nogen om det, vil vi gerne lytte.",
    ),
    ("orientering_forurettet", "den_unge_voksne"): (
        "Tilbud om støtte",
        "vil vi gerne lytte og hjælpe dig videre.",
    ),
}


def golden_pdf(book: LetterBook, kind: LetterKind, audience: Audience) -> bytes:
    """The sample letter of Fredericia (607) for that kind and audience, as PDF."""
    recipient: Recipient = "parents" if audience == "foraeldre" else "youth"
    age = 19 if audience == "den_unge_voksne" else 16
    role = "forurettet" if kind == "orientering_forurettet" else "sigtet"
    [letter] = book.render(
        municipality_code="607",
        kind=kind,
        recipients=[recipient],
        owner_role="tovholder",
        facts=sample_facts(role, age),
        journal_number=JOURNAL,
        today=TODAY,
        # to every family and the local staff, unaddressed (000 step 4)
        group=(kind, audience) == ("akut_standardbrev", "foraeldre"),
    )
    return pdf_of(letter.html)


GOLDEN_TEXT = Path(__file__).resolve().parent / "golden_text"


def golden_text_path(kind: LetterKind, audience: Audience) -> Path:
    return GOLDEN_TEXT / f"{kind}-{audience}.txt"


def extracted_text(pdf: bytes) -> str:
    """The text pypdf extracts, page by page (a form feed between pages), as the golden files
    hold it: lines as the page breaks them, trailing spaces dropped. Nothing is masked: the
    extracted text holds no creation time or other varying value (the sample's clock is fixed)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    pages = (
        "\n".join(line.rstrip() for line in page.extract_text().splitlines())
        for page in reader.pages
    )
    return "\n\f\n".join(pages) + "\n"


def main(argv: Sequence[str]) -> int:
    book = LetterBook()
    texts = {key: extracted_text(golden_pdf(book, *key)) for key in sorted(GOLDEN)}
    if "--write" not in argv:
        print(
            "\n".join(
                f"{kind}-{audience}: {len(text)} characters"
                for (kind, audience), text in texts.items()
            )
        )
        return 0
    GOLDEN_TEXT.mkdir(exist_ok=True)
    for stale in GOLDEN_TEXT.glob("*.txt"):
        stale.unlink()
    for (kind, audience), text in texts.items():
        golden_text_path(kind, audience).write_text(text, encoding="utf-8")
    print(f"wrote {len(texts)} golden letter texts to {GOLDEN_TEXT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
