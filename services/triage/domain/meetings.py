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
(`place_concern`). Only codes are kept: the reporter and the text stay in intake.

Issue 18: the text of an action or a note is stored sealed (application/meetings.py) under the
data keys of the person it is about and of the minutes (`minutes_owner`): erasing the person or
the minutes' deadline makes it unreadable in every stored event. Text stored before is plain
and still reads. `PersonErased` forgets a person's items, decisions, actions, notes and
concerns; `MinutesErased` and `ConcernsErased` record that the retention job erased the
minutes, or concerns, after their deadline."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import event

from services.triage.domain.erasure import ErasableAggregate
from services.triage.domain.ids import aggregate_id
from shared.eventstore import TracedAggregate
from shared.eventstore.ids import keyed_id

Text = str | dict[str, Any]
"""The text of an action or a note as stored: sealed (`shared.keys.sealing.Sealed`), or plain
when stored before issue 18."""

MAX_TEXT = 1000
"""An agreed action or a note: at most this many characters."""


AGENDA_KEEPER = "triage"
"""Who opens a meeting by placing a concern on its agenda (no person recorded anything yet)."""


def meeting_name(municipality_code: str, iso_week: str) -> str:
    return f"{municipality_code}/{iso_week}"


def minutes_owner(meeting: str) -> str:
    """The keyring owner whose data key seals every text of the meeting's minutes: destroyed
    when the minutes' deadline passes."""
    return f"minutes:{meeting}"


def check_text(text: str, what: str) -> None:
    """An action's what or a note: 1 to `MAX_TEXT` characters, not only blanks."""
    if not text.strip() or len(text) > MAX_TEXT:
        raise ValueError(f"{what} holds 1 to {MAX_TEXT} characters")


def week_end(iso_week: str) -> datetime:
    """The end of an ISO week (Monday 00:00 UTC of the next)."""
    year, week = iso_week.split("-W")
    monday = date.fromisocalendar(int(year), int(week), 1) + timedelta(weeks=1)
    return datetime.combine(monday, time.min, tzinfo=UTC)


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
    what: Text
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
    text: Text
    by: str
    at: datetime


class WeeklyMeeting(ErasableAggregate):
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

    class MinutesErased(TracedAggregate.Event):
        """The retention job erased the minutes after their deadline (their key destroyed):
        no personal data."""

        erasure_id: str
        at: datetime

    class ConcernsErased(TracedAggregate.Event):
        """The retention job erased these concerns of the agenda after their deadline."""

        concern_ids: list[str]
        erasure_id: str
        at: datetime

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
        self.last_recorded_at = opened_at
        self.minutes_erased = False
        self.erased_concerns: set[str] = set()
        """Concerns erased at their deadline: never placed again (a replay of the topic)."""

    @property
    def name(self) -> str:
        return meeting_name(self.municipality_code, self.iso_week)

    @property
    def held(self) -> bool:
        """Someone recorded something at it: a concern arriving now waits for the next one."""
        return bool(self.participants) or self.minutes_erased

    @property
    def closed_at(self) -> datetime:
        """When the meeting closed, for its deadlines: the end of its week, or the last
        thing recorded at it when later."""
        return max(week_end(self.iso_week), self.last_recorded_at)

    def has_concern(self, concern_id: str) -> bool:
        return concern_id in self.erased_concerns or any(
            c.concern_id == concern_id for c in self.concerns
        )

    def _recorded_at(self, at: datetime | str) -> None:
        moment = datetime.fromisoformat(at) if isinstance(at, str) else at
        self.last_recorded_at = max(self.last_recorded_at, moment)

    # --- erasure (issue 18) ------------------------------------------------------------
    def mentions(self, person_key: str) -> bool:
        return any(p == person_key for _, p in self.items) or any(
            c.person_key == person_key for c in self.concerns
        )

    def forget(self, person_key: str) -> None:
        """Erased: the person's items, decisions, actions, notes and concerns leave the
        minutes and the agenda."""
        self.items = [(j, p) for j, p in self.items if p != person_key]
        self.decisions = [d for d in self.decisions if d["person_key"] != person_key]
        self.actions = [a for a in self.actions if a.person_key != person_key]
        self.notes = [n for n in self.notes if n["person_key"] != person_key]
        self.concerns = [c for c in self.concerns if c.person_key != person_key]

    def erase_minutes(self, erasure_id: str, at: datetime) -> bool:
        if self.minutes_erased:
            return False
        self._erase_minutes(erasure_id=erasure_id, at=at)
        return True

    @event(MinutesErased)
    def _erase_minutes(self, erasure_id: str, at: datetime) -> None:
        self.minutes_erased = True
        self.participants = {}
        self.items, self.decisions, self.actions, self.notes = [], [], [], []

    def erase_concerns(self, concern_ids: list[str], erasure_id: str, at: datetime) -> bool:
        if not concern_ids:
            return False
        self._erase_concerns(concern_ids=concern_ids, erasure_id=erasure_id, at=at)
        return True

    @event(ConcernsErased)
    def _erase_concerns(self, concern_ids: list[str], erasure_id: str, at: datetime) -> None:
        self.erased_concerns |= set(concern_ids)
        self.concerns = [c for c in self.concerns if c.concern_id not in self.erased_concerns]

    def place_concern(self, concern: ConcernItem) -> None:
        if self.has_concern(concern.concern_id) or concern.person_key in self.erased:
            return
        self._place(meeting=self.name, concern=asdict(concern))

    @event(ConcernPlaced)
    def _place(self, meeting: str, concern: dict[str, Any]) -> None:
        self.concerns.append(ConcernItem(**concern))
        self._recorded_at(concern["placed_at"])

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
        self._recorded_at(at)

    def _take_up(self, journal_number: str | None, person_key: str | None) -> None:
        if journal_number and person_key and (journal_number, person_key) not in self.items:
            self.items.append((journal_number, person_key))

    def _minute(self, kind: type[MeetingDecision] | type[MeetingNote], recorded: Any) -> None:
        """A decision or note as the minutes keep it: the recorded event's fields of `kind`."""
        entry = {field.name: getattr(recorded, field.name) for field in fields(kind)}
        self._take_up(entry["journal_number"], entry["person_key"])
        self._recorded_at(entry["at"])
        (self.decisions if kind is MeetingDecision else self.notes).append(entry)

    def record_decision(self, decision: MeetingDecision) -> None:
        self.trigger_event(self.RouteOrOwnerDecided, meeting=self.name, **asdict(decision))

    def agree_action(self, action: AgreedAction) -> None:
        """`action.what`: sealed by the application, or plain (checked here)."""
        if isinstance(action.what, str):
            check_text(action.what, "an agreed action's what")
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
        self._recorded_at(action["agreed_at"])
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
        """`note.text`: sealed by the application, or plain (checked here)."""
        if isinstance(note.text, str):
            check_text(note.text, "a note")
        self.trigger_event(self.NoteRecorded, meeting=self.name, **asdict(note))


class PersonMeetings(ErasableAggregate):
    """The meetings whose minutes or agenda name a person, so their erasure finds them
    (issue 18): one stored event per person and meeting, the first time it names them."""

    create_id = keyed_id(aggregate_id, "person_key", prefix="person-meetings")

    @event("Started")
    def __init__(self, person_key: str) -> None:
        self.person_key = person_key
        self.meetings: list[str] = []

    def note(self, meeting: str) -> None:
        if meeting not in self.meetings and not self.erased:
            self._noted(meeting=meeting)

    @event("Noted")
    def _noted(self, meeting: str) -> None:
        self.meetings.append(meeting)

    def forget(self, person_key: str) -> None:
        self.meetings = []


MEETING_EVENTS: tuple[type, ...] = (
    WeeklyMeeting.Opened,
    WeeklyMeeting.ParticipantJoined,
    WeeklyMeeting.RouteOrOwnerDecided,
    WeeklyMeeting.ActionAgreed,
    WeeklyMeeting.NoteRecorded,
    WeeklyMeeting.ConcernPlaced,
)
"""The meeting's stored events, each published on ssp.meetings.events.v1."""
