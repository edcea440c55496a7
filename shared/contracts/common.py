"""Building blocks shared by every contract model: the base class and constrained field types."""

from __future__ import annotations

import unicodedata
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

from shared.contracts.cpr import (
    CPR_PATTERN,
    InvalidCpr,
    contains_cpr_like_number,
    normalise_cpr,
)

__all__ = [
    "CPR_PATTERN",
    "ISO_WEEK_PATTERN",
    "JOURNAL_NUMBER_PATTERN",
    "MAX_ADDRESS_CHARS",
    "MAX_CODE_CHARS",
    "MAX_ID_CHARS",
    "MAX_INITIALS_CHARS",
    "MAX_NAME_CHARS",
    "MAX_NARRATIVE_CHARS",
    "MAX_NOTE_CHARS",
    "MAX_PATH_CHARS",
    "MAX_PLACE_NAME_CHARS",
    "MAX_TEAM_CHARS",
    "MAX_TEXT_CHARS",
    "MUNICIPALITY_CODE_PATTERN",
    "Code",
    "ContractModel",
    "Cpr",
    "Id",
    "IdReference",
    "Initials",
    "IsoWeekCode",
    "JournalNumber",
    "MunicipalityCode",
    "PersonKey",
    "PersonName",
    "PlaceName",
    "Revision",
    "TeamName",
    "Timestamp",
    "when_set",
]

#: contracts.md writes ``^\d{4}-\d{5}-\d{5}-\d{2}$``; ``[0-9]`` keeps it to ASCII digits (Python
#: and Rust regexes let ``\d`` match any Unicode digit, JSON Schema's ECMA regexes do not).
JOURNAL_NUMBER_PATTERN = r"^[0-9]{4}-[0-9]{5}-[0-9]{5}-[0-9]{2}$"
MUNICIPALITY_CODE_PATTERN = r"^[0-9]{3}$"
ISO_WEEK_PATTERN = r"^[0-9]{4}-W[0-9]{2}$"

# Every free-text field of the contracts has a maximum length (characters), so that no single
# value can make a message larger than a relay or a broker accepts (docs/contracts.md lists them).
MAX_NAME_CHARS = 200
"""A person's full name."""
MAX_ADDRESS_CHARS = 300
"""A residence address."""
MAX_PLACE_NAME_CHARS = 120
"""A school or a police district: a name, nothing else."""
MAX_TEXT_CHARS = 1_000
"""A short free text: the offence text, the place description."""
MAX_NARRATIVE_CHARS = 10_000
"""The police narrative."""
MAX_NOTE_CHARS = 4_000
"""A caseworker's note."""
MAX_ID_CHARS = 100
"""An id from another system (a case id)."""
MAX_TEAM_CHARS = 200
"""A team's name."""
MAX_INITIALS_CHARS = 50
"""A caseworker's initials (or short user id)."""
MAX_CODE_CHARS = 100
"""A code the platform writes: a reason, a role, a profile, a problem code."""
MAX_PATH_CHARS = 300
"""A field path of a problem, or an API path."""


class ContractModel(BaseModel):
    """Base of every contract model.

    - ``extra="ignore"``: tolerant reader; unknown fields are dropped, so additive changes by a
      producer never break a consumer.
    - ``hide_input_in_errors``: a ``ValidationError`` never shows the input (CPR, names).
    - ``frozen``: messages are values.
    """

    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True, frozen=True)


def when_set(description: str, *, examples: list[Any], **constraints: Any) -> Any:
    """A field only some events (or kinds) of a message set: None on the others, so optional.

    The description says when it is set (``"sent: the channel ..."``, ``"The agenda item's
    police report."``); ``constraints`` are any further arguments of ``Field``. A field that
    must be absent rather than null on the other events declares its own ``Field``.
    """
    return Field(default=None, description=description, examples=examples, **constraints)


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


def _check_place_name(value: str) -> str:
    # Codes and messages name the rule, never the value.
    if contains_cpr_like_number(value):
        raise PydanticCustomError(
            "cpr_in_name", "a school or police district is a name; it may not hold a CPR number"
        )
    if value and (
        not any(ch.isalpha() for ch in value)
        or any(unicodedata.category(ch)[0] == "C" for ch in value)
    ):
        raise PydanticCustomError(
            "not_a_name", "a school or police district is a name: letters, no control characters"
        )
    return value


PlaceName = Annotated[
    str,
    Field(
        max_length=MAX_PLACE_NAME_CHARS,
        description=f"A name (at most {MAX_PLACE_NAME_CHARS} characters, with letters, no "
        "control characters); a CPR-like number in it is rejected (cpr_in_name).",
    ),
    AfterValidator(_check_place_name),
]
"""The name of a school or a police district: a name only (no CPR number, no control
characters), bounded."""


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

IsoWeekCode = Annotated[str, Field(pattern=ISO_WEEK_PATTERN, examples=["2026-W49"])]
"""An ISO week, ``YYYY-Www`` (a weekly meeting's week, the week a concern was registered in)."""

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

Id = Annotated[str, Field(min_length=1, max_length=MAX_ID_CHARS)]
"""An id: one the platform writes (a UUID) or another system's (a case id); never empty."""

EventId = Annotated[
    Id,
    Field(
        description="Unique id of this event; the same event republished has the same id.",
        examples=["8d5f0c1e-2a4b-5c6d-8e9f-0a1b2c3d4e5f"],
    ),
]
"""The id of a published event, derived from the stored event (re-delivery keeps it)."""

StaffInitials = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_INITIALS_CHARS,
        description="Initials or role code of a member of staff (never the young person).",
        examples=["ABJ"],
    ),
]
"""Who did something or owns it: a member of staff's initials or a role code."""

IdReference = Annotated[str, Field(max_length=MAX_ID_CHARS)]
"""An optional field's reference to an id (bounded like an id)."""

Code = Annotated[str, Field(max_length=MAX_CODE_CHARS)]
"""A code the platform writes: a role, a route, a reason, a profile, a version."""

TeamName = Annotated[str, Field(max_length=MAX_TEAM_CHARS)]
"""A team's name."""

Initials = Annotated[str, Field(max_length=MAX_INITIALS_CHARS)]
"""A caseworker's initials (or short user id)."""

PersonName = Annotated[
    str | None,
    Field(default=None, max_length=MAX_NAME_CHARS, examples=["Mads Jensen"], repr=False),
]
"""The full name of the person a message is about, when the sender knows it: never in a repr."""

ShortText = Annotated[str, Field(max_length=MAX_TEXT_CHARS)]
"""A short free text: the offence text, the place description, a problem's message."""

PathText = Annotated[str, Field(max_length=MAX_PATH_CHARS)]
"""A field path of a problem, or an API path."""

KeyJournalNumber = Annotated[
    JournalNumber, Field(description="Police journal number; the message key.")
]
"""The journal number of a message keyed by it (an incident)."""

IncidentJournalNumber = Annotated[
    JournalNumber, Field(description="Journal number of the incident.")
]
"""A message's journal number when the person, not the incident, is its key."""

KeyPersonKey = Annotated[PersonKey, Field(description="Pseudonym of the person; the message key.")]
"""The person key of a message keyed by it."""

IncidentTime = Annotated[Timestamp, Field(description="When the incident happened.")]
"""When the incident a message is about happened."""

ResidenceMunicipality = Annotated[
    MunicipalityCode, Field(description="The person's residence municipality.")
]
"""The municipality a person lives in (whose staff may see them)."""

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
