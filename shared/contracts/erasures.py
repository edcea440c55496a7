"""Internal: erasures of persons on ``ssp.intake.person-erasures.v1`` (issue 18, part 3).

Intake destroyed the person's data key (`ssp erase`, or a retention deadline passed): nothing
intake kept about them can be read any more. Every service removes or anonymises the person in
its read models, marks its aggregates erased and from then on drops whatever it reads about
the pseudonym (a replay, a relay republishing from the start). The message says that and why,
never what was erased. Keyed by ``person_key``.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import Field

from shared.contracts.common import (
    ContractModel,
    Id,
    KeyPersonKey,
    MunicipalityCode,
    Timestamp,
)

__all__ = ["ERASURE_REASONS", "ErasureReason", "PersonErased"]

ErasureReason = Literal["request", "retention_deadline", "case_closed", "unlawful"]
ERASURE_REASONS: tuple[ErasureReason, ...] = get_args(ErasureReason)


class PersonErased(ContractModel):
    """A person's data key was destroyed: forget the pseudonym."""

    erasure_id: Id = Field(
        description="Unique id of this erasure (the audit trail and the erasure report name it).",
        examples=["5f0c8a1e-9d2b-4c7e-8a31-6b2d4e1f0a97"],
    )
    person_key: KeyPersonKey
    municipality_code: MunicipalityCode | None = Field(
        description="The municipality the person was first registered as living in; null when "
        "intake knew of none (only rejected input named them).",
        examples=["607"],
    )
    reason: ErasureReason = Field(
        description="request: erased on request (`ssp erase`, e.g. a data subject's right to "
        "erasure); retention_deadline: a deletion deadline passed; case_closed: the deadline "
        "after the case was closed passed; unlawful: the data should never have been kept.",
        examples=["request"],
    )
    erased_at: Timestamp = Field(
        description="When intake destroyed the data key.", examples=["2026-12-06T03:00:00+01:00"]
    )
