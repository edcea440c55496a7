"""Concerns that do not come from the police (issue 15, part 5): checked, pseudonymised like an
incident's person (the keyed HMAC of the CPR number) and kept with the reporter, the category
and the free text in intake's encrypted store; `ConcernRegistered` (codes and dates) is what
leaves intake. Bad input is rejected and kept like any (IntakeService._reject)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from services.intake.application.identities import (
    IdentityIds,
    OnePersonInput,
    remember_identity,
)
from services.intake.domain.concerns import ConcernRecord, iso_week_of
from services.intake.domain.municipalities import municipality_problems
from services.intake.domain.pseudonym import Pseudonymiser
from shared.contracts import Concern, ConcernRegistered, FieldProblem, parse_bytes
from shared.eventstore import UnitOfWork
from shared.keys.sealing import PersonSealer, is_sealed
from shared.telemetry import current_trace_context


@dataclass(frozen=True)
class ValidConcern(OnePersonInput):
    """A concern that passed every rule, with its person's pseudonym worked out once
    (`record_id`: its `ConcernRecord`)."""

    concern: Concern


def check_concern(
    raw: bytes, pseudonymiser: Pseudonymiser, served: Iterable[str]
) -> ValidConcern | list[FieldProblem]:
    """The concern with what accepting it needs, or every problem it has. The young person
    must live in a municipality served here: its meeting takes the concern up."""
    concern, problems = parse_bytes(raw, Concern)
    if concern is not None:
        problems = municipality_problems(
            [("municipality_code", concern.municipality_code)], frozenset(served)
        )
    if concern is None or problems:
        return problems
    return ValidConcern(
        concern=concern,
        record_id=ConcernRecord.create_id(concern.concern_id),
        person=IdentityIds.of(pseudonymiser.key_of_normalised(concern.cpr)),
    )


def accept_concern(
    uow: UnitOfWork, valid: ValidConcern, accepted_at: datetime, sealer: PersonSealer
) -> bool:
    """Keep the concern and its person; False when its id was registered before. Who reported
    it and what they wrote is sealed with the young person's data key (issue 18): erasing the
    person makes it unreadable."""
    if uow.get(ConcernRecord, valid.record_id) is not None:
        return False
    concern = valid.concern
    context = current_trace_context()
    remember_identity(
        uow,
        valid.person,
        concern.cpr,
        concern.name,
        None,
        concern.municipality_code,
        context,
        sealer,
    )
    registered = ConcernRegistered(
        concern_id=concern.concern_id,
        person_key=valid.person.person_key,
        municipality_code=concern.municipality_code,
        school=concern.school,
        category=concern.category,
        reporter_kind=concern.reporter.kind,
        registered_at=concern.registered_at,
        iso_week=iso_week_of(concern.registered_at),
        accepted_at=accepted_at,
    )
    confidential = {
        "category": concern.category,
        "reporter": concern.reporter.model_dump(mode="json"),
        "text": concern.text,
    }
    sealed = sealer.seal(
        [valid.person.person_key], json.dumps(confidential, ensure_ascii=False).encode()
    )
    # Created the eventsourcing way: the id from `create_id` (`valid.record_id`) and the
    # current trace context (`context`, as the identity's events have it).
    uow.add(ConcernRecord(concern.concern_id, registered.model_dump(mode="json"), sealed))
    return True


def concern_record(uow: UnitOfWork, concern_id: str) -> ConcernRecord | None:
    found: ConcernRecord | None = uow.get(ConcernRecord, ConcernRecord.create_id(concern_id))
    return found


def confidential_of(record: ConcernRecord, sealer: PersonSealer) -> dict[str, Any] | None:
    """Reporter, category and text: None once the young person is erased (concerns kept
    before issue 18 hold them plain)."""
    if not is_sealed(record.confidential):
        return dict(record.confidential)
    opened = sealer.open(record.confidential)
    return None if opened is None else dict(json.loads(opened))


@dataclass(frozen=True)
class ConcernSubmission:
    """What became of a concern submitted over HTTP."""

    outcome: Literal["accepted", "duplicate", "rejected"]
    concern_id: str | None = None
    municipality_code: str | None = None
    iso_week: str | None = None
    reference: str | None = None
    problems: list[FieldProblem] = field(default_factory=list)

    @classmethod
    def of(
        cls, valid: ValidConcern, outcome: Literal["accepted", "duplicate"]
    ) -> ConcernSubmission:
        concern = valid.concern
        return cls(
            outcome,
            concern_id=concern.concern_id,
            municipality_code=concern.municipality_code,
            iso_week=iso_week_of(concern.registered_at),
        )


def reach_named(raw: bytes) -> tuple[str | None, str | None]:
    """The municipality code and school a (possibly invalid) concern document names, for the
    caller's access check before it is kept; None where it cannot be read."""
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError):
        return None, None
    if not isinstance(document, dict):
        return None, None
    code, school = document.get("municipality_code"), document.get("school")
    return (
        code if isinstance(code, str) else None,
        school if isinstance(school, str) else None,
    )
