"""Who is in scope of SSP cooperation: intake decides it for each person of an accepted
incident, and the fact travels on `ssp.intake.incidents.v1` (`in_scope`)."""

from __future__ import annotations

SCOPE_MIN_AGE = 0
SCOPE_MAX_AGE = 25


def is_in_scope(age: int) -> bool:
    """Persons aged 0-25 at the incident are in scope; others are recorded as out of scope."""
    return SCOPE_MIN_AGE <= age <= SCOPE_MAX_AGE
