"""Who is calling: the verified claims of a bearer token, reduced to what the policy needs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

_MUNICIPALITY_CODE = re.compile(r"[0-9]{3}")


class Role(StrEnum):
    """The roles a token's `role` claim may name (docs/access-model.md explains each)."""

    TOVHOLDER = "tovholder"
    TEAM_LEADER = "team_leader"
    CASEWORKER = "caseworker"
    SCHOOL_REPRESENTATIVE = "school_representative"
    POLICE_COORDINATOR = "police_coordinator"
    EXIT_COORDINATOR = "exit_coordinator"
    MANAGEMENT = "management"
    OPERATIONS = "operations"
    AUDITOR = "auditor"
    # machine clients
    POLICE_INTEGRATION = "police_integration"
    CASEWORKER_APP = "caseworker_app"


MACHINE_ROLES = frozenset({Role.POLICE_INTEGRATION, Role.CASEWORKER_APP})

INCIDENTS_WRITE = "incidents:write"
ASSESSMENTS_WRITE = "assessments:write"

DEFAULT_SCOPES: dict[Role, frozenset[str]] = {
    Role.POLICE_INTEGRATION: frozenset({INCIDENTS_WRITE}),
    Role.POLICE_COORDINATOR: frozenset({INCIDENTS_WRITE}),
    Role.CASEWORKER_APP: frozenset({ASSESSMENTS_WRITE}),
}
"""The scopes `ssp token` puts in a development token of the role."""


class InvalidClaims(ValueError):
    """The token verified, but its claims do not describe a caller (reason has no values)."""


@dataclass(frozen=True)
class Principal:
    subject: str
    """`sub`: the user or client id."""
    role: str
    """As the token says; a role the platform does not know is allowed nothing."""
    municipalities: frozenset[str]
    schools: frozenset[str]
    scopes: frozenset[str]

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> Principal:
        subject = claims.get("sub")
        role = claims.get("role")
        if not isinstance(subject, str) or not subject:
            raise InvalidClaims("sub must be a non-empty string")
        if not isinstance(role, str) or not role:
            raise InvalidClaims("role must be a non-empty string")
        municipalities = _strings(claims.get("municipalities", []), "municipalities")
        if any(_MUNICIPALITY_CODE.fullmatch(code) is None for code in municipalities):
            raise InvalidClaims("municipalities must be three-digit codes")
        return cls(
            subject=subject,
            role=role,
            municipalities=municipalities,
            schools=_strings(claims.get("schools", []), "schools"),
            scopes=_scopes(claims.get("scope", "")),
        )


def _strings(value: Any, name: str) -> frozenset[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidClaims(f"{name} must be a list of strings")
    return frozenset(value)


def _scopes(value: Any) -> frozenset[str]:
    # OAuth 2 writes scopes as one space-separated string; some providers send a list.
    if isinstance(value, str):
        return frozenset(value.split())
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return frozenset(value)
    raise InvalidClaims("scope must be a space-separated string or a list of strings")


def scope_claim(scopes: Iterable[str]) -> str:
    return " ".join(sorted(scopes))
