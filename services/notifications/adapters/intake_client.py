"""Asks intake who a letter goes to, at the moment it is rendered (issue 16, part 2):
`POST /v1/identities/{person_key}/letter-recipients` with the purpose "brev til forældre" and
the caller's own bearer token, so intake decides and audits the read as that user's."""

from __future__ import annotations

from datetime import date, datetime

import httpx

from services.notifications.domain.letter_content import PersonFacts

PURPOSE = "brev til forældre"


class RecipientsUnavailable(RuntimeError):
    """Intake could not be asked, or answered something unexpected (no personal data here)."""


class RecipientsNotFound(LookupError):
    """Intake knows no such person, the caller may not see them, or intake has no record of
    the person in that incident."""


class IntakeRecipients:
    def __init__(self, base_url: str, transport: httpx.AsyncBaseTransport | None = None):
        self.base_url = base_url.rstrip("/")
        self.transport = transport

    async def facts(self, person_key: str, journal_number: str, authorization: str) -> PersonFacts:
        try:
            async with httpx.AsyncClient(
                base_url=self.base_url, timeout=10, transport=self.transport
            ) as client:
                answer = await client.post(
                    f"/v1/identities/{person_key}/letter-recipients",
                    json={"purpose": PURPOSE, "journal_number": journal_number},
                    headers={"Authorization": authorization},
                )
        except httpx.HTTPError as error:
            raise RecipientsUnavailable(f"intake: {type(error).__name__}") from None
        if answer.status_code in (403, 404):
            raise RecipientsNotFound(person_key)
        if answer.status_code != 200:
            raise RecipientsUnavailable(f"intake answered {answer.status_code}")
        body = answer.json()
        incident = body.get("incident")
        if not incident or not incident.get("role"):
            raise RecipientsNotFound(person_key)
        occurred = incident.get("occurred_at")
        occurred_on: date | None = datetime.fromisoformat(occurred).date() if occurred else None
        return PersonFacts(
            names=tuple(body.get("names", [])),
            addresses=tuple(body.get("addresses", [])),
            custodians=tuple((c["name"], c["address"]) for c in body.get("custodians", [])),
            role=incident["role"],
            age_at_incident=incident.get("age_at_incident"),
            offence_code=incident.get("offence_code") or "andet",
            occurred_on=occurred_on,
        )
