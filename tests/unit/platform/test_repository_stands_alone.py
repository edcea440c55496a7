"""The repository stands alone: no tracked file (tests, README, docs, scripts, code) reaches for
the background directory beside the checkout. Example incidents live in `samples/incidents/`,
the external contract in `docs/external-contracts.md`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
OUTSIDE = "../" + "shared"  # spelt in two halves so that this file does not match itself
SKIPPED_DIRECTORIES = {".git", ".venv", ".ssp-data", "__pycache__", ".mypy_cache", ".ruff_cache"}


def _tracked_files() -> list[Path]:
    if shutil.which("git") and (ROOT / ".git").exists():
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout
        return [ROOT / name for name in listed.decode().split("\0") if name]
    return [  # an exported tree without git: every file outside the caches
        path
        for path in ROOT.rglob("*")
        if path.is_file() and not SKIPPED_DIRECTORIES & set(path.relative_to(ROOT).parts)
    ]


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
        return None  # binary (xlsx, pdf) or deleted in the working tree


def test_no_tracked_text_file_references_the_directory_beside_the_checkout() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _tracked_files()
        if (text := _text(path)) is not None
        for number, line in enumerate(text.splitlines(), start=1)
        if OUTSIDE in line
    ]
    assert not offenders, f"these lines reach outside the repository: {offenders}"


@pytest.mark.parametrize("name", ["incident-valid.json", "incident-invalid.json"])
def test_the_example_incidents_are_in_the_repository(name: str) -> None:
    assert (ROOT / "samples" / "incidents" / name).is_file()


def test_the_external_contract_is_in_the_repository() -> None:
    assert (ROOT / "docs" / "external-contracts.md").is_file()
    assert "external-contracts.md" in (ROOT / "docs" / "contracts.md").read_text()
