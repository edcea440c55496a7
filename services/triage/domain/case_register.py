"""Which social-services cases a person has, as far as triage has heard (contracts.md §2).

A case is active from its `case_opened` until its `case_closed`, and may be reopened. Case
events may be redelivered or arrive out of order, so each case's status follows its latest
open/close event by `at`, and an event already applied changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from eventsourcing.domain import event

from services.triage.domain.erasure import ErasableAggregate
from services.triage.domain.ids import aggregate_id
from services.triage.domain.routing import ActiveCase
from shared.contracts import PseudonymisedCaseEvent
from shared.eventstore.ids import keyed_id

_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass
class CaseStatus:
    case_id: str
    municipality_code: str
    is_open: bool = False
    status_at: datetime = _NEVER
    team: str | None = None
    caseworker: str | None = None
    assigned_at: datetime = _NEVER

    def moved_to(self, is_open: bool, at: datetime) -> None:
        # At the same instant a close wins: routing to a closed case would be worse.
        if at > self.status_at or (at == self.status_at and not is_open):
            self.is_open = is_open
            self.status_at = at

    def assigned(self, team: str | None, caseworker: str | None, at: datetime) -> None:
        if at >= self.assigned_at:
            self.team = team or self.team
            self.caseworker = caseworker or self.caseworker
            self.assigned_at = at


class PersonCaseRegister(ErasableAggregate):
    """The cases of one person (by pseudonym)."""

    create_id = keyed_id(aggregate_id, "person_key", prefix="cases")

    @event("Started")
    def __init__(self, person_key: str) -> None:
        self.person_key = person_key
        self.cases: dict[str, CaseStatus] = {}
        self.applied: set[tuple[str, str, datetime]] = set()

    def apply(self, case_event: PseudonymisedCaseEvent) -> bool:
        """Record a case-register event; False when it was applied before."""
        if self.erased or (case_event.event, case_event.case_id, case_event.at) in self.applied:
            return False
        if case_event.event == "case_opened":
            self.open_case(
                case_id=case_event.case_id,
                municipality_code=case_event.municipality_code,
                team=case_event.team,
                caseworker=case_event.caseworker,
                at=case_event.at,
            )
        elif case_event.event == "case_closed":
            self.close_case(
                case_id=case_event.case_id,
                municipality_code=case_event.municipality_code,
                at=case_event.at,
            )
        else:
            self.change_caseworker(
                case_id=case_event.case_id,
                municipality_code=case_event.municipality_code,
                team=case_event.team,
                caseworker=case_event.caseworker,
                at=case_event.at,
            )
        return True

    def forget(self, person_key: str) -> None:
        """Erased (issue 18): no case is kept, and none is recorded any more."""
        self.cases = {}
        self.applied = set()

    def active_case(self, residence_municipality: str) -> ActiveCase | None:
        """The open case to route to: one in the person's own municipality first, then the most
        recently (re)opened (ties by case id, so the choice is reproducible)."""
        open_cases = [case for case in self.cases.values() if case.is_open]
        if not open_cases:
            return None
        chosen = max(
            open_cases,
            key=lambda c: (c.municipality_code == residence_municipality, c.status_at, c.case_id),
        )
        return ActiveCase(
            case_id=chosen.case_id, municipality_code=chosen.municipality_code, team=chosen.team
        )

    def _case(self, case_id: str, municipality_code: str) -> CaseStatus:
        return self.cases.setdefault(case_id, CaseStatus(case_id, municipality_code))

    @event("CaseOpened")
    def open_case(
        self,
        case_id: str,
        municipality_code: str,
        team: str | None,
        caseworker: str | None,
        at: datetime,
    ) -> None:
        case = self._case(case_id, municipality_code)
        case.moved_to(True, at)
        case.assigned(team, caseworker, at)
        self.applied.add(("case_opened", case_id, at))

    @event("CaseClosed")
    def close_case(self, case_id: str, municipality_code: str, at: datetime) -> None:
        self._case(case_id, municipality_code).moved_to(False, at)
        self.applied.add(("case_closed", case_id, at))

    @event("CaseworkerChanged")
    def change_caseworker(
        self,
        case_id: str,
        municipality_code: str,
        team: str | None,
        caseworker: str | None,
        at: datetime,
    ) -> None:
        self._case(case_id, municipality_code).assigned(team, caseworker, at)
        self.applied.add(("caseworker_changed", case_id, at))
