"""The workflow a TRIVSEL+ course follows: courses' own copy of the narrow rule triage applies
to its decisions (minor under 18, else adult), for a course's age at the incident."""

from __future__ import annotations

from shared.contracts import Workflow

ADULT_AGE = 18


def workflow_for_age(age: int) -> Workflow:
    """``minor`` under 18, else ``adult``."""
    return "minor" if age < ADULT_AGE else "adult"
