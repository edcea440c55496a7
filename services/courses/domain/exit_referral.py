"""A referral to the exit coordinator from triage (`ssp.triage.exit-referrals.v1`): a person of
15+ in an incident flagged `bande` or `ekstremisme`. It is a request to look, not a programme:
it stays "referred, not yet started" until the exit coordinator refers the person to an exit
programme for the same journal number (`POST /v1/exit-programmes` with `journal_number`), which
marks it started with the programme's id. One record per person and journal number (triage
refers once per person and incident); never published (it is not a course)."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import event

from shared.contracts import ExitReferral
from shared.eventstore import TracedAggregate
from shared.eventstore.ids import IdSpace, keyed_id

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

    create_id = keyed_id(_IDS, "person_key", "journal_number")

    @classmethod
    def from_referral(cls, referral: ExitReferral) -> ExitReferralRecord:
        """The record of a referral: `Received` keeps the referral's fields as triage sent them."""
        kept = {field.name for field in fields(cls.Received)} & set(ExitReferral.model_fields)
        return cls._create(
            cls.Received,
            id=cls.create_id(referral.person_key, referral.journal_number),
            **referral.model_dump(include=kept),
        )

    def __init__(self, referral_id: str) -> None:
        self.referral_id = referral_id
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
