"""What intake knows about a kept rejection without reading it again, and which later input
replaces it (issue 15, part 6: a corrected re-import closes the rejection it replaces).

A rejection is **open** until it is corrected. It is corrected

- explicitly, by resubmitting a corrected document for its reference
  (`POST /v1/rejected/{reference}/resubmit`, the console's form): `how = "resubmitted"`;
- or by the same incident arriving valid later, on any channel (Kafka, `POST /v1/incidents`,
  the police list import): `how = "submitted_again"`. Which later incident counts as the
  same is the deployment's `INTAKE_CORRECTION_MATCH` (`CorrectionMatch`).

A police journal number names one case for good, so the default matches on it: an incident
accepted (or found already there) with journal number J and revision R replaces every open
rejection whose input carried the journal number J and a revision of at most R, or no
readable revision. A later revision is a newer report, so a lower revision arriving late
does not close the rejection of a higher one. Input whose journal number could not be read
has nothing to match on: it is closed only by resubmitting it.

A rejected concern (issue 15, part 5) has no journal number: it is corrected by resubmitting
it (validated as a concern), or by a valid concern with the same `concern_id` (the reporting
system's id, the same id again being the same concern) that names the same municipality as the
rejected one did, or none it could read: `how = "submitted_again"`. Not under
`resubmission_only`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from shared.contracts.common import MAX_ID_CHARS
from shared.contracts.incidents import SOURCES

__all__ = [
    "RESUBMITTED",
    "SUBMITTED_AGAIN",
    "CorrectionMatch",
    "NamedInDocument",
    "RejectionSummary",
    "code_in",
    "concern_id_in",
    "list_in",
    "named_in_document",
    "summarise",
]

RESUBMITTED = "resubmitted"
"""Corrected through its reference (the resubmit endpoint, the console's form)."""
SUBMITTED_AGAIN = "submitted_again"
"""Closed by the same incident arriving valid later (re-import, re-post, Kafka)."""


class CorrectionMatch(StrEnum):
    """Which later incident replaces an open rejection (`INTAKE_CORRECTION_MATCH`)."""

    JOURNAL_NUMBER = "journal_number"
    """The same journal number, a revision at least the rejected one's (the default)."""
    JOURNAL_NUMBER_AND_SOURCE = "journal_number_and_source"
    """Also from the same police list (`source`: doegnrapport, ssp_liste, nec): for a
    district whose lists number their cases independently."""
    RESUBMISSION_ONLY = "resubmission_only"
    """Only an explicit resubmission closes a rejection."""


@dataclass(frozen=True)
class NamedInDocument:
    """What a (possibly invalid) input document names: the municipality codes and CPR
    strings found where the contracts put them, and whether it is a case-register event or a
    concern (issue 15, part 5; both name one person, at the top)."""

    municipalities: frozenset[str]
    cprs: tuple[Any, ...]
    case_register: bool = False
    concern: bool = False


def list_in(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def code_in(value: Any) -> str | None:
    if isinstance(value, str) and len(value) == 3 and value.isdigit():
        return value
    return None


def concern_id_in(document: Mapping[str, Any]) -> str | None:
    """A concern document's id, when it is one a valid concern could carry."""
    value = document.get("concern_id")
    if isinstance(value, str) and 0 < len(value) <= MAX_ID_CHARS:
        return value
    return None


def _document(raw: bytes) -> dict[str, Any] | None:
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError):  # e.g. not JSON, or nested beyond the stack
        return None
    return document if isinstance(document, dict) else None


def named_in_document(raw: bytes) -> NamedInDocument:
    """What cannot be read is left out (the document failed validation after all)."""
    document = _document(raw)
    if document is None:
        return NamedInDocument(frozenset(), ())
    persons = [p for p in list_in(document.get("persons")) if isinstance(p, dict)]
    case_register = "persons" not in document and ("case_id" in document or "event" in document)
    concern = "persons" not in document and "concern_id" in document
    if case_register or concern:  # one person, at the top (contracts §2, a concern)
        persons = [document]
    codes = {code_in(p.get("municipality_code")) for p in persons}
    location = document.get("location")
    if isinstance(location, dict):
        codes.add(code_in(location.get("municipality_code")))
    return NamedInDocument(
        frozenset(c for c in codes if c is not None),
        tuple(p.get("cpr") for p in persons),
        case_register,
        concern,
    )


@dataclass(frozen=True)
class RejectionSummary:
    """One kept rejection as the list and the matching see it: codes, never the input."""

    reference: str
    received_at: datetime
    channel: str
    journal_number: str | None
    revision: int | None
    source: str | None
    municipalities: frozenset[str]
    case_register: bool
    reasons: tuple[Mapping[str, str], ...]
    concern: bool = False
    """A concern (issue 15, part 5): a child's welfare, like a case-register event not for the
    police, and no journal number to be replaced by."""
    concern_id: str | None = None
    """A concern's id as the rejected input carried it: a valid concern with it replaces it."""

    @property
    def social_services(self) -> bool:
        """Social services' matter: a case-register event or a concern (not for the police)."""
        return self.case_register or self.concern

    def replaced_by(
        self, match: CorrectionMatch, journal_number: str, revision: int, source: str
    ) -> bool:
        """Whether the valid incident (`journal_number`, `revision`, `source`) replaces it."""
        if match is CorrectionMatch.RESUBMISSION_ONLY or self.social_services:
            return False
        if self.journal_number is None or self.journal_number != journal_number:
            return False
        if self.revision is not None and self.revision > revision:
            return False
        return match is CorrectionMatch.JOURNAL_NUMBER or self.source == source

    def replaced_by_concern(
        self, match: CorrectionMatch, concern_id: str, municipality_code: str
    ) -> bool:
        """Whether the valid concern (`concern_id`, of `municipality_code`) replaces it."""
        return (
            match is not CorrectionMatch.RESUBMISSION_ONLY
            and self.concern
            and self.concern_id == concern_id
            and self.municipalities <= {municipality_code}
        )


def summarise(
    reference: str,
    channel: str,
    received_at: datetime,
    original: bytes,
    rejection: Mapping[str, Any],
    case_register_input: bool,
    concern_input: bool = False,
) -> RejectionSummary:
    """A kept rejection's summary, from what `RejectedInput.Recorded` holds. The journal
    number and revision are those the rejection salvaged (valid ones only)."""
    named = named_in_document(original)
    document = _document(original) or {}
    source = document.get("source")
    revision = rejection.get("revision")
    return RejectionSummary(
        reference=reference,
        received_at=received_at,
        channel=channel,
        journal_number=rejection.get("journal_number"),
        revision=revision if isinstance(revision, int) else None,
        source=source if source in SOURCES else None,
        municipalities=named.municipalities,
        case_register=named.case_register or case_register_input,
        concern=named.concern or concern_input,
        concern_id=concern_id_in(document) if named.concern or concern_input else None,
        reasons=tuple(
            {"field": str(r["field"]), "code": str(r["code"]), "message": str(r["message"])}
            for r in rejection.get("reasons", [])
            if isinstance(r, Mapping)
        ),
    )
