"""Letters as PDF with WeasyPrint (issue 16, part 2): A4 (the templates' `@page`), DejaVu fonts
for the Danish letters, PDF/A-3b so an archive can keep them. The PDF is made in memory and
never written anywhere by this module."""

from __future__ import annotations

from weasyprint import HTML

PDF_VARIANT = "pdf/a-3b"


def pdf_of(html: str) -> bytes:
    """The letter's HTML as a PDF/A-3b document."""
    document: bytes = HTML(string=html, base_url=None).write_pdf(pdf_variant=PDF_VARIANT)
    return document
