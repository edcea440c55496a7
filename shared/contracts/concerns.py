"""Concerns that do not come from the police (issue 15, part 5: "bekymring"): a school, the SSP
network, a parent or the night team worries about a young person.

In: ``ssp.concerns.v1`` (`Concern`, also ``POST /v1/concerns`` on intake) carries the CPR number,
the reporter and the free text. Out: ``ssp.intake.concerns.v1`` (`ConcernRegistered`) is the
same concern pseudonymised by intake: codes and dates only, never the text, a name or the CPR
number (the reporter, category and text stay encrypted in intake's store)."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import Field

from shared.contracts.common import (
    MAX_ID_CHARS,
    MAX_NAME_CHARS,
    MAX_NOTE_CHARS,
    ContractModel,
    Cpr,
    IsoWeekCode,
    MunicipalityCode,
    PersonKey,
    PersonName,
    PlaceName,
    Timestamp,
)

__all__ = [
    "CONCERN_CATEGORIES",
    "REPORTER_KINDS",
    "Concern",
    "ConcernCategory",
    "ConcernRegistered",
    "ConcernReporter",
    "ReporterKind",
]

ConcernCategory = Literal[
    "kriminalitet",
    "rusmidler",
    "grupperinger",
    "mistrivsel",
    "skolefravaer",
    "radikalisering",
    "andet",
]
CONCERN_CATEGORIES: tuple[ConcernCategory, ...] = get_args(ConcernCategory)

ReporterKind = Literal["school", "ssp_network", "parent", "night_team"]
REPORTER_KINDS: tuple[ReporterKind, ...] = get_args(ReporterKind)

CONCERN_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]*$"


ConcernId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_ID_CHARS,
        pattern=CONCERN_ID_PATTERN,
        examples=["3b1f6e0a-4c2d-4e8f-9a1b-2c3d4e5f6a7b"],
    ),
]

YoungPersonSchool = Annotated[
    PlaceName | None,
    Field(default=None, description="The young person's school, if any.", examples=["Sdr. Skole"]),
]
"""The school of the young person a concern is about, on the concern and its pseudonymised copy."""

YoungPersonMunicipality = Annotated[MunicipalityCode, Field(examples=["657"])]
"""Where the young person a concern is about lives: whose weekly meeting takes it up (on the
concern and its pseudonymised copy)."""

ConcernTopic = Annotated[ConcernCategory, Field(examples=["grupperinger"])]
"""What a concern is about, on the concern and its pseudonymised copy."""

ConcernReporterKind = Annotated[ReporterKind, Field(examples=["school"])]
"""Who worries, as a code: on the concern's reporter and the pseudonymised copy."""

ReporterDetail = Annotated[str | None, Field(default=None, min_length=1, max_length=MAX_NAME_CHARS)]
"""Something a reporter may tell about themselves (their name, how to reach them): optional,
never empty, bounded; kept encrypted in intake, never published."""


class ConcernReporter(ContractModel):
    """Who worries: the kind of reporter (published as a code) and, optionally, who they are
    and how to reach them (kept encrypted in intake, never published)."""

    kind: ConcernReporterKind = Field(description="school | ssp_network | parent | night_team.")
    name: ReporterDetail = Field(
        description=f"The reporter's name (at most {MAX_NAME_CHARS} characters).",
        examples=["Lærer Hanne Holm, 7.b"],
    )
    contact: ReporterDetail = Field(
        description=f"How to reach the reporter (at most {MAX_NAME_CHARS} characters).",
        examples=["hh@skole.example, 12 34 56 78"],
    )


class Concern(ContractModel):
    """A concern about one young person, as a school, the SSP network, a parent or the night
    team registered it (in: ``ssp.concerns.v1``, key the concern id; ``POST /v1/concerns``)."""

    concern_id: ConcernId = Field(
        description=f"The reporting system's id of the concern (at most {MAX_ID_CHARS} "
        "characters: letters, digits, '.', '_', ':', '-'); the message key. The same id again "
        "is a duplicate."
    )
    cpr: Cpr = Field(
        description="CPR number of the young person; normalised to ten digits.",
        examples=["1203104123"],
    )
    name: PersonName = Field(
        min_length=1,
        description=f"The young person's name (at most {MAX_NAME_CHARS} characters).",
    )
    municipality_code: YoungPersonMunicipality = Field(
        description="Where the young person lives: whose weekly meeting takes the concern up "
        "(a municipality served here)."
    )
    school: YoungPersonSchool
    category: ConcernTopic = Field(
        description="What the concern is about: kriminalitet | rusmidler | grupperinger | "
        "mistrivsel | skolefravaer | radikalisering | andet."
    )
    reporter: ConcernReporter = Field(
        description="Who worries.",
        examples=[{"kind": "school", "name": "Lærer Hanne Holm, 7.b", "contact": None}],
    )
    text: str = Field(
        min_length=1,
        max_length=MAX_NOTE_CHARS,
        description=f"What the reporter has seen or heard (at most {MAX_NOTE_CHARS} characters); "
        "kept encrypted in intake, never published.",
        examples=["Er set med en gruppe ældre unge ved stationen flere aftener."],
        repr=False,
    )
    registered_at: Timestamp = Field(
        description="When the concern was registered (RFC 3339 with offset).",
        examples=["2026-12-02T14:05:00+01:00"],
    )


class ConcernRegistered(ContractModel):
    """A concern intake accepted, pseudonymised (``ssp.intake.concerns.v1``, key the person
    key): codes and dates only; no free text, no names, no CPR number."""

    concern_id: ConcernId = Field(description="The concern's id.")
    person_key: PersonKey = Field(description="The young person; the message key.")
    municipality_code: YoungPersonMunicipality = Field(
        description="Where the young person lives (whose meeting takes it up)."
    )
    school: YoungPersonSchool
    category: ConcernTopic = Field(description="What it is about.")
    reporter_kind: ConcernReporterKind = Field(description="Who worries.")
    registered_at: Timestamp = Field(description="When it was registered.")
    iso_week: IsoWeekCode = Field(
        description="The ISO week (Europe/Copenhagen) it was registered in."
    )
    accepted_at: Timestamp = Field(description="When intake accepted it.")
