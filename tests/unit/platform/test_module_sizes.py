"""A module over 400 lines says why in its docstring (issue 13, part 6): a long module is a
choice, not an accident."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
MODULES = sorted(
    path
    for folder in ("services", "shared", "ssp_platform", "scripts", "bench")
    for path in (ROOT / folder).rglob("*.py")
    if len(path.read_text(encoding="utf-8").splitlines()) > 400
)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_long_module_says_why(path: Path) -> None:
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    assert "over 400 lines" in " ".join(docstring.split()).lower(), (
        f"{path.relative_to(ROOT)}: split it along its concepts, or say in its docstring why "
        "it is over 400 lines"
    )
