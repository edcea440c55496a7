"""In: police incidents on ``ssp.police.incidents.v1`` and ``POST /v1/incidents`` (contracts.md §1).

Required: journal_number, revision, source, reported_at, occurred_at, offence.code,
location.municipality_code, persons (1-50) with cpr, role, municipality_code.
Optional: police_district, offence.text, location.text, flags (default empty), narrative, and per
person name, address, school.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, get_args

from pydantic import Field

from shared.contracts.common import (
    MAX_ADDRESS_CHARS,
    MAX_NAME_CHARS,
    MAX_NARRATIVE_CHARS,
    MAX_TEXT_CHARS,
    ContractModel,
    Cpr,
    KeyJournalNumber,
    MunicipalityCode,
    PersonName,
    PlaceName,
    Revision,
    ShortText,
    Timestamp,
)
from shared.contracts.cpr import age_on

__all__ = [
    "FLAGS",
    "MAX_PERSONS",
    "OFFENCE_CODES",
    "ROLES",
    "SOURCES",
    "Flag",
    "IncidentPerson",
    "Location",
    "Offence",
    "OffenceCode",
    "PoliceIncident",
    "Role",
    "Source",
]

Source = Literal["doegnrapport", "ssp_liste", "nec"]
OffenceCode = Literal[
    "butikstyveri",
    "tyveri",
    "indbrud",
    "haervaerk",
    "vold",
    "trusler",
    "roeveri",
    "narkotika",
    "vaaben",
    "brandstiftelse",
    "faerdsel",
    "digital_kraenkelse",
    "seksualforbrydelse",
    "ordensforstyrrelse",
    "andet",
]
Role = Literal["antruffet", "sigtet", "forurettet"]
Flag = Literal["bande", "ekstremisme", "vaaben", "rusmidler", "gentagelse"]

IncidentSource = Annotated[
    Source, Field(description="Which police list.", examples=["doegnrapport"])
]
"""The police list an incident came from: on the police incident and its pseudonymised copy."""

IncidentReportedAt = Annotated[
    Timestamp,
    Field(
        description="When the police registered the incident.",
        examples=["2026-11-16T08:12:00+01:00"],
    ),
]
"""When the police registered an incident: on the police incident and its pseudonymised copy."""

IncidentRole = Annotated[
    Role, Field(description="The person's role in the incident.", examples=["sigtet"])
]
"""A person's role in the incident a message is about."""

IncidentOffenceCode = Annotated[
    OffenceCode, Field(description="Offence category.", examples=["butikstyveri"])
]
"""The offence category of the incident a message is about."""

IncidentFlags = Annotated[
    list[Flag], Field(default_factory=list, description="Risk flags.", examples=[["rusmidler"]])
]
"""The incident's risk flags, none when it has none: on the police incident and its
pseudonymised copy."""

SOURCES: tuple[Source, ...] = get_args(Source)
OFFENCE_CODES: tuple[OffenceCode, ...] = get_args(OffenceCode)
ROLES: tuple[Role, ...] = get_args(Role)
FLAGS: tuple[Flag, ...] = get_args(Flag)

MAX_PERSONS = 50


class Offence(ContractModel):
    """What happened: offence category and optional police text."""

    code: IncidentOffenceCode
    text: ShortText | None = Field(
        default=None,
        description=f"Free-text offence description from the police (at most {MAX_TEXT_CHARS} "
        "characters).",
        examples=["Tyveri fra butik i bymidten"],
        repr=False,
    )


class Location(ContractModel):
    """Where it happened."""

    municipality_code: MunicipalityCode = Field(
        description="Municipality where the incident took place, three digits."
    )
    text: ShortText | None = Field(
        default=None,
        description=f"Free-text place description (at most {MAX_TEXT_CHARS} characters).",
        examples=["Fredericia bymidte"],
        repr=False,
    )


class IncidentPerson(ContractModel):
    """A person registered in a police incident (carries CPR and name by nature)."""

    cpr: Cpr = Field(
        description="CPR number, ten digits with or without the hyphen; normalised to ten digits "
        "without hyphen. The first six are a real date DDMMYY, the century follows from the 7th "
        "digit; modulus 11 is not required."
    )
    name: PersonName = Field(description=f"Full name (at most {MAX_NAME_CHARS} characters).")
    role: IncidentRole = Field(
        description="antruffet (encountered) | sigtet (charged) | forurettet (victim)."
    )
    municipality_code: MunicipalityCode = Field(
        description="The person's residence municipality, three digits."
    )
    address: str | None = Field(
        default=None,
        max_length=MAX_ADDRESS_CHARS,
        description=f"Residence address (at most {MAX_ADDRESS_CHARS} characters).",
        examples=["Vestre Ringvej 1, 7000 Fredericia"],
        repr=False,
    )
    school: PlaceName | None = Field(
        default=None,
        description="School the person attends: a name only (at most 120 characters; a "
        "CPR-like number in it is rejected as cpr_in_name).",
        examples=["Kirstinebjergskolen"],
    )

    def age_at(self, moment: datetime) -> int:
        """Age in full years on the date of ``moment`` in its own offset."""
        return age_on(self.cpr, moment.date())


class PoliceIncident(ContractModel):
    """A police incident: one journal number and revision, with 1-50 persons."""

    journal_number: KeyJournalNumber
    revision: Revision = Field(
        description="Revision, integer >= 1. A higher revision of the same journal number "
        "supersedes a lower one; the same (journal_number, revision) twice has the effect of once."
    )
    source: IncidentSource = Field(description="Which police list the incident came from.")
    police_district: PlaceName | None = Field(
        default=None,
        description="Reporting police district: a name only (at most 120 characters; a "
        "CPR-like number in it is rejected as cpr_in_name).",
        examples=["Sydøstjyllands Politi"],
    )
    reported_at: IncidentReportedAt = Field(
        description="When the police registered the incident (RFC 3339 with offset)."
    )
    occurred_at: Timestamp = Field(
        description="When the incident happened (RFC 3339 with offset); ages are computed on its "
        "date in its own offset."
    )
    offence: Offence = Field(
        description="What happened.",
        examples=[{"code": "butikstyveri", "text": "Tyveri fra butik i bymidten"}],
    )
    location: Location = Field(
        description="Where it happened.",
        examples=[{"municipality_code": "607", "text": "Fredericia bymidte"}],
    )
    persons: list[IncidentPerson] = Field(
        min_length=1,
        max_length=MAX_PERSONS,
        description="The persons registered, 1-50.",
        examples=[
            [
                {
                    "cpr": "120310-4123",
                    "name": "Mads Jensen",
                    "role": "sigtet",
                    "municipality_code": "607",
                    "school": "Kirstinebjergskolen",
                }
            ]
        ],
    )
    flags: IncidentFlags
    narrative: str | None = Field(
        default=None,
        max_length=MAX_NARRATIVE_CHARS,
        description=f"Free-text narrative (at most {MAX_NARRATIVE_CHARS} characters). Never "
        "leaves intake.",
        examples=["To unge antruffet efter tyveri fra butik."],
        repr=False,
    )

    def age_of(self, person: IncidentPerson) -> int:
        """Age in full years of ``person`` at ``occurred_at``."""
        return person.age_at(self.occurred_at)
