"""The acute-event procedure (Fredericia's standard procedure for a specific intervention
after an acute incident): started by a director and a head of department, nine standard
steps each with an owner and a completion, closed by the final report to the political level.

The standard letter to parents and staff (step 4) is asked for when the procedure starts
(`StandardLetterRequested`: task id, deadline, owner) and reported sent when step 4 is
completed; notifications creates, completes and tracks the letter task from those course
events. The procedure still remembers the letter as a `LetterTaskEvent` document (as events
stored before always did) to know whether it is due, sent or overdue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypedDict, Unpack
from uuid import uuid5

from eventsourcing.domain import event

from services.courses.domain.calendar import local_date
from services.courses.domain.course import (
    Course,
    DeadlinePolicy,
    InvalidCommand,
    StateConflict,
)
from shared.contracts import LetterTaskEvent
from shared.contracts.letter_tasks import LetterTaskEventType
from shared.eventstore.ids import IdSpace, keyed_id

_IDS = IdSpace("urn:ssp:courses:acute")


@dataclass(frozen=True)
class AcuteStep:
    number: int
    code: str
    default_owner: str


ACUTE_STEPS: tuple[AcuteStep, ...] = (
    AcuteStep(1, "procedure_started", "management"),
    AcuteStep(2, "alliance_convened", "management"),
    AcuteStep(3, "press_handled", "alliance"),
    AcuteStep(4, "parents_and_staff_informed", "management"),
    AcuteStep(5, "individual_meetings", "tovholder"),
    AcuteStep(6, "street_team_class_visits", "gadeteam"),
    AcuteStep(7, "parents_meeting", "school"),
    AcuteStep(8, "learning_course", "school"),
    AcuteStep(9, "final_report", "management"),
)
STANDARD_LETTER_STEP = 4
FINAL_REPORT_STEP = 9


class UnknownStep(InvalidCommand):
    code = "invalid_step"


class StepAlreadyCompleted(StateConflict):
    code = "step_completed"


class StepsOutstanding(StateConflict):
    code = "steps_outstanding"


class AcuteStart(TypedDict):
    """Which incident the procedure is for and who started it: what `start` takes besides the
    time it is recorded at and the deadline policy."""

    municipality_code: str
    reference: str
    journal_number: str | None
    director: str
    head_of_department: str


class AcuteProcedure(Course):
    course_type = "acute_procedure"

    class Started(Course.Created):
        municipality_code: str
        reference: str
        journal_number: str | None
        director: str
        head_of_department: str
        started_on: date

    class StandardLetterChanged(Course.Event):
        """Every change to the standard-letter task; `letter` is the `LetterTaskEvent`."""

        letter: dict[str, Any]

    class StandardLetterRequested(StandardLetterChanged):
        pass

    class StandardLetterSent(StandardLetterChanged):
        pass

    class StandardLetterOverdue(StandardLetterChanged):
        pass

    class StepAssigned(Course.Event):
        step: int
        owner: str

    class StepCompleted(Course.Event):
        step: int
        completed_on: date

    class Closed(Course.Closing):
        closed_on: date

    create_id = keyed_id(_IDS, "municipality_code", "reference")

    @classmethod
    def start(
        cls, *, at: datetime, policy: DeadlinePolicy, **start: Unpack[AcuteStart]
    ) -> AcuteProcedure:
        procedure = cls(**start, started_on=local_date(at), at=at)
        procedure._request_letter(letter=procedure._new_letter(at + policy.acute_letter, at), at=at)
        return procedure

    @event(Started)
    def __init__(
        self,
        municipality_code: str,
        reference: str,
        journal_number: str | None,
        director: str,
        head_of_department: str,
        started_on: date,
        at: datetime,
    ) -> None:
        self._open(None, municipality_code, journal_number)
        self.reference = reference
        self.director = director
        self.head_of_department = head_of_department
        self.started_on = started_on
        # Step 1 is the start itself: the director and the head of department started it.
        self.steps: list[dict[str, Any]] = [
            {
                "step": s.number,
                "code": s.code,
                "owner": s.default_owner,
                "completed_on": started_on if s.number == 1 else None,
            }
            for s in ACUTE_STEPS
        ]
        self.letter: dict[str, Any] | None = None
        self.closed_on: date | None = None

    # --- commands ------------------------------------------------------------------------
    def assign_step(self, step: int, owner: str, at: datetime) -> None:
        self.require_open()
        if self._step(step)["completed_on"] is not None:
            raise StepAlreadyCompleted(f"step {step} is completed")
        self._assign(step=step, owner=owner, at=at)

    def complete_step(self, step: int, on: date, at: datetime) -> None:
        self.require_open()
        self.require_not_future(on, at, "completed_on")
        if self._step(step)["completed_on"] is not None:
            raise StepAlreadyCompleted(f"step {step} is completed")
        if step == FINAL_REPORT_STEP:
            outstanding = self.outstanding_steps(before=FINAL_REPORT_STEP)
            if outstanding:
                raise StepsOutstanding(
                    "the final report closes the procedure: complete the other steps first",
                    outstanding=outstanding,
                )
        self._complete(step=step, completed_on=on, at=at)
        if step == STANDARD_LETTER_STEP and self.letter_status in ("created", "overdue"):
            self._send_letter(letter=self._next_letter("completed", at), at=at)
        if step == FINAL_REPORT_STEP:
            self._close(closed_on=on, at=at)

    def mark_overdue(self, now: datetime, policy: DeadlinePolicy) -> int:
        """The standard letter is overdue once its deadline passes before step 4 is done."""
        if self.closed or self.letter is None or self.letter_status != "created":
            return 0
        if now <= datetime.fromisoformat(self.letter["due_at"]):
            return 0
        self._letter_overdue(letter=self._next_letter("overdue", now), at=now)
        return 1

    # --- queries -----------------------------------------------------------------------------
    @property
    def letter_status(self) -> str | None:
        return str(self.letter["event"]) if self.letter is not None else None

    @property
    def letter_task_id(self) -> str:
        return str(uuid5(self.id, "akut_standardbrev"))

    def outstanding_steps(self, before: int = FINAL_REPORT_STEP + 1) -> list[int]:
        return [s["step"] for s in self.steps if s["step"] < before and s["completed_on"] is None]

    # --- rules -----------------------------------------------------------------------------
    def _step(self, step: int) -> dict[str, Any]:
        if not 1 <= step <= len(self.steps):
            raise UnknownStep(f"steps are 1-{len(self.steps)}", field="step")
        return self.steps[step - 1]

    def _new_letter(self, due_at: datetime, at: datetime) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "task_id": self.letter_task_id,
            "event": "created",
            "person_key": f"acute:{self.id}",
            "municipality_code": self.municipality_code,
            "kind": "akut_standardbrev",
            # 000 l.390: "Orientering af forældre og medarbejdere lokalt (standard skriv)".
            "recipients": ["parents", "local_staff"],
            "owner_role": self._step(STANDARD_LETTER_STEP)["owner"],
            "due_at": due_at,
            "at": at,
        }
        # Without a police case (000 l.385: a director and a head of department decide) the
        # letter names no journal number; notifications makes its task all the same.
        letter = LetterTaskEvent(journal_number=self.journal_number, **fields)
        return letter.model_dump(mode="json")

    def _next_letter(self, what: LetterTaskEventType, at: datetime) -> dict[str, Any]:
        assert self.letter is not None
        return {**self.letter, "event": what, "at": at.isoformat()}

    # --- events ----------------------------------------------------------------------------
    @event(StandardLetterRequested)
    def _request_letter(self, letter: dict[str, Any], at: datetime) -> None:
        self.letter = letter

    @event(StandardLetterSent)
    def _send_letter(self, letter: dict[str, Any], at: datetime) -> None:
        self.letter = letter

    @event(StandardLetterOverdue)
    def _letter_overdue(self, letter: dict[str, Any], at: datetime) -> None:
        self.letter = letter

    @event(StepAssigned)
    def _assign(self, step: int, owner: str, at: datetime) -> None:
        self.steps[step - 1]["owner"] = owner

    @event(StepCompleted)
    def _complete(self, step: int, completed_on: date, at: datetime) -> None:
        self.steps[step - 1]["completed_on"] = completed_on

    @event(Closed)
    def _close(self, closed_on: date, at: datetime) -> None:
        self.closed = True
        self.closed_on = closed_on
