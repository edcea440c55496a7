"""The weekly meeting's use cases in triage (issue 15): what the meeting decided about a
child's route or owner (with the revised decision, in one transaction), the actions it agreed,
its notes, and its minutes. Each command records the caller as a participant.

Issue 18: the text of an action or a note is sealed before it is stored, under the data keys of
the person it is about (none for a note about the meeting) and of the minutes
(`minutes_owner`); the minutes open it when read, and show None once a key is destroyed. Every
meeting that names a person is noted in their `PersonMeetings`, so their erasure finds it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from services.triage.application.app import TriageApplication
from services.triage.domain.meetings import (
    AGENDA_KEEPER,
    AgreedAction,
    ConcernItem,
    MeetingDecision,
    MeetingNote,
    PersonMeetings,
    Text,
    WeeklyMeeting,
    check_text,
    minutes_owner,
    next_iso_week,
)
from shared.contracts import ConcernRegistered, RoutingDecision
from shared.eventstore import UnitOfWork
from shared.keys.sealing import PersonSealer


class PersonErasedHere(ValueError):
    """The person was erased: nothing more is recorded about them."""


def seal_text(
    sealer: PersonSealer, meeting: WeeklyMeeting, person_key: str | None, text: str, what: str
) -> Text:
    """The text as stored: checked, then sealed under the minutes' key and the person's."""
    check_text(text, what)
    owners = [minutes_owner(meeting.name), *([person_key] if person_key else [])]
    try:
        return sealer.seal(owners, text.encode())
    except ValueError as erased:
        raise PersonErasedHere(person_key) from erased


def open_text(sealer: PersonSealer, text: Text) -> str | None:
    """The text as read: plain (stored before issue 18), opened, or None once erased."""
    if isinstance(text, str):
        return text
    opened = sealer.open(text)
    return None if opened is None else opened.decode()


def name_person(uow: UnitOfWork, meeting: WeeklyMeeting, person_key: str | None) -> None:
    """Note in the person's `PersonMeetings` that the meeting names them."""
    if not person_key:
        return
    index = uow.get(PersonMeetings, PersonMeetings.create_id(person_key))
    if index is None:
        index = PersonMeetings(person_key)
        uow.add(index)
    index.note(meeting.name)


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


AGENDA_CODES = {"concern_id", "person_key", "school", "category", "reporter_kind"}
"""What a concern's agenda item takes of it as it is: its id, the person and codes."""
MAX_WEEKS_AHEAD = 53
"""A concern goes at most a year past its week (every meeting until then held already)."""


def place_concern(uow: UnitOfWork, concern: ConcernRegistered, at: datetime) -> WeeklyMeeting:
    """Put a concern on the agenda of its municipality's meeting: the meeting of the week it
    was registered in, or, when that one has been held, the next one not held yet. The same
    concern again (a re-delivery) finds itself on the meeting it was placed on and changes
    nothing. A concern never becomes a decision, so never a letter to the parents."""
    item = ConcernItem(
        **concern.model_dump(include=AGENDA_CODES),
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
            name_person(uow, meeting, item.person_key)
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


@dataclass(frozen=True)
class Minutes:
    """A meeting as read, with the text of each action and note opened (by its id; None:
    erased)."""

    meeting: WeeklyMeeting | None
    texts: dict[str, str | None] = field(default_factory=dict)


class MeetingMinutes:
    """Reads and commands of the meeting aggregate, each in its own transaction."""

    def __init__(self, app: TriageApplication) -> None:
        self.app = app
        self.sealer = app.sealer

    @contextmanager
    def _recording(
        self,
        municipality_code: str,
        iso_week: str,
        who: Participant,
        at: datetime,
        about: str | None,
    ) -> Iterator[WeeklyMeeting]:
        """One thing recorded at the meeting, in its own transaction: the meeting as the
        recorder takes part; once recorded, the person it is `about` (if any) is noted as
        named, and all is committed. Nothing is stored when recording raises."""
        uow = UnitOfWork(self.app)
        meeting = meeting_for(uow, municipality_code, iso_week, who, at)
        yield meeting
        name_person(uow, meeting, about)
        uow.commit()

    def agree_action(
        self,
        municipality_code: str,
        iso_week: str,
        action: ActionToAgree,
        who: Participant,
        at: datetime,
    ) -> AgreedAction:
        with self._recording(municipality_code, iso_week, who, at, action.person_key) as meeting:
            # The action as proposed, with its id and who agreed it when; its what sealed.
            what = seal_text(self.sealer, meeting, action.person_key, action.what, "an action")
            agreed = AgreedAction(
                action_id=meeting.next_action_id(),
                **{**asdict(action), "what": what},
                agreed_by=who.subject,
                agreed_at=at,
            )
            meeting.agree_action(agreed)
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
        with self._recording(municipality_code, iso_week, who, at, person_key) as meeting:
            note_id = meeting.next_note_id()
            sealed = seal_text(self.sealer, meeting, person_key, text, "a note")
            meeting.record_note(
                MeetingNote(note_id, journal_number, person_key, sealed, who.subject, at)
            )
        return note_id

    def minutes(self, municipality_code: str, iso_week: str) -> Minutes:
        """The meeting, its texts opened."""
        uow = UnitOfWork(self.app)
        found: WeeklyMeeting | None = uow.get(
            WeeklyMeeting, WeeklyMeeting.create_id(municipality_code, iso_week)
        )
        if found is None:
            return Minutes(None)
        texts = {a.action_id: open_text(self.sealer, a.what) for a in found.actions}
        texts |= {n["note_id"]: open_text(self.sealer, n["text"]) for n in found.notes}
        return Minutes(found, texts)
