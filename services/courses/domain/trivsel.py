"""A TRIVSEL+ course (Fredericia): after the SSP coordinator has placed a young person without
an active case on a step (trinplacering), the coordinator and a local leader run a course with
parental consent, a plan of goals and measures (each with an owner and a review date),
follow-ups, and a closing outcome.

Rules the aggregate keeps:
- one course per person and incident (the id is derived from both);
- consent can be recorded as not required only for an adult (18 or over at the incident);
- no measure starts before consent is given or recorded as not required;
- review dates are not in the past when set; things that happened are not in the future;
- a course closes once; `completed` needs consent; nothing changes after closing.

Its terms (steps, consent, plan items, errors) are in `trivsel_terms`. This module is over 400
lines because it is one aggregate: its event classes are stored under their `module:Class`
topic, so they stay nested in the class, each with the method that applies it.
"""

from __future__ import annotations

from datetime import date, datetime

from eventsourcing.domain import event

from services.courses.domain.calendar import local_date
from services.courses.domain.course import Course, DeadlinePolicy, DuplicateId, UnknownItem
from services.courses.domain.trivsel_terms import (
    SETTLED,
    ConsentAlreadyRequested,
    ConsentAlreadySettled,
    ConsentAnswer,
    ConsentMissing,
    FollowUpKind,
    Goal,
    Measure,
    MeasureNotInProgress,
    MeasuresStillOpen,
    NotAnAdult,
    TrivselMeasureKind,
    TrivselOutcome,
    check_step,
    review_key,
)
from services.courses.domain.workflow import workflow_for_age
from shared.eventstore.ids import IdSpace, keyed_id

_IDS = IdSpace("urn:ssp:courses:trivsel")


class TrivselCourse(Course):
    course_type = "trivsel_plus"

    class Started(Course.Created):
        person_key: str
        journal_number: str
        municipality_code: str
        age_at_incident: int
        step: int
        rationale: str
        coordinator: str
        local_leader: str
        started_on: date

    class StepPlaced(Course.Event):
        step: int
        rationale: str

    class ConsentRequested(Course.Event):
        requested_on: date

    class ConsentGiven(Course.Event):
        given_on: date

    class ConsentRefused(Course.Event):
        refused_on: date

    class ConsentNotRequired(Course.Event):
        recorded_on: date

    class GoalAdded(Course.Event):
        goal_id: str
        description: str
        owner: str
        review_on: date

    class MeasureAdded(Course.Event):
        measure_id: str
        goal_id: str
        kind: str
        description: str
        owner: str
        review_on: date

    class MeasureStarted(Course.Event):
        measure_id: str
        started_on: date

    class MeasureCompleted(Course.Event):
        measure_id: str
        completed_on: date

    class ItemReviewed(Course.Event):
        item_id: str
        reviewed_on: date
        next_review_on: date | None
        note: str

    class FollowUpRecorded(Course.Event):
        kind: str
        held_on: date
        note: str

    class ReviewOverdue(Course.Event):
        item_id: str
        review_on: date

    class ConsentOverdue(Course.Event):
        requested_on: date
        pending_days: int

    class Closed(Course.Closing):
        outcome: str
        note: str

    create_id = keyed_id(_IDS, "person_key", "journal_number")

    @classmethod
    def start(
        cls,
        *,
        person_key: str,
        journal_number: str,
        municipality_code: str,
        age_at_incident: int,
        step: int,
        rationale: str,
        coordinator: str,
        local_leader: str,
        at: datetime,
    ) -> TrivselCourse:
        check_step(step)
        return cls(
            person_key=person_key,
            journal_number=journal_number,
            municipality_code=municipality_code,
            age_at_incident=age_at_incident,
            step=step,
            rationale=rationale,
            coordinator=coordinator,
            local_leader=local_leader,
            started_on=local_date(at),
            at=at,
        )

    @event(Started)
    def __init__(
        self,
        person_key: str,
        journal_number: str,
        municipality_code: str,
        age_at_incident: int,
        step: int,
        rationale: str,
        coordinator: str,
        local_leader: str,
        started_on: date,
        at: datetime,
    ) -> None:
        self._open(person_key, municipality_code, journal_number)
        self.age_at_incident = age_at_incident
        self.workflow = workflow_for_age(age_at_incident)
        self.step = step
        self.rationale = rationale
        self.coordinator = coordinator
        self.local_leader = local_leader
        self.started_on = started_on
        self.consent_status: str = "not_requested"
        self.consent_requested_on: date | None = None
        self.consent_decided_on: date | None = None
        self.consent_requests = 0
        self.goals: dict[str, Goal] = {}
        self.measures: dict[str, Measure] = {}
        self.follow_ups: list[dict[str, object]] = []
        self.overdue_flags: list[str] = []
        self.outcome: str | None = None
        self.closing_note: str | None = None

    # --- commands ------------------------------------------------------------------------
    def place_on_step(self, step: int, rationale: str, at: datetime) -> None:
        self.require_open()
        check_step(step)
        self._place_on_step(step=step, rationale=rationale, at=at)

    def request_consent(self, on: date, at: datetime) -> None:
        self.require_open()
        self.require_not_future(on, at, "requested_on")
        if self.consent_status in SETTLED:
            raise ConsentAlreadySettled(f"consent is already {self.consent_status}")
        if self.consent_status == "requested":
            raise ConsentAlreadyRequested("consent was requested and is still pending")
        self._request_consent(requested_on=on, at=at)

    def record_consent(self, answer: ConsentAnswer, on: date, at: datetime) -> None:
        self.require_open()
        self.require_not_future(on, at, "on")
        if self.consent_status in SETTLED:
            raise ConsentAlreadySettled(f"consent is already {self.consent_status}")
        if answer == "given":
            self._give_consent(given_on=on, at=at)
        elif answer == "refused":
            if self.consent_status == "refused":
                raise ConsentAlreadySettled("consent was refused already")
            self._refuse_consent(refused_on=on, at=at)
        else:
            if self.workflow != "adult":
                raise NotAnAdult("consent is required: the person was under 18 at the incident")
            self._consent_not_required(recorded_on=on, at=at)

    def add_goal(
        self, goal_id: str, description: str, owner: str, review_on: date, at: datetime
    ) -> None:
        self.require_open()
        self._require_new_id(goal_id)
        self.require_not_past(review_on, at, "review_on")
        self._add_goal(
            goal_id=goal_id, description=description, owner=owner, review_on=review_on, at=at
        )

    def add_measure(
        self,
        measure_id: str,
        goal_id: str,
        kind: TrivselMeasureKind,
        description: str,
        owner: str,
        review_on: date,
        at: datetime,
    ) -> None:
        self.require_open()
        self._require_new_id(measure_id)
        if goal_id not in self.goals:
            raise UnknownItem(f"no goal {goal_id!r} in this course", field="goal_id")
        self.require_not_past(review_on, at, "review_on")
        self._add_measure(
            measure_id=measure_id,
            goal_id=goal_id,
            kind=kind,
            description=description,
            owner=owner,
            review_on=review_on,
            at=at,
        )

    def start_measure(self, measure_id: str, on: date, at: datetime) -> None:
        self.require_open()
        measure = self._measure(measure_id)
        self.require_not_future(on, at, "on")
        if self.consent_status not in SETTLED:
            raise ConsentMissing(
                "no measure starts before consent is given (or recorded as not required "
                "for an adult)",
                consent_status=self.consent_status,
            )
        if measure["status"] != "planned":
            raise MeasureNotInProgress(f"measure {measure_id!r} is {measure['status']}")
        self._start_measure(measure_id=measure_id, started_on=on, at=at)

    def complete_measure(self, measure_id: str, on: date, at: datetime) -> None:
        self.require_open()
        measure = self._measure(measure_id)
        self.require_not_future(on, at, "on")
        if measure["status"] != "started":
            raise MeasureNotInProgress(f"measure {measure_id!r} is {measure['status']}")
        self._complete_measure(measure_id=measure_id, completed_on=on, at=at)

    def review(
        self, item_id: str, on: date, next_review_on: date | None, note: str, at: datetime
    ) -> None:
        """A goal or measure was reviewed; `next_review_on` None: no further review planned."""
        self.require_open()
        self.require_not_future(on, at, "reviewed_on")
        if item_id in self.measures:
            if self.measures[item_id]["status"] == "completed":
                raise MeasureNotInProgress(f"measure {item_id!r} is completed")
        elif item_id not in self.goals:
            raise UnknownItem(f"no goal or measure {item_id!r} in this course", field="item_id")
        if next_review_on is not None:
            self.require_not_past(next_review_on, at, "next_review_on")
        self._review(
            item_id=item_id, reviewed_on=on, next_review_on=next_review_on, note=note, at=at
        )

    def record_follow_up(self, kind: FollowUpKind, held_on: date, note: str, at: datetime) -> None:
        self.require_open()
        self.require_not_future(held_on, at, "held_on")
        self._record_follow_up(kind=kind, held_on=held_on, note=note, at=at)

    def close(self, outcome: TrivselOutcome, note: str, at: datetime) -> None:
        self.require_open()
        if outcome == "completed" and self.consent_status not in SETTLED:
            raise ConsentMissing(
                "a course without consent can be dropped or handed to social services, not "
                "completed",
                consent_status=self.consent_status,
            )
        open_measures = sorted(
            item_id for item_id, m in self.measures.items() if m["status"] == "started"
        )
        if outcome == "completed" and open_measures:
            # A course is completed when its measures are; one still under way blocks it
            # (complete it first, or close the course as dropped or handed over, which closes
            # the measures with it).
            raise MeasuresStillOpen(
                "a course with a measure still started cannot be completed",
                measures=open_measures,
            )
        self._close(outcome=outcome, note=note, at=at)

    def mark_overdue(self, now: datetime, policy: DeadlinePolicy) -> int:
        """Raise each overdue review and a consent pending too long, once each."""
        if self.closed:
            return 0
        raised = 0
        today = local_date(now)
        requested_on = self.consent_requested_on
        if self.consent_status == "requested" and requested_on is not None:
            pending = today - requested_on
            if pending > policy.consent_pending and self._consent_key() not in self.overdue_flags:
                self._consent_overdue(requested_on=requested_on, pending_days=pending.days, at=now)
                raised += 1
        for item_id, review_on in self._review_dates():
            if review_on < today and review_key(item_id, review_on) not in self.overdue_flags:
                self._review_overdue(item_id=item_id, review_on=review_on, at=now)
                raised += 1
        return raised

    def forget_text(self) -> None:
        self.rationale = ""
        self.closing_note = None
        for item in [*self.goals.values(), *self.measures.values()]:
            item["description"] = ""
        for follow_up in self.follow_ups:
            follow_up["note"] = ""

    # --- rules -----------------------------------------------------------------------------
    def _require_new_id(self, item_id: str) -> None:
        if item_id in self.goals or item_id in self.measures:
            raise DuplicateId(f"{item_id!r} is already a goal or measure of this course")

    def _measure(self, measure_id: str) -> Measure:
        try:
            return self.measures[measure_id]
        except KeyError:
            raise UnknownItem(
                f"no measure {measure_id!r} in this course", field="measure_id"
            ) from None

    def _review_dates(self) -> list[tuple[str, date]]:
        dates = [(g["goal_id"], g["review_on"]) for g in self.goals.values()]
        dates += [
            (m["measure_id"], m["review_on"])
            for m in self.measures.values()
            if m["status"] != "completed"
        ]
        return sorted((item_id, day) for item_id, day in dates if day is not None)

    def _consent_key(self) -> str:
        return f"consent#{self.consent_requests}"

    # --- events ----------------------------------------------------------------------------
    @event(StepPlaced)
    def _place_on_step(self, step: int, rationale: str, at: datetime) -> None:
        self.step = step
        self.rationale = rationale

    @event(ConsentRequested)
    def _request_consent(self, requested_on: date, at: datetime) -> None:
        self.consent_status = "requested"
        self.consent_requested_on = requested_on
        self.consent_requests += 1

    @event(ConsentGiven)
    def _give_consent(self, given_on: date, at: datetime) -> None:
        self.consent_status = "given"
        self.consent_decided_on = given_on

    @event(ConsentRefused)
    def _refuse_consent(self, refused_on: date, at: datetime) -> None:
        self.consent_status = "refused"
        self.consent_decided_on = refused_on

    @event(ConsentNotRequired)
    def _consent_not_required(self, recorded_on: date, at: datetime) -> None:
        self.consent_status = "not_required"
        self.consent_decided_on = recorded_on

    @event(GoalAdded)
    def _add_goal(
        self, goal_id: str, description: str, owner: str, review_on: date, at: datetime
    ) -> None:
        self.goals[goal_id] = Goal(
            goal_id=goal_id, description=description, owner=owner, review_on=review_on
        )

    @event(MeasureAdded)
    def _add_measure(
        self,
        measure_id: str,
        goal_id: str,
        kind: str,
        description: str,
        owner: str,
        review_on: date,
        at: datetime,
    ) -> None:
        self.measures[measure_id] = Measure(
            measure_id=measure_id,
            goal_id=goal_id,
            kind=kind,
            description=description,
            owner=owner,
            review_on=review_on,
            status="planned",
            started_on=None,
            completed_on=None,
        )

    @event(MeasureStarted)
    def _start_measure(self, measure_id: str, started_on: date, at: datetime) -> None:
        self.measures[measure_id]["status"] = "started"
        self.measures[measure_id]["started_on"] = started_on

    @event(MeasureCompleted)
    def _complete_measure(self, measure_id: str, completed_on: date, at: datetime) -> None:
        self.measures[measure_id]["status"] = "completed"
        self.measures[measure_id]["completed_on"] = completed_on

    @event(ItemReviewed)
    def _review(
        self, item_id: str, reviewed_on: date, next_review_on: date | None, note: str, at: datetime
    ) -> None:
        item: Goal | Measure = (
            self.measures[item_id] if item_id in self.measures else self.goals[item_id]
        )
        item["review_on"] = next_review_on

    @event(FollowUpRecorded)
    def _record_follow_up(self, kind: str, held_on: date, note: str, at: datetime) -> None:
        self.follow_ups.append({"kind": kind, "held_on": held_on, "note": note})

    @event(ReviewOverdue)
    def _review_overdue(self, item_id: str, review_on: date, at: datetime) -> None:
        self.overdue_flags.append(review_key(item_id, review_on))

    @event(ConsentOverdue)
    def _consent_overdue(self, requested_on: date, pending_days: int, at: datetime) -> None:
        self.overdue_flags.append(self._consent_key())

    @event(Closed)
    def _close(self, outcome: str, note: str, at: datetime) -> None:
        self.closed = True
        self.outcome = outcome
        self.closing_note = note
