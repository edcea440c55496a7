"""Which workflow a routing decision follows (contracts.md §4, `workflow`): decided by triage,
carried on the decision for everyone downstream."""

from __future__ import annotations

from shared.contracts import Workflow

ADULT_AGE = 18
"""The age of majority: from it, the adult workflow."""


def workflow_for_age(age: int) -> Workflow:
    """``minor`` under 18, else ``adult``."""
    return "minor" if age < ADULT_AGE else "adult"
