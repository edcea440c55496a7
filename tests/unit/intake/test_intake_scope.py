"""Who is in scope: intake's rule; the fact travels on the accepted incident (`in_scope`)."""

from __future__ import annotations

import pytest

from services.intake.domain.scope import is_in_scope


@pytest.mark.parametrize(("age", "expected"), [(-1, False), (0, True), (25, True), (26, False)])
def test_scope(age: int, expected: bool) -> None:
    assert is_in_scope(age) is expected
