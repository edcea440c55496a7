"""Registry of every topic: default name, direction, partitions, message model, key, headers.

Deployments may prefix topic names (configuration); use :func:`topic_name` to apply it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from pydantic import BaseModel

from shared.contracts.assessments import CaseworkerAssessment
from shared.contracts.cases import CaseRegisterEvent
from shared.contracts.caseworker_records import CaseworkerRecordEvent
from shared.contracts.concerns import Concern, ConcernRegistered
from shared.contracts.courses import CourseEvent
from shared.contracts.decisions import RoutingDecision
from shared.contracts.erasures import PersonErased
from shared.contracts.exit_referrals import ExitReferral
from shared.contracts.follow_ups import FollowUpEvent
from shared.contracts.handovers import HandoverTaskEvent
from shared.contracts.incidents import PoliceIncident
from shared.contracts.internal import AcceptedIncident, PseudonymisedCaseEvent
from shared.contracts.letter_tasks import LetterTaskEvent
from shared.contracts.meetings import MeetingEvent
from shared.contracts.rejections import IntakeRejection
from shared.contracts.statements import PersonStatement
from shared.contracts.withdrawals import DecisionWithdrawn

__all__ = [
    "CASEWORKER_ASSESSMENTS",
    "CONCERNS",
    "COURSES_DEAD_LETTER",
    "COURSES_EVENTS",
    "COURSES_FOLLOW_UPS",
    "DEAD_LETTER_HEADERS",
    "DEAD_LETTER_RETENTION_DAYS",
    "DEAD_LETTER_SERVICES",
    "DEFAULT_RETENTION_DAYS",
    "DLQ_HEADER_ERROR",
    "DLQ_HEADER_ORIGIN_OFFSET",
    "DLQ_HEADER_ORIGIN_PARTITION",
    "DLQ_HEADER_ORIGIN_TOPIC",
    "DLQ_HEADER_SERVICE",
    "INTAKE_CASE_EVENTS",
    "INTAKE_CONCERNS",
    "INTAKE_DEAD_LETTER",
    "INTAKE_INCIDENTS",
    "INTAKE_REJECTED",
    "LETTER_TASKS",
    "MEETINGS_EVENTS",
    "NOTIFICATIONS_ASSESSMENTS",
    "NOTIFICATIONS_DEAD_LETTER",
    "PERSON_ERASURES",
    "POLICE_INCIDENTS",
    "REPORTING_DEAD_LETTER",
    "SOCIAL_CASES",
    "TOPICS",
    "TRACE_HEADERS",
    "TRIAGE_CASEWORKER",
    "TRIAGE_DEAD_LETTER",
    "TRIAGE_EXIT_REFERRALS",
    "TRIAGE_HANDOVERS",
    "TRIAGE_STATEMENTS",
    "TRIAGE_TOVHOLDER",
    "TRIAGE_WITHDRAWALS",
    "Direction",
    "HeaderSpec",
    "TopicSpec",
    "dead_letter_topic",
    "topic_name",
]

POLICE_INCIDENTS = "ssp.police.incidents.v1"
SOCIAL_CASES = "ssp.socialservices.cases.v1"
CONCERNS = "ssp.concerns.v1"
CASEWORKER_ASSESSMENTS = "ssp.caseworker.assessments.v1"
TRIAGE_CASEWORKER = "ssp.triage.caseworker.v1"
TRIAGE_TOVHOLDER = "ssp.triage.tovholder.v1"
TRIAGE_EXIT_REFERRALS = "ssp.triage.exit-referrals.v1"
TRIAGE_WITHDRAWALS = "ssp.triage.withdrawals.v1"
TRIAGE_STATEMENTS = "ssp.triage.statements.v1"
TRIAGE_HANDOVERS = "ssp.triage.handovers.v1"
LETTER_TASKS = "ssp.notifications.letter-tasks.v1"
NOTIFICATIONS_ASSESSMENTS = "ssp.notifications.assessments.v1"
INTAKE_REJECTED = "ssp.intake.rejected.v1"
INTAKE_INCIDENTS = "ssp.intake.incidents.v1"
INTAKE_CASE_EVENTS = "ssp.intake.case-events.v1"
INTAKE_CONCERNS = "ssp.intake.concerns.v1"
INTAKE_DEAD_LETTER = "ssp.intake.dead-letter.v1"
TRIAGE_DEAD_LETTER = "ssp.triage.dead-letter.v1"
NOTIFICATIONS_DEAD_LETTER = "ssp.notifications.dead-letter.v1"
REPORTING_DEAD_LETTER = "ssp.reporting.dead-letter.v1"
COURSES_EVENTS = "ssp.courses.events.v1"
COURSES_FOLLOW_UPS = "ssp.courses.follow-ups.v1"
COURSES_DEAD_LETTER = "ssp.courses.dead-letter.v1"
MEETINGS_EVENTS = "ssp.meetings.events.v1"
PERSON_ERASURES = "ssp.intake.person-erasures.v1"

DLQ_HEADER_SERVICE = "ssp-dlq-service"
DLQ_HEADER_ORIGIN_TOPIC = "ssp-dlq-origin-topic"
DLQ_HEADER_ORIGIN_PARTITION = "ssp-dlq-origin-partition"
DLQ_HEADER_ORIGIN_OFFSET = "ssp-dlq-origin-offset"
DLQ_HEADER_ERROR = "ssp-dlq-error"

DEFAULT_PARTITIONS = 3

_TOPIC_NAME_RE = re.compile(r"[A-Za-z0-9._-]{1,249}")


class Direction(StrEnum):
    """Seen from the platform."""

    EXTERNAL_IN = "external-in"
    EXTERNAL_OUT = "external-out"
    INTERNAL = "internal"


@dataclass(frozen=True)
class HeaderSpec:
    name: str
    description: str
    required: bool = False


@dataclass(frozen=True)
class TopicSpec:
    name: str
    """Default name (without deployment prefix)."""
    direction: Direction
    message: type[BaseModel] | None
    """Value model; ``None`` for opaque bytes (dead letters)."""
    key: str
    description: str
    partitions: int = DEFAULT_PARTITIONS
    headers: tuple[HeaderSpec, ...] = ()
    """Headers specific to this topic; every topic may also carry :data:`TRACE_HEADERS`."""
    carries_cpr: bool = False
    """Messages carry CPR numbers and names (the external input before intake): created with
    the short retention of `SSP_KAFKA_CPR_RETENTION_MS`."""
    compacted: bool = False
    """Kept as the latest message per key, never expired (`cleanup.policy=compact`): for a
    topic every new consumer must read whole (the erasures)."""
    retention_days: int | None = None
    """How long messages are kept (`retention.ms`, set when the platform creates the topic);
    None: the direction's default (`DEFAULT_RETENTION_DAYS`). The services' stores are the
    record; a topic only carries messages until every consumer has read them."""

    def address(self, prefix: str = "") -> str:
        return topic_name(self.name, prefix)

    def kafka_configs(self, cpr_retention_ms: int) -> dict[str, str]:
        """The configuration the platform creates the topic with (issue 18, part 4)."""
        if self.carries_cpr:
            return {"retention.ms": str(cpr_retention_ms)}
        if self.compacted:
            return {"cleanup.policy": "compact"}
        days = self.retention_days or DEFAULT_RETENTION_DAYS[self.direction]
        return {"retention.ms": str(days * _DAY_MS)}


_DAY_MS = 24 * 3600 * 1000
DEFAULT_RETENTION_DAYS: dict[Direction, int] = {
    Direction.EXTERNAL_IN: 30,
    Direction.INTERNAL: 30,
    # Read by systems outside the platform, which may be away longer.
    Direction.EXTERNAL_OUT: 90,
}
"""Retention of the topics without CPR numbers, by direction (a topic may set its own)."""
DEAD_LETTER_RETENTION_DAYS = 30
"""Dead letters are kept a month on their topic (and in the service's store)."""


TRACE_HEADERS: tuple[HeaderSpec, ...] = (
    HeaderSpec("traceparent", "W3C trace context; OpenTelemetry traces follow messages."),
    HeaderSpec("tracestate", "W3C trace state, vendor-specific."),
)

DEAD_LETTER_HEADERS: tuple[HeaderSpec, ...] = (
    HeaderSpec(DLQ_HEADER_SERVICE, "Service that gave up on the message.", required=True),
    HeaderSpec(DLQ_HEADER_ORIGIN_TOPIC, "Topic the message was read from.", required=True),
    HeaderSpec(
        DLQ_HEADER_ORIGIN_PARTITION,
        "Partition it was read from (decimal); -1 when the service's outbox relay could not "
        "publish it to the origin topic.",
        required=True,
    ),
    HeaderSpec(
        DLQ_HEADER_ORIGIN_OFFSET,
        "Offset it was read at (decimal); with partition -1, the stored event's notification id.",
        required=True,
    ),
    HeaderSpec(
        DLQ_HEADER_ERROR,
        "Error class and a short message; never contains CPR numbers or names.",
        required=True,
    ),
)

DEAD_LETTER_SERVICES: tuple[str, ...] = (
    "intake",
    "triage",
    "notifications",
    "reporting",
    "courses",
)


def topic_name(default_name: str, prefix: str = "") -> str:
    """Deployment name of a topic: ``prefix`` (e.g. ``""`` or ``"test1."``) + default name."""
    name = f"{prefix}{default_name}"
    if _TOPIC_NAME_RE.fullmatch(name) is None or name in {".", ".."}:
        raise ValueError("topic prefix may use only letters, digits, '.', '_' and '-'")
    return name


def dead_letter_topic(service: str, prefix: str = "") -> str:
    """Dead-letter topic of ``service`` (one of :data:`DEAD_LETTER_SERVICES`)."""
    if service not in DEAD_LETTER_SERVICES:
        raise ValueError(f"no dead-letter topic for service {service!r}")
    return topic_name(f"ssp.{service}.dead-letter.v1", prefix)


def _dead_letter(service: str) -> TopicSpec:
    return TopicSpec(
        name=f"ssp.{service}.dead-letter.v1",
        direction=Direction.INTERNAL,
        message=None,
        key="The original message key, unchanged.",
        description=(
            f"Messages the {service} service could not process after retrying. The value is the "
            "original message bytes, opaque; headers describe the origin: "
            f"{DLQ_HEADER_SERVICE}, {DLQ_HEADER_ORIGIN_TOPIC}, {DLQ_HEADER_ORIGIN_PARTITION}, "
            f"{DLQ_HEADER_ORIGIN_OFFSET}, {DLQ_HEADER_ERROR}."
        ),
        headers=DEAD_LETTER_HEADERS,
        retention_days=DEAD_LETTER_RETENTION_DAYS,
    )


_BY_PERSON = "The person_key."
_BY_JOURNAL_NUMBER = "The journal number."
_BY_MEETING = "The meeting: municipality code and ISO week (607/2026-W49)."

#: What each topic carries: its description in docs/asyncapi.yaml.
_DESCRIPTIONS = {
    POLICE_INCIDENTS: "Incidents published by the police integration (also POST /v1/incidents).",
    SOCIAL_CASES: "Case opened / closed / caseworker changed, from the social-services system.",
    CONCERNS: "Concerns about a young person that do not come from the police: from a school, "
    "the SSP network, a parent or the night team (also POST /v1/concerns).",
    CASEWORKER_ASSESSMENTS: "Caseworkers' assessments of incidents routed to them "
    "(inform / summon).",
    TRIAGE_CASEWORKER: "Routing decisions for persons with an active case (caseworker route).",
    TRIAGE_TOVHOLDER: "Routing decisions for persons without an active case (coordinator route).",
    TRIAGE_EXIT_REFERRALS: "Exit-programme referrals: a person of 15+ in an incident flagged "
    "bande or ekstremisme, once per person and journal number (extension, docs/contracts.md).",
    TRIAGE_WITHDRAWALS: "Routing decisions withdrawn because a higher revision of the incident "
    "no longer lists the person (or lists them out of scope).",
    TRIAGE_STATEMENTS: "What triage states about a person without a decision: not_served (lives "
    "in a municipality not served here: recorded, not routed) or decision_confirmed (a "
    "higher revision left the current decision unchanged).",
    TRIAGE_HANDOVERS: "The turning-18 handover: a PSP/KSP handover task opened when a young "
    "person with an open item turns 18, and completed with where they were handed over to; "
    "codes, dates and roles.",
    LETTER_TASKS: "Parent/youth letter tasks: created, updated, completed, cancelled, overdue.",
    NOTIFICATIONS_ASSESSMENTS: "The caseworker's side as notifications recorded it: every "
    "assessment (from ssp.caseworker.assessments.v1 or notifications' API) and every meeting "
    "with the family; codes, dates and initials, never the note.",
    COURSES_EVENTS: "Every change to a TRIVSEL+ course, exit programme or acute-event "
    "procedure: codes, dates and owners, never free text.",
    COURSES_FOLLOW_UPS: "Follow-up actions for a young person on any route (concern talk, "
    "letter of concern, home or school visit, GUSA dialogue, the police's talk, network "
    "meeting, referral), each with its next step's owner, due date and status: codes, dates "
    "and owners, never the note.",
    MEETINGS_EVENTS: "What the weekly meeting recorded (triage's WeeklyMeeting): participants, "
    "decisions about route and owner, agreed actions with owner and due date, notes; codes, "
    "pseudonyms and dates, never the text of an action or a note.",
    INTAKE_REJECTED: "Rejected input with the reasons; the original bytes are kept for "
    "authorised staff at retrievable_at.",
    INTAKE_INCIDENTS: "Accepted, pseudonymised incidents (no CPR, names, addresses or free text).",
    INTAKE_CASE_EVENTS: "Case-register events with the CPR number replaced by the person_key.",
    INTAKE_CONCERNS: "Accepted concerns, pseudonymised: category and reporter kind as codes, "
    "school, dates (no free text, names or CPR numbers).",
}

#: The topics whose messages carry CPR numbers and names (see `TopicSpec.carries_cpr`).
_CARRYING_CPR = frozenset({POLICE_INCIDENTS, SOCIAL_CASES, CONCERNS})

_IN, _OUT, _INTERNAL = Direction.EXTERNAL_IN, Direction.EXTERNAL_OUT, Direction.INTERNAL

#: Every topic with a message model: name, direction, message model, key.
_MESSAGE_TOPICS: tuple[tuple[str, Direction, type[BaseModel], str], ...] = (
    (POLICE_INCIDENTS, _IN, PoliceIncident, _BY_JOURNAL_NUMBER),
    (SOCIAL_CASES, _IN, CaseRegisterEvent, "The case_id."),
    (CONCERNS, _IN, Concern, "The concern_id."),
    (CASEWORKER_ASSESSMENTS, _IN, CaseworkerAssessment, _BY_PERSON),
    (TRIAGE_CASEWORKER, _OUT, RoutingDecision, _BY_PERSON),
    (TRIAGE_TOVHOLDER, _OUT, RoutingDecision, _BY_PERSON),
    (TRIAGE_EXIT_REFERRALS, _OUT, ExitReferral, _BY_PERSON),
    (TRIAGE_WITHDRAWALS, _OUT, DecisionWithdrawn, _BY_PERSON),
    (TRIAGE_STATEMENTS, _OUT, PersonStatement, _BY_PERSON),
    (TRIAGE_HANDOVERS, _OUT, HandoverTaskEvent, _BY_PERSON),
    (LETTER_TASKS, _OUT, LetterTaskEvent, _BY_PERSON),
    (NOTIFICATIONS_ASSESSMENTS, _OUT, CaseworkerRecordEvent, _BY_PERSON),
    (COURSES_EVENTS, _OUT, CourseEvent, "The course_id."),
    (COURSES_FOLLOW_UPS, _OUT, FollowUpEvent, _BY_PERSON),
    (MEETINGS_EVENTS, _OUT, MeetingEvent, _BY_MEETING),
    (INTAKE_REJECTED, _OUT, IntakeRejection, "The rejection reference."),
    (INTAKE_INCIDENTS, _INTERNAL, AcceptedIncident, _BY_JOURNAL_NUMBER),
    (INTAKE_CASE_EVENTS, _INTERNAL, PseudonymisedCaseEvent, _BY_PERSON),
    (INTAKE_CONCERNS, _INTERNAL, ConcernRegistered, _BY_PERSON),
)

_SPECS: tuple[TopicSpec, ...] = (
    *(
        TopicSpec(
            name=name,
            direction=direction,
            message=message,
            key=key,
            description=_DESCRIPTIONS[name],
            carries_cpr=name in _CARRYING_CPR,
        )
        for name, direction, message, key in _MESSAGE_TOPICS
    ),
    TopicSpec(
        name=PERSON_ERASURES,
        direction=Direction.INTERNAL,
        message=PersonErased,
        key=_BY_PERSON,
        description="Persons intake erased (their data key destroyed, issue 18): every service "
        "removes them from its read models and drops what it reads about them from then on. "
        "Says why and when, never what was erased. Compacted: never expires, so that a new "
        "consumer learns every erasure.",
        compacted=True,
    ),
    *(_dead_letter(service) for service in DEAD_LETTER_SERVICES),
)

#: Every topic by default name, in a stable order.
TOPICS: MappingProxyType[str, TopicSpec] = MappingProxyType({s.name: s for s in _SPECS})
