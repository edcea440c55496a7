"""Documents triage consumes, with defaults a test overrides only where it matters."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.triage.adapters.profile_files import PACKAGED_PROFILES_DIR, load_profiles
from services.triage.domain.profiles import MunicipalityProfile, ProfileBook
from shared.contracts import AcceptedIncident, PseudonymisedCaseEvent

JOURNAL = "3700-80123-00456-26"
DECIDED_AT = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)

#: The profiles shipped with the service, read once for all tests.
PROFILES: ProfileBook = load_profiles(PACKAGED_PROFILES_DIR)


def profile(code: str) -> MunicipalityProfile:
    return PROFILES.profiles[code] if code != "default" else PROFILES.default


def journal(n: int) -> str:
    """The n-th journal number of a test (distinct incidents)."""
    return f"3700-80123-{n:05d}-26"


def person(key: str = "pk_a", age: int = 14, **overrides: Any) -> dict[str, Any]:
    return {
        "person_key": key,
        "role": "sigtet",
        "municipality_code": "607",
        "age_at_incident": age,
        "in_scope": 0 <= age <= 25,
        **overrides,
    }


def incident_doc(
    revision: int = 1, persons: list[dict[str, Any]] | None = None, **overrides: Any
) -> dict[str, Any]:
    return {
        "journal_number": JOURNAL,
        "revision": revision,
        "source": "doegnrapport",
        "police_district": "Sydøstjyllands Politi",
        "reported_at": "2026-11-16T08:12:00+01:00",
        "occurred_at": "2026-11-15T22:40:00+01:00",
        "offence_code": "butikstyveri",
        "location_municipality_code": "607",
        "flags": [],
        "accepted_at": "2026-11-16T08:12:01+01:00",
        "persons": persons if persons is not None else [person()],
        **overrides,
    }


def incident(**kwargs: Any) -> AcceptedIncident:
    return AcceptedIncident.model_validate(incident_doc(**kwargs))


def case_doc(
    event: str = "case_opened",
    key: str = "pk_a",
    case_id: str = "DUBU-2026-001234",
    at: str = "2026-10-02T09:00:00+02:00",
    **overrides: Any,
) -> dict[str, Any]:
    return {
        "event": event,
        "case_id": case_id,
        "person_key": key,
        "municipality_code": "607",
        "team": "Børn og Familie Team Nord",
        "caseworker": "ABJ",
        "at": at,
        **overrides,
    }


def case_event(*args: Any, **kwargs: Any) -> PseudonymisedCaseEvent:
    return PseudonymisedCaseEvent.model_validate(case_doc(*args, **kwargs))
