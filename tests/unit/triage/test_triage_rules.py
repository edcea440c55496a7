"""Triage's own rules: the workflow a decision follows and the flags that refer a person to an
exit programme."""

from __future__ import annotations

import pytest

from services.triage.domain.referral_flags import exit_referral_flags
from services.triage.domain.workflow import workflow_for_age
from shared.contracts import Flag


@pytest.mark.parametrize(("age", "workflow"), [(0, "minor"), (17, "minor"), (18, "adult")])
def test_workflow_for_age(age: int, workflow: str) -> None:
    assert workflow_for_age(age) == workflow


@pytest.mark.parametrize(
    ("flags", "age", "expected"),
    [
        (["bande"], 14, []),
        (["bande"], 15, ["bande"]),
        (["ekstremisme", "vaaben", "bande"], 25, ["ekstremisme", "bande"]),
        (["bande", "bande"], 16, ["bande"]),
        (["vaaben", "rusmidler", "gentagelse"], 17, []),
    ],
)
def test_exit_referral_flags(flags: list[Flag], age: int, expected: list[str]) -> None:
    assert exit_referral_flags(flags, age) == expected
