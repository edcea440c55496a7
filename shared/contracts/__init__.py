"""External contracts of the SSP platform (docs/external-contracts.md, extended by
docs/contracts.md): message models (shapes and their validation), the topic registry and
parsing helpers. Rules that decide things (who gets a letter, the workflow, who is in scope,
which flags refer) live in the domain of the service that owns them. JSON Schemas in
``schemas/`` and ``docs/asyncapi.yaml`` are generated from these models by
``python -m shared.contracts.generate``.
"""

from shared.contracts.assessments import AssessmentOutcome, CaseworkerAssessment
from shared.contracts.cases import CaseEventType, CaseRegisterEvent
from shared.contracts.caseworker_records import CaseworkerRecordEvent
from shared.contracts.common import ContractModel
from shared.contracts.concerns import (
    CONCERN_CATEGORIES,
    REPORTER_KINDS,
    Concern,
    ConcernCategory,
    ConcernRegistered,
    ReporterKind,
)
from shared.contracts.courses import COURSE_TYPES, CourseEvent, CourseType
from shared.contracts.cpr import InvalidCpr, age_on, birth_date, is_valid_cpr, normalise_cpr
from shared.contracts.decisions import (
    DecisionKind,
    Route,
    RoutingDecision,
    Severity,
    Workflow,
)
from shared.contracts.erasures import ERASURE_REASONS, ErasureReason, PersonErased
from shared.contracts.errors import (
    build_rejection,
    describe_validation_error,
    parse_bytes,
    problems_for_bytes,
    salvage_identity,
)
from shared.contracts.exit_referrals import (
    EXIT_REFERRAL_FLAGS,
    EXIT_REFERRAL_MIN_AGE,
    ExitReferral,
)
from shared.contracts.follow_ups import FollowUpEvent
from shared.contracts.handovers import HandoverTaskEvent
from shared.contracts.incidents import (
    Flag,
    IncidentPerson,
    Location,
    Offence,
    OffenceCode,
    PoliceIncident,
    Role,
    Source,
)
from shared.contracts.internal import AcceptedIncident, PseudonymisedCaseEvent, PseudonymousPerson
from shared.contracts.letter_tasks import (
    LetterKind,
    LetterTaskEvent,
    LetterTaskEventType,
    Recipient,
    TaskChangeReason,
)
from shared.contracts.meetings import MeetingEvent
from shared.contracts.rejections import Channel, FieldProblem, IntakeRejection, rejected_path
from shared.contracts.statements import PersonStatement, Statement
from shared.contracts.topics import (
    CASEWORKER_ASSESSMENTS,
    CONCERNS,
    COURSES_EVENTS,
    COURSES_FOLLOW_UPS,
    INTAKE_CASE_EVENTS,
    INTAKE_CONCERNS,
    INTAKE_INCIDENTS,
    INTAKE_REJECTED,
    LETTER_TASKS,
    MEETINGS_EVENTS,
    NOTIFICATIONS_ASSESSMENTS,
    PERSON_ERASURES,
    POLICE_INCIDENTS,
    SOCIAL_CASES,
    TOPICS,
    TRIAGE_CASEWORKER,
    TRIAGE_EXIT_REFERRALS,
    TRIAGE_HANDOVERS,
    TRIAGE_STATEMENTS,
    TRIAGE_TOVHOLDER,
    TRIAGE_WITHDRAWALS,
    Direction,
    TopicSpec,
    dead_letter_topic,
    topic_name,
)
from shared.contracts.withdrawals import DecisionWithdrawn, WithdrawalReason

__all__ = [
    "CASEWORKER_ASSESSMENTS",
    "CONCERNS",
    "CONCERN_CATEGORIES",
    "COURSES_EVENTS",
    "COURSES_FOLLOW_UPS",
    "COURSE_TYPES",
    "ERASURE_REASONS",
    "EXIT_REFERRAL_FLAGS",
    "EXIT_REFERRAL_MIN_AGE",
    "INTAKE_CASE_EVENTS",
    "INTAKE_CONCERNS",
    "INTAKE_INCIDENTS",
    "INTAKE_REJECTED",
    "LETTER_TASKS",
    "MEETINGS_EVENTS",
    "NOTIFICATIONS_ASSESSMENTS",
    "PERSON_ERASURES",
    "POLICE_INCIDENTS",
    "REPORTER_KINDS",
    "SOCIAL_CASES",
    "TOPICS",
    "TRIAGE_CASEWORKER",
    "TRIAGE_EXIT_REFERRALS",
    "TRIAGE_HANDOVERS",
    "TRIAGE_STATEMENTS",
    "TRIAGE_TOVHOLDER",
    "TRIAGE_WITHDRAWALS",
    "AcceptedIncident",
    "AssessmentOutcome",
    "CaseEventType",
    "CaseRegisterEvent",
    "CaseworkerAssessment",
    "CaseworkerRecordEvent",
    "Channel",
    "Concern",
    "ConcernCategory",
    "ConcernRegistered",
    "ContractModel",
    "CourseEvent",
    "CourseType",
    "DecisionKind",
    "DecisionWithdrawn",
    "Direction",
    "ErasureReason",
    "ExitReferral",
    "FieldProblem",
    "Flag",
    "FollowUpEvent",
    "HandoverTaskEvent",
    "IncidentPerson",
    "IntakeRejection",
    "InvalidCpr",
    "LetterKind",
    "LetterTaskEvent",
    "LetterTaskEventType",
    "Location",
    "MeetingEvent",
    "Offence",
    "OffenceCode",
    "PersonErased",
    "PersonStatement",
    "PoliceIncident",
    "PseudonymisedCaseEvent",
    "PseudonymousPerson",
    "Recipient",
    "ReporterKind",
    "Role",
    "Route",
    "RoutingDecision",
    "Severity",
    "Source",
    "Statement",
    "TaskChangeReason",
    "TopicSpec",
    "WithdrawalReason",
    "Workflow",
    "age_on",
    "birth_date",
    "build_rejection",
    "dead_letter_topic",
    "describe_validation_error",
    "is_valid_cpr",
    "normalise_cpr",
    "parse_bytes",
    "problems_for_bytes",
    "rejected_path",
    "salvage_identity",
    "topic_name",
]
