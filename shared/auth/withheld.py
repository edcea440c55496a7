"""What a caller who may not see social services' involvement (the police, school
representatives) never gets in a view of a person: one declared list, applied by every view.

Retsplejeloven §115: the police may learn what they need for crime prevention, not whether a
child is known to social services. A routing decision *is* that knowledge: its route (active
case or not), reasons, case id, owner and deadline, and everything that follows from them —
the kind of decision (a `handover` means a case was opened), what it replaces, the profile's
district and team, the person's history as triage counted it, the others registered with
them (of any municipality), the PSP/KSP mark, the letter and the exit referral.

Triage's `GET /v1/decisions/{journal}` and reporting's handover list both empty exactly the
fields of this list that their view has; a field a view gains must be put in this list or in
`SHOWN_WITHOUT_SOCIAL_SERVICES` (a test fails until it is).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "SHOWN_WITHOUT_SOCIAL_SERVICES",
    "SOCIAL_SERVICES_DETAILS",
    "withhold_social_services",
]

SOCIAL_SERVICES_DETAILS: frozenset[str] = frozenset(
    {
        # a routing decision (contracts.md §4 and its extensions)
        "decision_id",
        "route",
        "reasons",
        "case_id",
        "decided_at",
        "owner_role",
        "owner_team",
        "due_at",
        "youth_letter_age",
        "profile",
        "district",
        "history",
        "co_registered_person_keys",
        "psp_ksp_handover",
        "revises_decision_id",
        "decision_kind",
        "decided_by",  # who revised the route or owner at the weekly meeting
        "confirmed_in_revision",
        "letters",
        # what reporting's handover entry shows of the decision, its letter task and referral
        "earlier_reports",
        "repeat",
        "letter_task_status",
        "letter_kind",
        "exit_referral",
        # issue 16 and 14 part 2: how fast the letter went (the routing time is the decision's)
        # and why a letter was waived
        "clocks",
        "letter_waiver_reason",
        # issue 15, part 5: what a concern on the meeting's agenda is about (a child's welfare)
        "category",
    }
)

SHOWN_WITHOUT_SOCIAL_SERVICES: frozenset[str] = frozenset(
    {
        # what the police reported themselves, and what follows from it alone
        "journal_number",
        "revision",
        "reported_at",
        "occurred_at",
        "person_key",
        "municipality_code",
        "role",
        "age_at_incident",
        "offence_code",
        "workflow",
        "severity",
        # issue 15, part 5: that a concern is on the agenda, from whom (a kind), since when
        "concern_id",
        "school",
        "reporter_kind",
        "registered_at",
        "placed_at",
    }
)


def withhold_social_services(view: Mapping[str, Any]) -> dict[str, Any]:
    """`view` (a JSON-ready dict) with every field of the list it has emptied: a list becomes
    `[]`, anything else `None`."""
    return {
        name: (
            ([] if isinstance(value, list) else None) if name in SOCIAL_SERVICES_DETAILS else value
        )
        for name, value in view.items()
    }
