"""Which flags of an incident refer a person to an exit programme: triage's rule (seeds 001
"Exitstrategi" and 004 "Bande- og exitprogrammer"). The referral carries the flags it found."""

from __future__ import annotations

from collections.abc import Iterable

from shared.contracts import EXIT_REFERRAL_FLAGS, EXIT_REFERRAL_MIN_AGE, Flag
from shared.contracts.exit_referrals import ExitFlag


def exit_referral_flags(flags: Iterable[Flag], age_at_incident: int) -> list[ExitFlag]:
    """The flags of an incident that refer a person of this age to an exit programme, in the
    incident's order; empty when none (or the person is under 15)."""
    if age_at_incident < EXIT_REFERRAL_MIN_AGE:
        return []
    return [flag for flag in dict.fromkeys(flags) if flag in EXIT_REFERRAL_FLAGS]
