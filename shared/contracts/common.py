"""Building blocks shared by every contract model: the base class and constrained field types."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
)
from pydantic_core import PydanticCustomError

from shared.contracts.cpr import CPR_PATTERN, InvalidCpr, normalise_cpr

__all__ = [
    "CPR_PATTERN",
    "JOURNAL_NUMBER_PATTERN",
    "MUNICIPALITY_CODE_PATTERN",
    "ContractModel",
    "Cpr",
    "JournalNumber",
    "MunicipalityCode",
    "PersonKey",
    "Revision",
    "Timestamp",
]

#: contracts.md writes ``^\d{4}-\d{5}-\d{5}-\d{2}$``; ``[0-9]`` keeps it to ASCII digits (Python
#: and Rust regexes let ``\d`` match any Unicode digit, JSON Schema's ECMA regexes do not).
JOURNAL_NUMBER_PATTERN = r"^[0-9]{4}-[0-9]{5}-[0-9]{5}-[0-9]{2}$"
MUNICIPALITY_CODE_PATTERN = r"^[0-9]{3}$"


class ContractModel(BaseModel):
    """Base of every contract model.

    - ``extra="ignore"``: tolerant reader; unknown fields are dropped, so additive changes by a
      producer never break a consumer.
    - ``hide_input_in_errors``: a ``ValidationError`` never shows the input (CPR, names).
    - ``frozen``: messages are values.
    """

    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True, frozen=True)


def _reject_numeric_timestamp(value: Any) -> Any:
    # pydantic would read numbers as Unix time; the contract says RFC 3339 strings with offset.
    if isinstance(value, (int, float)):
        raise PydanticCustomError(
            "datetime_type", "Input should be an RFC 3339 date-time string with offset"
        )
    return value


def _check_cpr(value: str) -> str:
    try:
        return normalise_cpr(value)
    except InvalidCpr as exc:
        raise PydanticCustomError(exc.code, exc.message) from None


Timestamp = Annotated[
    AwareDatetime,
    BeforeValidator(_reject_numeric_timestamp),
    Field(examples=["2026-11-15T22:40:00+01:00"]),
]
"""RFC 3339 timestamp with offset; naive timestamps and numbers are rejected."""

JournalNumber = Annotated[
    str,
    Field(
        pattern=JOURNAL_NUMBER_PATTERN,
        description="Police journal number, NNNN-NNNNN-NNNNN-NN.",
        examples=["3700-80123-00456-26"],
    ),
]

Revision = Annotated[
    int,
    Strict(),
    Field(
        ge=1,
        description="Revision of the incident; a higher revision of the same journal number "
        "supersedes a lower one.",
        examples=[1],
    ),
]

MunicipalityCode = Annotated[
    str,
    Field(
        pattern=MUNICIPALITY_CODE_PATTERN,
        description="Danish municipality code, three digits.",
        examples=["607"],
    ),
]

PersonKey = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        description="Stable pseudonym of a person: the same person always gets the same key; "
        "the CPR number cannot be derived from it without the platform's secret.",
        examples=["pk_9f2c4e1a7b3d5e6f"],
    ),
]

Cpr = Annotated[
    str,
    Field(
        pattern=CPR_PATTERN,
        description="CPR number, ten digits with or without the hyphen; first six a real date "
        "DDMMYY, century from the 7th digit. Normalised to ten digits without hyphen.",
        examples=["120310-4123"],
        repr=False,
    ),
    AfterValidator(_check_cpr),
]
