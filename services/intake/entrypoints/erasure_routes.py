"""Intake's erasure route (issue 18): erase a person (`ssp erase`). The erasure report
(`ssp erasure-report`) is shared/keys/report.py's, of intake's keyring."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from services.intake.application.access_policy import IntakeAction
from services.intake.application.erasure import Eraser
from shared.auth import Access, Resource, guard
from shared.contracts import ErasureReason
from shared.http import from_app
from shared.runtime import Ctx

Erasers = Annotated[Eraser, from_app("eraser")]
erasure_routes = APIRouter(tags=["erasure"])


class EraseRequest(BaseModel):
    reason: ErasureReason = Field(description="Why the person is erased (a code, no text)")


class ErasureAnswer(BaseModel):
    erasure_id: str
    person_key: str
    erased_at: str
    reason: str
    already: bool = Field(description="The person had been erased before; nothing more was done")


@erasure_routes.post(
    "/v1/persons/{person_key}/erasure",
    summary="Erase a person: destroy their data key and publish PersonErased (audited); "
    "404 alike for unknown persons and persons out of reach",
    response_model=ErasureAnswer,
)
async def erase_person(
    person_key: Annotated[str, Path(min_length=1, max_length=200)],
    body: EraseRequest,
    access: Annotated[Access, guard(IntakeAction.ERASE_PERSON)],
    ctx: Ctx,
    eraser: Erasers,
) -> ErasureAnswer:
    codes = access.found(await ctx.in_store(eraser.municipalities, person_key))
    access.note(person_keys=[person_key], term=f"erasure: {body.reason}")
    await access.require(Resource(municipalities=frozenset(codes)), conceal=True)
    outcome = await ctx.in_store(eraser.erase, person_key, body.reason)
    access.note(count=1)
    erasure = outcome.erasure
    return ErasureAnswer(
        erasure_id=erasure.erasure_id,
        person_key=erasure.person_key,
        erased_at=erasure.erased_at.isoformat(),
        reason=erasure.reason,
        already=outcome.already,
    )
