"""An exit programme (Guldborgsund, Vejen) for a person of 15 or over in gang-related crime
or a destructive milieu.

Referral (police, PET, prison and probation service, a municipal department) → clarifying
talks (target group? motivated?) → accepted or declined → a contract naming which department
implements which measure by when → at least one cooperation meeting every calendar month
while active → ended as completed or dropped out, with a reason. A move to another
municipality transfers the programme: obligations (contract, meetings, deadlines) continue
unchanged, and the receiving municipality has access from the transfer on. Cases that need
more qualification of the concern or safety are escalated to the Infohus.

Monthly meetings: every full calendar month of activity (from the first month that starts on
or after acceptance) needs a meeting held in it; a month without one raises `MeetingMissed`
once, when it is over.

Its terms (referrers, reasons, contract measures, the meeting calendar, errors) are in
`exit_programme_terms`. This module is over 400 lines because it is one aggregate: its event
classes are stored under their `module:Class` topic, so they stay nested in the class, each
with the method that applies it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypedDict, Unpack
from uuid import UUID

from eventsourcing.domain import event

from services.courses.domain.calendar import local_date
from services.courses.domain.course import (
    Course,
    CourseFacts,
    DeadlinePolicy,
    DuplicateId,
    StateConflict,
    UnknownItem,
)
from services.courses.domain.exit_programme_terms import (
    EXIT_MIN_AGE,
    REASONS_FOR_OUTCOME,
    AlreadyEscalated,
    BelowTargetAge,
    Clarification,
    ClarifyingTalk,
    ContractMeasure,
    DeclineReason,
    EmptyContract,
    EndReason,
    ExitOutcome,
    InfohusReason,
    NotClarified,
    ReasonDoesNotFitOutcome,
    ReferredBy,
    SameMunicipality,
    Stage,
    WrongStage,
    measure_key,
    months_without_meeting,
)
from shared.eventstore.ids import IdSpace

_IDS = IdSpace("urn:ssp:courses:exit")


class Referral(TypedDict):
    """Who is referred to an exit programme, when, where and by whom: what `refer` takes
    besides the time it is recorded at."""

    person_key: str
    referred_on: date
    municipality_code: str
    journal_number: str | None
    age_at_referral: int
    referred_by: ReferredBy
    coordinator: str


class ExitProgramme(Course):
    course_type = "exit_programme"

    class Referred(Course.Created):
        person_key: str
        referred_on: date
        municipality_code: str
        journal_number: str | None
        age_at_referral: int
        referred_by: str
        coordinator: str

    class ClarifyingTalkHeld(Course.Event):
        held_on: date
        with_police: bool
        in_target_group: str
        motivated: str
        note: str

    class Accepted(Course.Event):
        accepted_on: date

    class Declined(Course.Closing):
        reason: str
        note: str

    class ContractAgreed(Course.Event):
        contract_version: int
        measures: list[dict[str, Any]]

    class ContractMeasureCompleted(Course.Event):
        measure_id: str
        completed_on: date

    class MeetingHeld(Course.Event):
        """Version 2 names the departments that took part; version 1 events had none."""

        class_version = 2

        held_on: date
        departments: list[str]
        note: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["departments"] = []

    class Transferred(Course.Event):
        from_municipality_code: str
        to_municipality_code: str
        moved_on: date

        def facts(self) -> CourseFacts:
            # The transfer is the first event the receiving municipality sees.
            facts = super().facts()
            return CourseFacts(
                course_type=facts.course_type,
                person_key=facts.person_key,
                municipality_code=self.to_municipality_code,
                journal_number=facts.journal_number,
            )

    class EscalatedToInfohus(Course.Event):
        escalated_on: date
        reason: str

    class Ended(Course.Closing):
        outcome: str
        reason: str
        note: str

    class MeetingMissed(Course.Event):
        month: str

    class ContractMeasureOverdue(Course.Event):
        measure_id: str
        due_on: date

    # Not `keyed_id` (shared/eventstore/ids.py), whose keys are text: `referred_on` is a date.
    @staticmethod
    def create_id(person_key: str, referred_on: date) -> UUID:
        return _IDS(f"{person_key}:{referred_on.isoformat()}")

    @classmethod
    def refer(cls, *, at: datetime, **referral: Unpack[Referral]) -> ExitProgramme:
        if referral["age_at_referral"] < EXIT_MIN_AGE:
            raise BelowTargetAge(
                f"exit programmes are for persons of {EXIT_MIN_AGE} or over",
                field="age_at_referral",
            )
        cls.require_not_future(referral["referred_on"], at, "referred_on")
        return cls(**referral, at=at)

    @event(Referred)
    def __init__(
        self,
        person_key: str,
        referred_on: date,
        municipality_code: str,
        journal_number: str | None,
        age_at_referral: int,
        referred_by: str,
        coordinator: str,
        at: datetime,
    ) -> None:
        self._open(person_key, municipality_code, journal_number)
        self.referred_on = referred_on
        self.age_at_referral = age_at_referral
        self.referred_by = referred_by
        self.coordinator = coordinator
        self.stage: str = "clarifying"
        self.talks: list[ClarifyingTalk] = []
        self.accepted_on: date | None = None
        self.contract_version = 0
        self.contract: dict[str, ContractMeasure] = {}
        self.meetings: list[dict[str, Any]] = []
        self.transfers: list[dict[str, Any]] = []
        # Municipality → the version from which it may see the programme's events.
        self.access: dict[str, int] = {municipality_code: 1}
        self.escalated_on: date | None = None
        self.escalation_reason: str | None = None
        self.outcome: str | None = None
        self.end_reason: str | None = None
        self.closing_note: str | None = None
        self.overdue_flags: list[str] = []

    # --- commands ------------------------------------------------------------------------
    def record_clarifying_talk(self, *, at: datetime, **talk: Unpack[ClarifyingTalk]) -> None:
        self._require_stage("clarifying")
        self.require_not_future(talk["held_on"], at, "held_on")
        self._hold_talk(**talk, at=at)

    def accept(self, on: date, at: datetime) -> None:
        self._require_stage("clarifying")
        self.require_not_future(on, at, "accepted_on")
        if not any(t["in_target_group"] == "yes" and t["motivated"] == "yes" for t in self.talks):
            raise NotClarified(
                "accepting needs a clarifying talk that found the person in the target group "
                "and motivated"
            )
        self._accept(accepted_on=on, at=at)

    def decline(self, reason: DeclineReason, note: str, at: datetime) -> None:
        self._require_stage("clarifying")
        self._decline(reason=reason, note=note, at=at)

    def agree_contract(self, measures: list[ContractMeasure], at: datetime) -> None:
        """Agree the contract, or a revision of it: the measures replace the previous list;
        a measure kept under the same id keeps its completion."""
        self._require_stage("active")
        if not measures:
            raise EmptyContract("a contract names at least one measure", field="measures")
        seen: set[str] = set()
        for measure in measures:
            if measure["measure_id"] in seen:
                raise DuplicateId(f"measure {measure['measure_id']!r} is listed twice")
            seen.add(measure["measure_id"])
            if measure["measure_id"] not in self.contract:
                self.require_not_past(measure["due_on"], at, "due_on")
        kept = [
            ContractMeasure(
                measure_id=m["measure_id"],
                department=m["department"],
                kind=m["kind"],
                due_on=m["due_on"],
                completed_on=(
                    self.contract[m["measure_id"]]["completed_on"]
                    if m["measure_id"] in self.contract
                    else None
                ),
            )
            for m in measures
        ]
        self._agree_contract(
            contract_version=self.contract_version + 1,
            measures=[dict(m) for m in kept],
            at=at,
        )

    def complete_contract_measure(self, measure_id: str, on: date, at: datetime) -> None:
        self._require_stage("active")
        self.require_not_future(on, at, "completed_on")
        measure = self.contract.get(measure_id)
        if measure is None:
            raise UnknownItem(f"no measure {measure_id!r} in the contract", field="measure_id")
        if measure["completed_on"] is not None:
            raise StateConflict(f"measure {measure_id!r} is already completed")
        self._complete_contract_measure(measure_id=measure_id, completed_on=on, at=at)

    def record_meeting(
        self, held_on: date, departments: list[str], note: str, at: datetime
    ) -> None:
        self._require_stage("active")
        self.require_not_future(held_on, at, "held_on")
        self._hold_meeting(held_on=held_on, departments=list(departments), note=note, at=at)

    def transfer(self, to_municipality_code: str, moved_on: date, at: datetime) -> None:
        self.require_open()
        self.require_not_future(moved_on, at, "moved_on")
        if to_municipality_code == self.municipality_code:
            raise SameMunicipality(
                "the programme is already held by that municipality",
                field="to_municipality_code",
            )
        self._transfer(
            from_municipality_code=self.municipality_code,
            to_municipality_code=to_municipality_code,
            moved_on=moved_on,
            at=at,
        )

    def escalate_to_infohus(self, on: date, reason: InfohusReason, at: datetime) -> None:
        self.require_open()
        self.require_not_future(on, at, "escalated_on")
        if self.escalated_on is not None:
            raise AlreadyEscalated(f"escalated to the Infohus on {self.escalated_on.isoformat()}")
        self._escalate(escalated_on=on, reason=reason, at=at)

    def end(self, outcome: ExitOutcome, reason: EndReason, note: str, at: datetime) -> None:
        self._require_stage("active")
        if reason not in REASONS_FOR_OUTCOME[outcome]:
            raise ReasonDoesNotFitOutcome(
                f"an exit programme {outcome} cannot end for the reason {reason}",
                field="reason",
                fitting=sorted(REASONS_FOR_OUTCOME[outcome]),
            )
        self._end(outcome=outcome, reason=reason, note=note, at=at)

    def mark_overdue(self, now: datetime, policy: DeadlinePolicy) -> int:
        """Raise each month that passed without a meeting and each contract measure past its
        date, once each. (`policy` has nothing for exit programmes yet; kept for symmetry.)"""
        if self.stage != "active" or self.accepted_on is None:
            return 0
        raised = 0
        for month in self.months_without_meeting(local_date(now)):
            if f"month:{month}" not in self.overdue_flags:
                self._meeting_missed(month=month, at=now)
                raised += 1
        today = local_date(now)
        for measure in sorted(self.contract.values(), key=lambda m: m["measure_id"]):
            key = measure_key(measure["measure_id"], measure["due_on"])
            if (
                measure["completed_on"] is None
                and measure["due_on"] < today
                and key not in self.overdue_flags
            ):
                self._measure_overdue(
                    measure_id=measure["measure_id"], due_on=measure["due_on"], at=now
                )
                raised += 1
        return raised

    def months_without_meeting(self, today: date) -> list[str]:
        """Every full calendar month of activity that is over and had no meeting."""
        if self.accepted_on is None:
            return []
        return months_without_meeting(
            self.accepted_on, (m["held_on"] for m in self.meetings), today
        )

    def visible_from(self, municipality_code: str) -> int | None:
        """The first version `municipality_code` may see, or None when it has no access."""
        return self.access.get(municipality_code)

    def municipalities_with_access(self) -> frozenset[str]:
        return frozenset(self.access)

    def forget_text(self) -> None:
        self.closing_note = None
        for talk in self.talks:
            talk["note"] = ""
        for meeting in self.meetings:
            meeting["note"] = ""

    # --- rules -----------------------------------------------------------------------------
    def _require_stage(self, stage: Stage) -> None:
        self.require_open()
        if self.stage != stage:
            raise WrongStage(
                f"the programme is {self.stage}, not {stage}", stage=self.stage, needed=stage
            )

    # --- events ----------------------------------------------------------------------------
    @event(ClarifyingTalkHeld)
    def _hold_talk(
        self,
        held_on: date,
        with_police: bool,
        in_target_group: Clarification,
        motivated: Clarification,
        note: str,
        at: datetime,
    ) -> None:
        self.talks.append(
            {
                "held_on": held_on,
                "with_police": with_police,
                "in_target_group": in_target_group,
                "motivated": motivated,
                "note": note,
            }
        )

    @event(Accepted)
    def _accept(self, accepted_on: date, at: datetime) -> None:
        self.stage = "active"
        self.accepted_on = accepted_on

    @event(Declined)
    def _decline(self, reason: str, note: str, at: datetime) -> None:
        self.stage = "declined"
        self.closed = True
        self.end_reason = reason
        self.closing_note = note

    @event(ContractAgreed)
    def _agree_contract(
        self, contract_version: int, measures: list[dict[str, Any]], at: datetime
    ) -> None:
        self.contract_version = contract_version
        self.contract = {
            m["measure_id"]: ContractMeasure(
                measure_id=m["measure_id"],
                department=m["department"],
                kind=m["kind"],
                due_on=m["due_on"],
                completed_on=m["completed_on"],
            )
            for m in measures
        }

    @event(ContractMeasureCompleted)
    def _complete_contract_measure(self, measure_id: str, completed_on: date, at: datetime) -> None:
        self.contract[measure_id]["completed_on"] = completed_on

    @event(MeetingHeld)
    def _hold_meeting(self, held_on: date, departments: list[str], note: str, at: datetime) -> None:
        self.meetings.append({"held_on": held_on, "departments": departments, "note": note})

    @event(Transferred)
    def _transfer(
        self, from_municipality_code: str, to_municipality_code: str, moved_on: date, at: datetime
    ) -> None:
        self.transfers.append(
            {"from": from_municipality_code, "to": to_municipality_code, "moved_on": moved_on}
        )
        self.municipality_code = to_municipality_code
        # The receiving municipality sees the programme from this event on (while an event
        # is applied, `version` is still the one before it). The sending municipality keeps
        # its access: its obligations continue.
        self.access.setdefault(to_municipality_code, self.version + 1)

    @event(EscalatedToInfohus)
    def _escalate(self, escalated_on: date, reason: str, at: datetime) -> None:
        self.escalated_on = escalated_on
        self.escalation_reason = reason

    @event(Ended)
    def _end(self, outcome: str, reason: str, note: str, at: datetime) -> None:
        self.stage = "ended"
        self.closed = True
        self.outcome = outcome
        self.end_reason = reason
        self.closing_note = note

    @event(MeetingMissed)
    def _meeting_missed(self, month: str, at: datetime) -> None:
        self.overdue_flags.append(f"month:{month}")

    @event(ContractMeasureOverdue)
    def _measure_overdue(self, measure_id: str, due_on: date, at: datetime) -> None:
        self.overdue_flags.append(measure_key(measure_id, due_on))
