"""The weekly meeting's use cases in triage (issue 15): what the meeting decided about a
child's route or owner (with the revised decision, in one transaction), the actions it agreed,
its notes, and its minutes. Each command records the caller as a participant."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from services.triage.application.app import TriageApplication
from services.triage.domain.meetings import (
    AGENDA_KEEPER,
    AgreedAction,
    ConcernItem,
    MeetingDecision,
    MeetingNote,
    WeeklyMeeting,
    next_iso_week,
)
from shared.contracts import ConcernRegistered, RoutingDecision
from shared.eventstore import UnitOfWork


@dataclass(frozen=True)
class Participant:
    subject: str
    role: str


def meeting_for(
    uow: UnitOfWork, municipality_code: str, iso_week: str, who: Participant, at: datetime
) -> WeeklyMeeting:
    """The meeting, opened by the first thing recorded at it; the caller takes part."""
    meeting = uow.get(WeeklyMeeting, WeeklyMeeting.create_id(municipality_code, iso_week))
    if meeting is None:
        meeting = WeeklyMeeting(municipality_code, iso_week, who.subject, at)
        uow.add(meeting)
    meeting.take_part(who.subject, who.role, at)
    return meeting


MAX_WEEKS_AHEAD = 53
"""A concern goes at most a year past its week (every meeting until then held already)."""


def place_concern(uow: UnitOfWork, concern: ConcernRegistered, at: datetime) -> WeeklyMeeting:
    """Put a concern on the agenda of its municipality's meeting: the meeting of the week it
    was registered in, or, when that one has been held, the next one not held yet. The same
    concern again (a re-delivery) finds itself on the meeting it was placed on and changes
    nothing. A concern never becomes a decision, so never a letter to the parents."""
    item = ConcernItem(
        concern_id=concern.concern_id,
        person_key=concern.person_key,
        school=concern.school,
        category=concern.category,
        reporter_kind=concern.reporter_kind,
        registered_at=concern.registered_at.isoformat(),
        placed_at=at.isoformat(),
    )
    week = concern.iso_week
    for weeks_ahead in range(MAX_WEEKS_AHEAD + 1):
        meeting = uow.get(WeeklyMeeting, WeeklyMeeting.create_id(concern.municipality_code, week))
        if meeting is None:
            meeting = WeeklyMeeting(concern.municipality_code, week, AGENDA_KEEPER, at)
            uow.add(meeting)
        if (
            meeting.has_concern(item.concern_id)
            or not meeting.held
            or weeks_ahead == MAX_WEEKS_AHEAD
        ):
            meeting.place_concern(item)
            return meeting
        week = next_iso_week(week)
    raise AssertionError("unreachable: the last week ahead takes the concern")


def record_route_or_owner(
    meeting: WeeklyMeeting,
    current: RoutingDecision,
    revised: RoutingDecision | None,
    by: str,
    at: datetime,
) -> None:
    decided = revised if revised is not None else current
    meeting.record_decision(
        MeetingDecision(
            journal_number=decided.journal_number,
            person_key=decided.person_key,
            decision_id=revised.decision_id if revised is not None else None,
            route=decided.route,
            owner_role=decided.owner_role or "",
            owner_team=decided.owner_team,
            by=by,
            at=at,
        )
    )


@dataclass(frozen=True)
class ActionToAgree:
    journal_number: str
    person_key: str
    what: str
    owner_role: str
    owner_team: str | None
    due_on: date


class MeetingMinutes:
    """Reads and commands of the meeting aggregate, each in its own transaction."""

    def __init__(self, app: TriageApplication) -> None:
        self.app = app

    def agree_action(
        self,
        municipality_code: str,
        iso_week: str,
        action: ActionToAgree,
        who: Participant,
        at: datetime,
    ) -> AgreedAction:
        uow = UnitOfWork(self.app)
        meeting = meeting_for(uow, municipality_code, iso_week, who, at)
        # The action as proposed, with its id and who agreed it when.
        agreed = AgreedAction(
            action_id=meeting.next_action_id(),
            **asdict(action),
            agreed_by=who.subject,
            agreed_at=at,
        )
        meeting.agree_action(agreed)
        uow.commit()
        return agreed

    def record_note(
        self,
        municipality_code: str,
        iso_week: str,
        journal_number: str | None,
        person_key: str | None,
        text: str,
        who: Participant,
        at: datetime,
    ) -> str:
        uow = UnitOfWork(self.app)
        meeting = meeting_for(uow, municipality_code, iso_week, who, at)
        note_id = meeting.next_note_id()
        meeting.record_note(MeetingNote(note_id, journal_number, person_key, text, who.subject, at))
        uow.commit()
        return note_id

    def minutes(self, municipality_code: str, iso_week: str) -> WeeklyMeeting | None:
        uow = UnitOfWork(self.app)
        found: WeeklyMeeting | None = uow.get(
            WeeklyMeeting, WeeklyMeeting.create_id(municipality_code, iso_week)
        )
        return found
