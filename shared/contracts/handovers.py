"""Out: the turning-18 handover on ``ssp.triage.handovers.v1`` (docs/contracts.md): triage opens
a PSP/KSP handover task when a young person with an open item turns 18 (issue 14, part 4), and
completes it when the owner records where the person was handed over to. Keyed by
``person_key``, so one person's task stays in order.

Codes, dates and roles only. Every message carries the task as it stands after the event, so a
reader needs only the latest message per person.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from shared.contracts.common import (
    Code,
    ContractModel,
    EventId,
    KeyPersonKey,
    ResidenceMunicipality,
    TeamName,
    Timestamp,
    when_set,
)

__all__ = ["HandedOverTo", "HandoverTaskEvent", "HandoverTaskEventName"]

HandoverTaskEventName = Literal["opened", "completed"]
HandedOverTo = Literal["psp", "ksp", "adult_social_services", "no_further_action"]
"""PSP (police, social services, psychiatry), KSP (Kriminalforsorgen, social services, police),
the municipality's adult social services, or nothing further needed."""


class HandoverTaskEvent(ContractModel):
    """The opening (`opened`: turned 18 with an open item) or completion (`completed`:
    handed over) of a person's PSP/KSP handover task, `at` the time it happened."""

    event_id: EventId
    event: HandoverTaskEventName = Field(description="opened | completed.", examples=["opened"])
    at: Timestamp = Field(description="When.", examples=["2026-11-16T07:00:00+01:00"])
    person_key: KeyPersonKey
    municipality_code: ResidenceMunicipality
    turned_18_on: date | None = when_set("opened: the 18th birthday.", examples=["2026-11-16"])
    open_items: list[Code] = Field(
        default_factory=list,
        max_length=10,
        description="opened: the open items (active_case, recent_decision, exit_referral, "
        "letter_task, trivsel_plus, exit_programme).",
        examples=[["letter_task"]],
    )
    owner_role: Code | None = when_set(
        "opened: the role that owns the task.", examples=["tovholder"]
    )
    owner_team: TeamName | None = when_set(
        "opened: the owning team, if any.", examples=["SSP-tovholder"]
    )
    due_on: date | None = when_set("opened: when the handover is due.", examples=["2026-11-30"])
    handed_over_to: HandedOverTo | None = when_set(
        "completed: psp | ksp | adult_social_services | no_further_action.", examples=["psp"]
    )
