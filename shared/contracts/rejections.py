"""Out: rejected input on ``ssp.intake.rejected.v1`` (contracts.md §1, "bad input").

The original bytes are kept; authorised staff fetch them at ``retrievable_at``.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import Field

from shared.contracts.common import (
    JOURNAL_NUMBER_PATTERN,
    Code,
    ContractModel,
    PathText,
    ShortText,
    Timestamp,
)

__all__ = ["CHANNELS", "Channel", "FieldProblem", "IntakeRejection", "rejected_path"]

Channel = Literal["kafka", "http"]
CHANNELS: tuple[Channel, ...] = get_args(Channel)


def rejected_path(reference: str) -> str:
    """Path where authorised staff fetch the original bytes of a rejected message."""
    return f"/v1/rejected/{reference}"


class FieldProblem(ContractModel):
    """One problem with rejected input; never contains the input value."""

    field: PathText = Field(
        description='Path of the bad field, e.g. "persons[0].cpr"; "$" for the whole document.',
        examples=["persons[0].cpr"],
    )
    code: Code = Field(
        description="Machine-readable problem: a pydantic error type, a contract code such as "
        '"cpr_date", or "invalid_json".',
        examples=["cpr_date"],
    )
    message: ShortText = Field(
        description="Human-readable explanation. Never contains the input value.",
        examples=["the first six digits of the CPR number must be a real calendar date DDMMYY"],
    )


class IntakeRejection(ContractModel):
    """Input that was rejected, with every reason; the original is kept."""

    reference: str = Field(
        min_length=1,
        description="Reference (a UUID) of the kept original; the message key.",
        examples=["6f1c1b7e-2a0d-4c55-8f0e-7d8a9b0c1d2e"],
        json_schema_extra={"format": "uuid"},
    )
    received_at: Timestamp = Field(
        description="When the platform received the input.",
        examples=["2026-11-16T08:12:01+01:00"],
    )
    channel: Channel = Field(description="How the input arrived.", examples=["kafka"])
    journal_number: str | None = Field(
        default=None,
        pattern=JOURNAL_NUMBER_PATTERN,
        description="The journal number, only when the input had one matching the pattern.",
        examples=["3700-80123-00456-26", None],
    )
    revision: int | None = Field(
        default=None,
        description="The revision, only when the input had a valid one.",
        examples=[1, None],
    )
    reasons: list[FieldProblem] = Field(
        min_length=1,
        description="Every problem found.",
        examples=[
            [
                {
                    "field": "offence.code",
                    "code": "literal_error",
                    "message": "Input should be 'butikstyveri', 'tyveri' or 'andet'",
                }
            ]
        ],
    )
    retrievable_at: PathText = Field(
        description="Path where authorised staff fetch the original bytes.",
        examples=["/v1/rejected/6f1c1b7e-2a0d-4c55-8f0e-7d8a9b0c1d2e"],
    )
