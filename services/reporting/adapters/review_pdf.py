"""One person's review export as a readable Danish PDF (issue 17, part 4): a Jinja2 template
(adapters/templates/review.html.j2, autoescaped) rendered by WeasyPrint in memory, A4, the
DejaVu fonts the letters use. Nothing is written to disk here."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from weasyprint import HTML

from services.reporting.application.review import PersonReview
from services.reporting.domain.review import FINDING_WORDS
from shared.contracts.municipalities import municipality_name
from shared.danish import COPENHAGEN

_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    undefined=StrictUndefined,
)


def _danish_time(value: str) -> str:
    return datetime.fromisoformat(value).astimezone(COPENHAGEN).strftime("%d.%m.%Y %H:%M")


_TEMPLATES.filters["danish_time"] = _danish_time


def review_html(review: PersonReview, municipalities: list[str], generated_at: str) -> str:
    return _TEMPLATES.get_template("review.html.j2").render(
        review=review,
        findings=FINDING_WORDS,
        municipalities=[f"{municipality_name(c) or c} ({c})" for c in municipalities],
        generated_at=generated_at,
    )


def review_pdf(review: PersonReview, municipalities: list[str], generated_at: str) -> bytes:
    html = review_html(review, municipalities, generated_at)
    document: bytes = HTML(string=html, base_url=None).write_pdf()
    return document
