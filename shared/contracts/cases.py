"""In: social-services case register on ``ssp.socialservices.cases.v1`` (contracts.md §2).

A person has an active case from its ``case_opened`` until its ``case_closed``.
Required: event, case_id, cpr, municipality_code, at. Optional: team, caseworker.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from shared.contracts.common import (
    MAX_ID_CHARS,
    MAX_INITIALS_CHARS,
    MAX_TEAM_CHARS,
    ContractModel,
    Cpr,
    Id,
    Initials,
    MunicipalityCode,
    TeamName,
    Timestamp,
)

__all__ = ["CaseEventType", "CaseRegisterEvent"]

CaseEventType = Literal["case_opened", "case_closed", "caseworker_changed"]

CaseEvent = Annotated[
    CaseEventType, Field(description="What happened to the case.", examples=["case_opened"])
]
"""What happened to a case, on the register's event and on its pseudonymised copy."""

# The case's other fields as the register's event and its pseudonymised copy both carry them
# (each describes them in its own words).
CaseId = Annotated[Id, Field(examples=["DUBU-2026-001234"])]
"""The case's id in the case system."""

CaseTeam = Annotated[TeamName | None, Field(default=None, examples=["Børn og Familie Team Nord"])]
"""The team that owns the case, if the register names one."""

CaseCaseworker = Annotated[Initials | None, Field(default=None, examples=["ABJ"])]
"""The responsible caseworker's initials, if the register names one."""

CaseEventTime = Annotated[Timestamp, Field(examples=["2026-10-02T09:00:00+02:00"])]
"""When a case event took effect."""


class CaseRegisterEvent(ContractModel):
    """A change in the social-services case register for one person."""

    event: CaseEvent
    case_id: CaseId = Field(
        description=f"Case id in the case system (at most {MAX_ID_CHARS} characters); the "
        "message key."
    )
    cpr: Cpr = Field(
        description="CPR number of the person the case is about; normalised to ten digits.",
        examples=["1203104123"],
    )
    municipality_code: MunicipalityCode = Field(
        description="Municipality that owns the case, three digits."
    )
    team: CaseTeam = Field(
        description=f"Team that owns the case (at most {MAX_TEAM_CHARS} characters)."
    )
    caseworker: CaseCaseworker = Field(
        description=f"Initials of the responsible caseworker (at most {MAX_INITIALS_CHARS} "
        "characters)."
    )
    at: CaseEventTime = Field(description="When the event took effect (RFC 3339 with offset).")
