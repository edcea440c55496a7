"""Render the first page of each golden letter (tests/unit/notifications/letters/golden.py) to
docs/letters/{kind}-{audience}.png with pdftoppm (scripts/ensure-poppler.sh installs it).

    uv run python scripts/letter_previews.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.notifications.adapters.letter_templates import LetterBook  # noqa: E402
from tests.unit.notifications.letters.golden import GOLDEN, golden_pdf  # noqa: E402


def main() -> None:
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        sys.exit("pdftoppm is missing: run scripts/ensure-poppler.sh")
    out = ROOT / "docs" / "letters"
    out.mkdir(parents=True, exist_ok=True)
    book = LetterBook()
    with tempfile.TemporaryDirectory() as scratch:
        for kind, audience in sorted(GOLDEN):
            pdf = Path(scratch) / "letter.pdf"
            pdf.write_bytes(golden_pdf(book, kind, audience))
            target = out / f"{kind}-{audience}"
            command = [pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile"]
            subprocess.run([*command, pdf, target], check=True)  # noqa: S603 - our own files
            print(f"{target}.png")


if __name__ == "__main__":
    main()
