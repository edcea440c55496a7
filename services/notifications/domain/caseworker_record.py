"""The caseworker's side for one person and incident (issue 17, part 3): each assessment
notifications records ("orienter" = `inform` or "indkald" = `summon`) — from a caseworker app
on `ssp.caseworker.assessments.v1` or over notifications' API — and each meeting held with the
family, as events published on `ssp.notifications.assessments.v1` so reporting can show them.

The letter the assessment calls for stays `LetterTaskCase`'s business; this record only says
what the caseworker did. Rules:
- an assessment already recorded (same outcome, caseworker and time) is not recorded again;
- a meeting with the family follows a summons: the latest assessment must be `summon`;
- a meeting happened: not in the future, not before the summons' day.

Every event carries the record's facts (journal number, person, municipality), so the relay
publishes it without loading the aggregate.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from eventsourcing.domain import event

from services.notifications.domain.erasure import ForgetsErasedPerson
from shared.contracts import CaseworkerAssessment
from shared.eventstore import TracedAggregate
from shared.eventstore.ids import IdSpace, keyed_id

_IDS = IdSpace("urn:ssp:notifications:caseworker-record")
LOCAL_TZ = ZoneInfo("Europe/Copenhagen")


class CaseworkerRecordRefused(ValueError):
    """A command the record's rules do not allow; `code` is machine-readable."""

    code = "rule_violated"
    status = 409

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotSummoned(CaseworkerRecordRefused):
    code = "not_summoned"


class MeetingDateRefused(CaseworkerRecordRefused):
    code = "meeting_date_refused"
    status = 422


class CaseworkerRecord(ForgetsErasedPerson, TracedAggregate):
    class Event(TracedAggregate.Event):
        facts: dict[str, Any]

    class Opened(Event, TracedAggregate.Created):
        journal_number: str
        person_key: str

    class Assessed(Event):
        outcome: str
        caseworker: str
        assessed_at: datetime
        via: str
        municipality_code: str | None

    class FamilyMeetingHeld(Event):
        held_on: str  # ISO date (the application has no date transcoding)
        caseworker: str
        youth_attended: bool
        recorded_at: datetime
        municipality_code: str | None

    class Erased(Event):
        """Issue 18: the person was erased. The event holds nothing about them (empty facts,
        nothing published); from here on the record holds no assessment or meeting, records
        none, and loading its events again (a restart, a rebuild) ends the same way."""

        def apply(self, aggregate: Any) -> None:
            record = cast(CaseworkerRecord, aggregate)
            record.erased = True
            record.assessments = []
            record.meetings = []

    create_id = keyed_id(_IDS, "journal_number", "person_key")

    @classmethod
    def _create(cls, event_class: Any, **kwargs: Any) -> Any:
        kwargs.setdefault(
            "facts",
            {"journal_number": kwargs["journal_number"], "person_key": kwargs["person_key"]},
        )
        return super()._create(event_class, **kwargs)

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        facts = (
            {}  # nothing about the person
            if issubclass(event_class, CaseworkerRecord.Erased)
            else {"journal_number": self.journal_number, "person_key": self.person_key}
        )
        kwargs.setdefault("facts", facts)
        super().trigger_event(event_class, **kwargs)

    @event(Opened)
    def __init__(self, journal_number: str, person_key: str) -> None:
        self.journal_number = journal_number
        self.person_key = person_key
        self.assessments: list[dict[str, Any]] = []
        self.meetings: list[dict[str, Any]] = []
        self.erased = False

    # --- commands ------------------------------------------------------------------------
    def assess(
        self, assessment: CaseworkerAssessment, via: str, municipality_code: str | None
    ) -> bool:
        """Record the assessment, as it came `via` Kafka or HTTP; False when it was recorded
        before, or the person was erased."""
        if self.erased or any(
            a["outcome"] == assessment.outcome
            and a["caseworker"] == assessment.caseworker
            and a["assessed_at"] == assessment.at
            for a in self.assessments
        ):
            return False
        self._assessed(
            assessment.outcome, assessment.caseworker, assessment.at, via, municipality_code
        )
        return True

    def hold_family_meeting(
        self,
        held_on: date,
        caseworker: str,
        youth_attended: bool,
        now: datetime,
        municipality_code: str | None,
    ) -> None:
        latest = self.latest_assessment
        if latest is None or latest["outcome"] != "summon":
            raise NotSummoned(
                "a meeting with the family follows a summons: record the assessment 'summon' first"
            )
        if held_on > now.astimezone(LOCAL_TZ).date():
            raise MeetingDateRefused("held_on is after today", field="held_on")
        if held_on < latest["assessed_at"].astimezone(LOCAL_TZ).date():
            raise MeetingDateRefused(
                "held_on is before the day the family was summoned", field="held_on"
            )
        self._meeting(
            held_on=held_on.isoformat(),
            caseworker=caseworker,
            youth_attended=youth_attended,
            recorded_at=now,
            municipality_code=municipality_code,
        )

    @property
    def latest_assessment(self) -> dict[str, Any] | None:
        """The latest by its own time, whatever order they arrived in."""
        return max(self.assessments, key=lambda a: a["assessed_at"], default=None)

    # --- events ----------------------------------------------------------------------------
    @event(Assessed)
    def _assessed(
        self,
        outcome: str,
        caseworker: str,
        assessed_at: datetime,
        via: str,
        municipality_code: str | None,
    ) -> None:
        self.assessments.append(
            {"outcome": outcome, "caseworker": caseworker, "assessed_at": assessed_at, "via": via}
        )

    @event(FamilyMeetingHeld)
    def _meeting(
        self,
        held_on: str,
        caseworker: str,
        youth_attended: bool,
        recorded_at: datetime,
        municipality_code: str | None,
    ) -> None:
        self.meetings.append(
            {"held_on": held_on, "caseworker": caseworker, "youth_attended": youth_attended}
        )
