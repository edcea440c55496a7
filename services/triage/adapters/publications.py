"""What triage publishes for each stored event (the outbox relay calls this): each routing
decision once, on the topic of its route, each withdrawal on the withdrawals topic and each exit
referral on the referrals topic, each statement without a decision (a person not served here, a
decision a revision confirmed) on the statements topic, each turning-18 handover task's opening
and completion on the handovers topic, all keyed by person_key."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from services.triage.domain.adulthood import HANDOVER_COMPLETED, HANDOVER_OPENED
from services.triage.domain.exit_referrals import PersonExitReferral
from services.triage.domain.incident_triage import IncidentTriage
from services.triage.domain.meetings import (
    AGENDA_KEEPER,
    MEETING_EVENTS,
    MeetingDecision,
    WeeklyMeeting,
)
from shared.contracts import (
    MEETINGS_EVENTS,
    TRIAGE_CASEWORKER,
    TRIAGE_EXIT_REFERRALS,
    TRIAGE_HANDOVERS,
    TRIAGE_STATEMENTS,
    TRIAGE_TOVHOLDER,
    TRIAGE_WITHDRAWALS,
    DecisionWithdrawn,
    ExitReferral,
    HandoverTaskEvent,
    MeetingEvent,
    PersonStatement,
    RoutingDecision,
)
from shared.eventstore.ids import published_event_id
from shared.messaging.dead_letters import dead_letter_publications
from shared.messaging.outgoing import Outgoing, as_contract

TOPIC_BY_ROUTE = {"caseworker": TRIAGE_CASEWORKER, "tovholder": TRIAGE_TOVHOLDER}
PUBLISHED_TOPICS = (
    TRIAGE_CASEWORKER,
    TRIAGE_TOVHOLDER,
    TRIAGE_WITHDRAWALS,
    TRIAGE_EXIT_REFERRALS,
    TRIAGE_STATEMENTS,
    TRIAGE_HANDOVERS,
    MEETINGS_EVENTS,
)
"""Every topic `triage_publications` publishes on (besides triage's dead-letter topic)."""


def triage_publications(event: Any) -> list[Outgoing]:
    if isinstance(event, IncidentTriage.PersonRouted):
        decision = RoutingDecision.model_validate(event.decision)
        return [Outgoing(TOPIC_BY_ROUTE[decision.route], decision.person_key, decision)]
    if isinstance(event, PersonExitReferral.Referred):
        return [as_contract(TRIAGE_EXIT_REFERRALS, ExitReferral, event.referral)]
    if isinstance(event, IncidentTriage.PersonWithdrawn):
        return [as_contract(TRIAGE_WITHDRAWALS, DecisionWithdrawn, event.withdrawal)]
    if isinstance(event, (IncidentTriage.PersonNotServed, IncidentTriage.DecisionUnchanged)):
        stored = getattr(event, "statement", None)  # none in DecisionUnchanged stored before
        if stored is None:
            return []
        return [as_contract(TRIAGE_STATEMENTS, PersonStatement, stored)]
    if isinstance(event, MEETING_EVENTS):
        return meeting_publications(event)
    if isinstance(event, (HANDOVER_OPENED, HANDOVER_COMPLETED)):
        return handover_publications(event)
    return dead_letter_publications(event)


def handover_publications(event: Any) -> list[Outgoing]:
    """A PSP/KSP handover task's opening or completion on ssp.triage.handovers.v1, keyed by the
    person; events stored before they carried the municipality are not published."""
    municipality_code = getattr(event, "municipality_code", None)
    if municipality_code is None:
        return []
    fields: dict[str, Any] = {
        "event_id": published_event_id(event),
        "person_key": event.person_key,
        "municipality_code": municipality_code,
        "at": event.at,
    }
    if isinstance(event, HANDOVER_OPENED):
        fields |= {
            "event": "opened",
            "turned_18_on": event.turned_18_on,
            "open_items": event.open_items,
            "owner_role": event.owner_role,
            "owner_team": event.owner_team,
            "due_on": event.due_on,
        }
    else:
        fields |= {"event": "completed", "handed_over_to": event.handed_over_to}
    handover = HandoverTaskEvent.model_validate(fields)
    return [Outgoing(TRIAGE_HANDOVERS, handover.person_key, handover)]


_DECISION = tuple(field.name for field in dataclasses.fields(MeetingDecision))
"""A meeting's decision is published whole: it holds no text."""
_AGREED = ("journal_number", "person_key", "action_id", "owner_role", "owner_team", "due_on")
_NOTED = ("by", "at", "journal_number", "person_key", "note_id")
"""What an agreed action and a note publish of what was recorded: never their text."""


def _picked(recorded: Mapping[str, Any], *names: str) -> dict[str, Any]:
    return {name: recorded[name] for name in names}


def meeting_publications(event: Any) -> list[Outgoing]:
    """Each meeting event once on ssp.meetings.events.v1, keyed by the meeting; never the text
    of an action or a note."""
    fields: dict[str, Any]
    if isinstance(event, WeeklyMeeting.Opened):
        meeting = f"{event.municipality_code}/{event.iso_week}"
        fields = {"event": "opened", "by": event.opened_by, "at": event.opened_at}
    else:
        recorded = _recorded(event)
        if recorded is None:
            return []
        meeting, fields = event.meeting, recorded  # every event after `Opened` names its meeting
    published = MeetingEvent.model_validate(
        {
            "event_id": f"{event.originator_id}:{event.originator_version}",
            "meeting": meeting,
            "municipality_code": meeting[:3],
            "iso_week": meeting[4:],
            **fields,
        }
    )
    return [Outgoing(MEETINGS_EVENTS, meeting, published)]


def _recorded(event: Any) -> dict[str, Any] | None:
    """What a meeting event after `Opened` publishes of what was recorded."""
    if isinstance(event, WeeklyMeeting.ParticipantJoined):
        return {
            "event": "participant_joined",
            "by": event.subject,
            "role": event.role,
            "at": event.at,
        }
    if isinstance(event, WeeklyMeeting.RouteOrOwnerDecided):
        return {"event": "route_or_owner_decided", **_picked(vars(event), *_DECISION)}
    if isinstance(event, WeeklyMeeting.ActionAgreed):
        action = event.action
        return {
            "event": "action_agreed",
            "by": action["agreed_by"],
            "at": action["agreed_at"],
            **_picked(action, *_AGREED),
        }
    if isinstance(event, WeeklyMeeting.NoteRecorded):
        return {"event": "note_recorded", **_picked(vars(event), *_NOTED)}
    if isinstance(event, WeeklyMeeting.ConcernPlaced):
        concern = event.concern
        return {
            "event": "concern_placed",
            "by": AGENDA_KEEPER,
            "at": concern["placed_at"],
            **_picked(concern, "person_key", "concern_id"),
        }
    return None
