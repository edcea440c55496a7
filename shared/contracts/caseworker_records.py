"""Out: the caseworker's side on ``ssp.notifications.assessments.v1`` (docs/contracts.md,
issue 17 part 3): every assessment notifications records — from caseworker apps on
``ssp.caseworker.assessments.v1`` or over its HTTP API — and every meeting with the family a
caseworker records, keyed by ``person_key``.

Codes, dates and initials only: the assessment's free-text note is never kept or published.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from shared.contracts.assessments import AssessmentOutcome
from shared.contracts.common import (
    ContractModel,
    EventId,
    IncidentJournalNumber,
    KeyPersonKey,
    MunicipalityCode,
    StaffInitials,
    Timestamp,
    when_set,
)

__all__ = ["CaseworkerRecordEvent", "CaseworkerRecordEventName"]

CaseworkerRecordEventName = Literal["assessed", "family_meeting_held"]


class CaseworkerRecordEvent(ContractModel):
    """An assessment or a meeting with the family, for one person and incident."""

    event_id: EventId
    event: CaseworkerRecordEventName = Field(
        description="assessed | family_meeting_held.", examples=["assessed"]
    )
    journal_number: IncidentJournalNumber
    person_key: KeyPersonKey
    municipality_code: MunicipalityCode | None = Field(
        default=None,
        description="The municipality of the routing decision; null when the assessment came "
        "before any decision notifications knows of.",
        examples=["607"],
    )
    outcome: AssessmentOutcome | None = when_set(
        "assessed: inform (parents, and the youth from 15, are informed) | summon "
        "(parents and youth are summoned to a meeting); null for a family meeting.",
        examples=["summon"],
    )
    caseworker: StaffInitials
    via: Literal["kafka", "http"] = Field(
        description="kafka: from ssp.caseworker.assessments.v1 | http: recorded through "
        "notifications' API (a caseworker app or the console).",
        examples=["http"],
    )
    held_on: date | None = when_set(
        "family_meeting_held: the day of the meeting.", examples=["2026-11-20"]
    )
    youth_attended: bool | None = when_set(
        "family_meeting_held: whether the young person took part.", examples=[True]
    )
    at: Timestamp = Field(
        description="assessed: when the assessment was made; family_meeting_held: when it "
        "was recorded.",
        examples=["2026-11-17T10:00:00+01:00"],
    )
