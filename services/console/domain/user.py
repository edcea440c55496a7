"""Who is logged in, as their token says (verified like every service verifies it), and which
pages to offer them. The APIs decide what they may see; this only spares people links that
would be refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

RESOLVERS = frozenset({"tovholder", "team_leader", "caseworker"})
REVISERS = frozenset({"tovholder", "team_leader"})
LETTER_READERS = frozenset({"tovholder", "team_leader", "caseworker", "police_coordinator"})
COURSE_READERS = frozenset({"tovholder", "team_leader", "exit_coordinator"})
MEETING_READERS = frozenset(
    {"tovholder", "team_leader", "caseworker", "school_representative", "police_coordinator"}
)
TRACE_READERS = frozenset({"operations", "tovholder", "team_leader", "caseworker"})
STATISTICS_READERS = frozenset({"management", "tovholder", "team_leader", "police_coordinator"})
FOLLOW_UP_STAFF = frozenset(
    {"tovholder", "team_leader", "caseworker", "police_coordinator", "exit_coordinator"}
)
"""Who records follow-up actions, and has next steps on the worklist (courses decides)."""
ASSESSORS = frozenset({"caseworker", "team_leader"})
"""Who records the caseworker's assessment and the meeting with the family (notifications)."""
REJECTION_CORRECTORS = frozenset({"tovholder", "police_coordinator"})
"""Who intake lets list, read and resubmit rejected input (docs/access-model.md)."""
CO_REGISTRATION_READERS = RESOLVERS
TIMELINE_READERS = MEETING_READERS | {"auditor"}
AUDIT_READERS = frozenset({"auditor"})
"""Who sees, on a person's timeline, every service's audit trail of them (issue 17, part 5)."""
MINUTES_READERS = RESOLVERS
REVIEWERS = frozenset({"auditor", "team_leader"})
"""Who reporting lets draw the review export (issue 17, part 4; docs/review-export.md)."""
CONCERN_REGISTRARS = frozenset({"tovholder", "team_leader", "caseworker", "school_representative"})
CONCERN_TEXT_READERS = RESOLVERS
PERSON_CONCERN_READERS = RESOLVERS

ESCALATION_LEVEL_OF = {"team_leader": "team_leader"}
"""The escalation level (notifications' `escalated_to`) whose tasks join the role's worklist:
a letter task past its deadline is escalated to the team leader (issue 16, part 6)."""
ESCALATION_COUNT_READERS = frozenset({"management", "team_leader"})
"""Who notifications lets read the counts of tasks past their deadline (no names)."""

OWNER_ROLE_OF = {"police_coordinator": "police_ssp_coordinator"}
"""The owner role a municipality profile gives a login role, where the names differ."""


@dataclass(frozen=True)
class User:
    token: str
    subject: str
    role: str
    municipalities: tuple[str, ...]
    schools: tuple[str, ...]

    @classmethod
    def from_session(cls, data: Any) -> User | None:
        if not isinstance(data, dict) or not isinstance(data.get("token"), str):
            return None
        return cls(
            token=data["token"],
            subject=str(data.get("subject", "")),
            role=str(data.get("role", "")),
            municipalities=tuple(data.get("municipalities", ())),
            schools=tuple(data.get("schools", ())),
        )

    def as_session(self) -> dict[str, Any]:
        return {
            "token": self.token,
            "subject": self.subject,
            "role": self.role,
            "municipalities": list(self.municipalities),
            "schools": list(self.schools),
        }

    @property
    def owner_role(self) -> str:
        return OWNER_ROLE_OF.get(self.role, self.role)

    @property
    def escalation_level(self) -> str | None:
        """The escalated tasks the worklist shows too (None: the role has none)."""
        return ESCALATION_LEVEL_OF.get(self.role)

    @property
    def reads_escalation_counts(self) -> bool:
        return self.role in ESCALATION_COUNT_READERS

    @property
    def can_resolve_names(self) -> bool:
        return self.role in RESOLVERS

    @property
    def can_revise(self) -> bool:
        return self.role in REVISERS

    @property
    def reads_letters(self) -> bool:
        return self.role in LETTER_READERS

    @property
    def reads_courses(self) -> bool:
        return self.role in COURSE_READERS

    @property
    def reads_meeting(self) -> bool:
        return self.role in MEETING_READERS

    @property
    def reads_trace(self) -> bool:
        return self.role in TRACE_READERS

    @property
    def reads_statistics(self) -> bool:
        return self.role in STATISTICS_READERS

    @property
    def reads_minutes(self) -> bool:
        return self.role in MINUTES_READERS

    @property
    def registers_concerns(self) -> bool:
        return self.role in CONCERN_REGISTRARS

    @property
    def reads_concern_text(self) -> bool:
        """Who reported a concern and what they wrote (intake audits the read)."""
        return self.role in CONCERN_TEXT_READERS

    @property
    def reads_person_concerns(self) -> bool:
        return self.role in PERSON_CONCERN_READERS

    @property
    def reads_co_registrations(self) -> bool:
        return self.role in CO_REGISTRATION_READERS

    @property
    def reads_timeline(self) -> bool:
        return self.role in TIMELINE_READERS

    @property
    def reads_audit_trail(self) -> bool:
        return self.role in AUDIT_READERS

    @property
    def records_follow_ups(self) -> bool:
        return self.role in FOLLOW_UP_STAFF

    @property
    def assesses(self) -> bool:
        return self.role in ASSESSORS

    @property
    def corrects_rejections(self) -> bool:
        return self.role in REJECTION_CORRECTORS

    @property
    def reviews(self) -> bool:
        return self.role in REVIEWERS
