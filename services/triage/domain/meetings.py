"""The weekly meeting of a municipality (overleveringsmøde, indsatsmøde, mandagsmøde,
samordningsmøde, §115-møde) as an event-sourced aggregate: who took part, the agenda items it
took up, what it decided about route and owner, the actions it agreed (owner and due date) and
its notes; together, the minutes (issue 15).

It lives in triage because triage owns what the meeting decides most often, the route and the
owner of a child's item: the revised decision and the meeting's record of it are stored in one
transaction. Keyed by pseudonyms only, like everything in triage. The text of an agreed action
and of a note is kept here (bounded) and never published: `ssp.meetings.events.v1` carries
codes, pseudonyms and dates.

Besides the police reports of its week (reporting's handover list), a meeting takes up the
concerns that do not come from the police (issue 15, part 5): each concern is placed on the
agenda of the meeting of the week it was registered in, unless that meeting has been held
(someone recorded something at it: it has participants), then on the next week's not yet held
(`place_concern`). Only codes are kept: the reporter and the text stay in intake."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import event

from services.triage.domain.ids import aggregate_id
from shared.eventstore import TracedAggregate

MAX_TEXT = 1000
"""An agreed action or a note: at most this many characters."""


AGENDA_KEEPER = "triage"
"""Who opens a meeting by placing a concern on its agenda (no person recorded anything yet)."""


def meeting_name(municipality_code: str, iso_week: str) -> str:
    return f"{municipality_code}/{iso_week}"


def next_iso_week(iso_week: str) -> str:
    year, week = iso_week.split("-W")
    following = date.fromisocalendar(int(year), int(week), 1) + timedelta(weeks=1)
    iso = following.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


@dataclass(frozen=True)
class ConcernItem:
    """A concern on the agenda: codes only (what it is about, who worries), never the text."""

    concern_id: str
    person_key: str
    school: str | None
    category: str
    reporter_kind: str
    registered_at: str
    placed_at: str


@dataclass(frozen=True)
class AgreedAction:
    action_id: str
    journal_number: str
    person_key: str
    what: str
    owner_role: str
    owner_team: str | None
    due_on: date
    agreed_by: str
    agreed_at: datetime


@dataclass(frozen=True)
class AtMeeting:
    """The first field of an event recorded at a meeting, after the event's own: which one."""

    meeting: str


@dataclass(frozen=True)
class MeetingDecision:
    """What the meeting decided about a child's route or owner (`decision_id`: the revised
    decision, None when it kept the current one)."""

    journal_number: str
    person_key: str
    decision_id: str | None
    route: str
    owner_role: str
    owner_team: str | None
    by: str
    at: datetime


@dataclass(frozen=True)
class MeetingNote:
    """A note for the minutes, about the meeting or (with journal number and person key) one
    child's item."""

    note_id: str
    journal_number: str | None
    person_key: str | None
    text: str
    by: str
    at: datetime


class WeeklyMeeting(TracedAggregate):
    class Opened(TracedAggregate.Created):
        municipality_code: str
        iso_week: str
        opened_by: str
        opened_at: datetime

    class ParticipantJoined(TracedAggregate.Event):
        meeting: str
        subject: str
        role: str
        at: datetime

    class RouteOrOwnerDecided(MeetingDecision, AtMeeting, TracedAggregate.Event):
        def apply(self, aggregate: Any) -> None:
            cast(WeeklyMeeting, aggregate)._minute(MeetingDecision, self)

    class ActionAgreed(TracedAggregate.Event):
        meeting: str
        action: dict[str, Any]

    class ConcernPlaced(TracedAggregate.Event):
        meeting: str
        concern: dict[str, Any]

    class NoteRecorded(MeetingNote, AtMeeting, TracedAggregate.Event):
        def apply(self, aggregate: Any) -> None:
            cast(WeeklyMeeting, aggregate)._minute(MeetingNote, self)

    @staticmethod
    def create_id(municipality_code: str, iso_week: str) -> UUID:
        return aggregate_id(f"meeting:{meeting_name(municipality_code, iso_week)}")

    @event(Opened)
    def __init__(
        self, municipality_code: str, iso_week: str, opened_by: str, opened_at: datetime
    ) -> None:
        self.municipality_code = municipality_code
        self.iso_week = iso_week
        self.opened_by = opened_by
        self.opened_at = opened_at
        self.participants: dict[str, str] = {}
        self.items: list[tuple[str, str]] = []
        """(journal number, person key) of each item the meeting took up, in order."""
        self.decisions: list[dict[str, Any]] = []
        self.actions: list[AgreedAction] = []
        self.notes: list[dict[str, Any]] = []
        self.concerns: list[ConcernItem] = []

    @property
    def name(self) -> str:
        return meeting_name(self.municipality_code, self.iso_week)

    @property
    def held(self) -> bool:
        """Someone recorded something at it: a concern arriving now waits for the next one."""
        return bool(self.participants)

    def has_concern(self, concern_id: str) -> bool:
        return any(c.concern_id == concern_id for c in self.concerns)

    def place_concern(self, concern: ConcernItem) -> None:
        if self.has_concern(concern.concern_id):
            return
        self._place(meeting=self.name, concern=asdict(concern))

    @event(ConcernPlaced)
    def _place(self, meeting: str, concern: dict[str, Any]) -> None:
        self.concerns.append(ConcernItem(**concern))

    def next_action_id(self) -> str:
        """Deterministic: the meeting and the action's number in it."""
        return str(aggregate_id(f"meeting-action:{self.name}:{len(self.actions) + 1}"))

    def next_note_id(self) -> str:
        return str(aggregate_id(f"meeting-note:{self.name}:{len(self.notes) + 1}"))

    def take_part(self, subject: str, role: str, at: datetime) -> None:
        if subject not in self.participants:
            self._join(meeting=self.name, subject=subject, role=role, at=at)

    @event(ParticipantJoined)
    def _join(self, meeting: str, subject: str, role: str, at: datetime) -> None:
        self.participants[subject] = role

    def _take_up(self, journal_number: str | None, person_key: str | None) -> None:
        if journal_number and person_key and (journal_number, person_key) not in self.items:
            self.items.append((journal_number, person_key))

    def _minute(self, kind: type[MeetingDecision] | type[MeetingNote], recorded: Any) -> None:
        """A decision or note as the minutes keep it: the recorded event's fields of `kind`."""
        entry = {field.name: getattr(recorded, field.name) for field in fields(kind)}
        self._take_up(entry["journal_number"], entry["person_key"])
        (self.decisions if kind is MeetingDecision else self.notes).append(entry)

    def record_decision(self, decision: MeetingDecision) -> None:
        self.trigger_event(self.RouteOrOwnerDecided, meeting=self.name, **asdict(decision))

    def agree_action(self, action: AgreedAction) -> None:
        if not action.what.strip() or len(action.what) > MAX_TEXT:
            raise ValueError("an agreed action says what, in at most 1000 characters")
        self._agree(
            meeting=self.name,
            action={
                **asdict(action),
                "due_on": action.due_on.isoformat(),
                "agreed_at": action.agreed_at.isoformat(),
            },
        )

    @event(ActionAgreed)
    def _agree(self, meeting: str, action: dict[str, Any]) -> None:
        self._take_up(action["journal_number"], action["person_key"])
        self.actions.append(
            AgreedAction(
                **{
                    **action,
                    "due_on": date.fromisoformat(action["due_on"]),
                    "agreed_at": datetime.fromisoformat(action["agreed_at"]),
                }
            )
        )

    def record_note(self, note: MeetingNote) -> None:
        if not note.text.strip() or len(note.text) > MAX_TEXT:
            raise ValueError("a note holds 1 to 1000 characters")
        self.trigger_event(self.NoteRecorded, meeting=self.name, **asdict(note))


MEETING_EVENTS: tuple[type, ...] = (
    WeeklyMeeting.Opened,
    WeeklyMeeting.ParticipantJoined,
    WeeklyMeeting.RouteOrOwnerDecided,
    WeeklyMeeting.ActionAgreed,
    WeeklyMeeting.NoteRecorded,
    WeeklyMeeting.ConcernPlaced,
)
"""The meeting's stored events, each published on ssp.meetings.events.v1."""
