"""Intake's identity routes: a pseudonym resolved to the person (one person, a stated purpose,
audited, rate limited), and the names and addresses a letter to the parents needs (no CPR
number). Both answer 404 alike for unknown persons and persons out of reach."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.intake.application.access_policy import IntakeAction
from services.intake.application.identities import LetterRecipients, ResolvedIdentity
from services.intake.entrypoints.parts import Intake
from shared.auth import Access, Resource, guard
from shared.contracts.common import JOURNAL_NUMBER_PATTERN

identity_resolution = APIRouter(prefix="/v1/identities")


class ResolveRequest(BaseModel):
    purpose: str = Field(min_length=1, max_length=500, description="Why you need the identity")


class ResolvedPerson(BaseModel):
    person_key: str
    cpr: str
    names: list[str]


class LetterRecipientsRequest(BaseModel):
    purpose: str = Field(min_length=1, max_length=500, description="Why: 'brev til forældre'")
    journal_number: str = Field(
        pattern=JOURNAL_NUMBER_PATTERN, description="The incident the letter is about"
    )


class Custodian(BaseModel):
    name: str
    address: str


class LetterIncident(BaseModel):
    journal_number: str
    revision: int | None
    role: str | None
    age_at_incident: int | None
    offence_code: str | None
    occurred_at: str | None
    reported_at: str | None


class LetterRecipientsAnswer(BaseModel):
    person_key: str
    names: list[str]
    addresses: list[str] = Field(description="Known residence addresses, the latest last")
    custodians: list[Custodian] = Field(
        description="Holders of parental custody with their addresses, when a register "
        "says so (parents living apart get a copy each); empty when intake knows none"
    )
    incident: LetterIncident | None = Field(
        description="The person's part in the incident (codes and times); null when unknown"
    )


@identity_resolution.post(
    "/{person_key}/resolve",
    summary="Name(s) and CPR number behind a pseudonym: one person, a stated purpose, "
    "audited, rate limited; 404 alike for unknown persons and persons out of reach",
    response_model=ResolvedPerson,
)
async def resolve_identity(
    person_key: str,
    body: ResolveRequest,
    access: Annotated[Access, guard(IntakeAction.RESOLVE_IDENTITY)],
    intake: Intake,
) -> ResolvedPerson:
    found: ResolvedIdentity = access.found(
        await intake.in_store(intake.identities.resolve, person_key)
    )
    await access.require(Resource(municipalities=found.municipalities), conceal=True)
    access.note(count=1)
    return ResolvedPerson(person_key=person_key, cpr=found.cpr, names=list(found.names))


@identity_resolution.post(
    "/{person_key}/letter-recipients",
    summary="Name(s), address(es) and custodians of a person, and their part in one "
    "incident, for the letter to the parents (no CPR number): a stated purpose, audited; "
    "404 alike for unknown persons and persons out of reach",
    response_model=LetterRecipientsAnswer,
)
async def letter_recipients(
    person_key: str,
    body: LetterRecipientsRequest,
    access: Annotated[Access, guard(IntakeAction.RESOLVE_LETTER_RECIPIENTS)],
    intake: Intake,
) -> LetterRecipientsAnswer:
    found: LetterRecipients = access.found(
        await intake.in_store(intake.identities.letter_recipients, person_key, body.journal_number)
    )
    access.note(person_keys=[person_key])
    await access.require(Resource(municipalities=found.municipalities), conceal=True)
    access.note(count=1)
    return LetterRecipientsAnswer(
        person_key=person_key,
        names=list(found.names),
        addresses=list(found.addresses),
        custodians=[Custodian(**c) for c in found.custodians],
        incident=LetterIncident(**found.incident) if found.incident is not None else None,
    )
