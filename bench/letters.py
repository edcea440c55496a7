"""How many letters one process renders a minute (issue 16): template (Jinja2) and PDF/A
(WeasyPrint), as `GET /v1/letter-tasks/{id}/letter.pdf` and sending do, without intake's call
or the store.

    uv run --no-sync python -m bench.letters [--seconds 30]

Cycles through every kind x audience of Fredericia's profile with the golden samples' person and
prints letters per minute, and the milliseconds of the template and of the PDF apart.
"""

from __future__ import annotations

import argparse
import itertools
import time
from datetime import UTC, datetime

from services.notifications.adapters.letter_templates import LetterBook
from services.notifications.adapters.pdf import pdf_of
from services.notifications.domain.letter_content import every_template, sample_facts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    book = LetterBook()
    today = datetime.now(UTC)
    combinations = itertools.cycle(every_template())
    letters = 0
    template_s = pdf_s = 0.0
    pdf_of(  # warm up: fonts and Pango's caches
        book.render(
            municipality_code="607",
            kind="orientering",
            recipients=["parents"],
            owner_role="tovholder",
            facts=sample_facts("sigtet", 14),
            journal_number="3700-80123-00456-26",
            today=today,
        )[0].html
    )
    started = time.perf_counter()
    while time.perf_counter() - started < args.seconds:
        kind, audience = next(combinations)
        age = 19 if audience == "den_unge_voksne" else 16
        recipient = "parents" if audience == "foraeldre" else "youth"
        t0 = time.perf_counter()
        [letter] = book.render(
            municipality_code="607",
            kind=kind,
            recipients=[recipient],
            owner_role="tovholder",
            facts=sample_facts("forurettet" if kind == "orientering_forurettet" else "sigtet", age),
            journal_number="3700-80123-00456-26",
            today=today,
        )
        t1 = time.perf_counter()
        pdf_of(letter.html)
        t2 = time.perf_counter()
        template_s += t1 - t0
        pdf_s += t2 - t1
        letters += 1
    elapsed = time.perf_counter() - started
    print(
        f"{letters} letters in {elapsed:.1f} s: {letters / elapsed * 60:.0f} letters a minute "
        f"(template {template_s / letters * 1000:.2f} ms, PDF/A {pdf_s / letters * 1000:.1f} ms "
        "per letter, one process)"
    )


if __name__ == "__main__":
    main()
