"""A referral to the exit coordinator from triage (`ssp.triage.exit-referrals.v1`): a person of
15+ in an incident flagged `bande` or `ekstremisme`. It is a request to look, not a programme:
it stays "referred, not yet started" until the exit coordinator refers the person to an exit
programme for the same journal number (`POST /v1/exit-programmes` with `journal_number`), which
marks it started with the programme's id. One record per person and journal number (triage
refers once per person and incident); never published (it is not a course)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import event

from shared.contracts import ExitReferral
from shared.eventstore import TracedAggregate
from shared.eventstore.ids import IdSpace

_IDS = IdSpace("urn:ssp:courses:exit-referral")


class ExitReferralRecord(TracedAggregate):
    class Received(TracedAggregate.Created):
        referral_id: str
        person_key: str
        journal_number: str
        revision: int
        municipality_code: str
        age_at_incident: int
        workflow: str
        flags: list[str]
        offence_code: str
        decision_id: str
        owner_role: str
        owner_team: str | None
        referred_at: datetime

    class ProgrammeStarted(TracedAggregate.Event):
        programme_id: str
        started_at: datetime

    @staticmethod
    def create_id(person_key: str, journal_number: str) -> UUID:
        return _IDS(f"{person_key}:{journal_number}")

    @classmethod
    def from_referral(cls, referral: ExitReferral) -> ExitReferralRecord:
        return cls(
            referral_id=referral.referral_id,
            person_key=referral.person_key,
            journal_number=referral.journal_number,
            revision=referral.revision,
            municipality_code=referral.municipality_code,
            age_at_incident=referral.age_at_incident,
            workflow=referral.workflow,
            flags=list(referral.flags),
            offence_code=referral.offence_code,
            decision_id=referral.decision_id,
            owner_role=referral.owner_role,
            owner_team=referral.owner_team,
            referred_at=referral.referred_at,
        )

    @event(Received)
    def __init__(
        self,
        referral_id: str,
        person_key: str,
        journal_number: str,
        revision: int,
        municipality_code: str,
        age_at_incident: int,
        workflow: str,
        flags: list[str],
        offence_code: str,
        decision_id: str,
        owner_role: str,
        owner_team: str | None,
        referred_at: datetime,
    ) -> None:
        self.referral_id = referral_id
        self.person_key = person_key
        self.journal_number = journal_number
        self.revision = revision
        self.municipality_code = municipality_code
        self.age_at_incident = age_at_incident
        self.workflow = workflow
        self.flags = flags
        self.offence_code = offence_code
        self.decision_id = decision_id
        self.owner_role = owner_role
        self.owner_team = owner_team
        self.referred_at = referred_at
        self.programme_id: str | None = None
        self.started_at: datetime | None = None

    @property
    def status(self) -> str:
        return "referred" if self.programme_id is None else "started"

    def mark_started(self, programme_id: UUID, at: datetime) -> bool:
        """Link the exit programme started for the referral; False when one was linked (the
        first programme stays the referral's)."""
        if self.programme_id is not None:
            return False
        self.start_programme(programme_id=str(programme_id), started_at=at)
        return True

    @event(ProgrammeStarted)
    def start_programme(self, programme_id: str, started_at: datetime) -> None:
        self.programme_id = programme_id
        self.started_at = started_at
