"""The names of a weekly meeting's agenda in one step (issue 15): `POST
/v1/identities/resolve-batch` with the meeting (municipality and ISO week) as its purpose; or,
instead of a meeting, the review sample of a municipality's year (issue 17, part 4:
`review`, e.g. `607/2026`), whose reviewer reads the children's names beside their findings.

The same rules as resolving one pseudonym (`POST /v1/identities/{person_key}/resolve`): the
roles that may resolve, and only persons registered in one of the caller's municipalities (the
others are answered as `not_found`, alike with unknown ones). It is limited per meeting, not per
name: each call counts once against the caller's budget for that meeting, and the audit entry
names every person resolved."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field, model_validator

from services.intake.application.access_policy import IntakeAction
from services.intake.application.identities import IdentityDirectory, ResolvedIdentity
from shared.auth import Access, Resource, guard
from shared.auth.access import AccessRefused
from shared.auth.ratelimit import RateLimiter
from shared.http_responses import described
from shared.runtime import ServiceContext

MAX_BATCH = 500
"""A meeting's agenda is a week's police reports of one municipality: bounded well above the
largest seed (Herning, ≈ 60 a week)."""
MEETING = re.compile(r"(?P<municipality>[0-9]{3})/(?P<week>[0-9]{4}-W[0-9]{2})")
REVIEW = re.compile(r"(?P<municipality>[0-9]{3})/(?P<year>[0-9]{4})")


class MeetingResolveRequest(BaseModel):
    meeting: str | None = Field(
        default=None,
        pattern=MEETING.pattern,
        max_length=12,
        description="The meeting: municipality code and ISO week, e.g. `607/2026-W49`.",
    )
    review: str | None = Field(
        default=None,
        pattern=REVIEW.pattern,
        max_length=8,
        description="Instead of a meeting: the review sample, municipality code and year, "
        "e.g. `607/2026`.",
    )
    purpose: str = Field(
        min_length=1, max_length=500, description="Why the names are needed (audited)."
    )
    person_keys: list[Annotated[str, Field(pattern=r"^pk_[0-9a-f]{16,64}$")]] = Field(
        min_length=1, max_length=MAX_BATCH, description="The pseudonyms on the agenda."
    )

    @model_validator(mode="after")
    def _one_occasion(self) -> MeetingResolveRequest:
        if (self.meeting is None) == (self.review is None):
            raise ValueError("name either a meeting or a review, not both")
        return self

    @property
    def occasion(self) -> str:
        """`meeting 607/2026-W49` or `review 607/2026`: the purpose's occasion."""
        return f"meeting {self.meeting}" if self.meeting else f"review {self.review}"


class MeetingPerson(BaseModel):
    person_key: str
    cpr: str
    names: list[str]


class MeetingResolution(BaseModel):
    meeting: str | None
    review: str | None = None
    persons: list[MeetingPerson]
    not_found: list[str] = Field(
        description="Pseudonyms unknown or out of the caller's reach (never told apart)."
    )


def resolve_all(
    identities: IdentityDirectory, person_keys: Sequence[str]
) -> list[tuple[str, ResolvedIdentity | None]]:
    return [(key, identities.resolve(key)) for key in dict.fromkeys(person_keys)]


def meeting_identities_router(
    ctx: ServiceContext, identities: IdentityDirectory, per_meeting_per_hour: int
) -> APIRouter:
    router = APIRouter(tags=["identities"])
    limiter = RateLimiter(per_meeting_per_hour)

    @router.post(
        "/v1/identities/resolve-batch",
        summary="Names and CPR numbers behind a meeting agenda's pseudonyms, in one step: "
        "the meeting is the purpose, limited per meeting (not per name), audited with every "
        "person; persons out of reach are answered as not_found",
        response_model=MeetingResolution,
        responses=described(
            {
                403: "the meeting's municipality is outside your token",
                429: "this meeting's names were resolved too often this hour",
            }
        ),
    )
    async def resolve_for_meeting(
        body: MeetingResolveRequest,
        access: Annotated[Access, guard(IntakeAction.RESOLVE_MEETING_IDENTITIES)],
    ) -> MeetingResolution:
        municipality = (body.meeting or body.review or "")[:3]  # the models' patterns
        access.note(term=body.occasion)
        await access.require(Resource.of(municipality), conceal=False)
        key = f"{access.principal.subject}|{body.occasion}"
        now = datetime.now(UTC)
        if not limiter.attempt(key, now):
            await access.record_outcome("denied", "rate_limited")
            retry = str(limiter.retry_after_seconds(key, now))
            raise AccessRefused(429, "rate_limited", headers={"Retry-After": retry})
        found = await ctx.in_store(resolve_all, identities, body.person_keys)
        persons: list[MeetingPerson] = []
        not_found: list[str] = []
        for person_key, identity in found:
            if identity is None or not access.permits(
                Resource(municipalities=identity.municipalities)
            ):
                not_found.append(person_key)
                continue
            persons.append(
                MeetingPerson(person_key=person_key, cpr=identity.cpr, names=list(identity.names))
            )
        access.note(person_keys=[p.person_key for p in persons], count=len(persons))
        return MeetingResolution(
            meeting=body.meeting, review=body.review, persons=persons, not_found=not_found
        )

    return router
