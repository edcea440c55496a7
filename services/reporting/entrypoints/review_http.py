"""The review export's routes (issue 17, part 4): the sample of a municipality's year with
each person's findings, and one person's export as JSON or PDF. Guarded by
`review.export` (application/access_policy.py), audited per person with the stated purpose."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from services.reporting.adapters.review_pdf import review_pdf
from services.reporting.application.access_policy import ReportingAction
from services.reporting.application.review import (
    LARGEST_SAMPLE,
    PersonReview,
    ReviewAnswer,
    Reviews,
    ReviewSample,
)
from services.reporting.entrypoints.http import _MUNICIPALITY_CODE, InvalidParameter, _in_reach
from shared.auth import Access, Resource, guard
from shared.contracts.municipalities import UNKNOWN_MUNICIPALITY, is_municipality_code
from shared.http import from_app
from shared.runtime import Ctx

ReviewsDep = Annotated[Reviews, from_app("reviews")]
reviews = APIRouter(prefix="/v1/reviews")
PersonKey = Annotated[str, Path(max_length=200, pattern=r"^pk_[0-9a-f]{16,64}$")]


def _municipality(code: str) -> str:
    if _MUNICIPALITY_CODE.fullmatch(code) is None:
        raise InvalidParameter(
            "municipality_code", "municipality_code", "a municipality code is three digits"
        )
    if not is_municipality_code(code):
        raise InvalidParameter(
            "municipality_code", UNKNOWN_MUNICIPALITY, "not a Danish municipality code"
        )
    return code


@reviews.get(
    "/samples/{municipality_code}/{year}",
    summary="A reproducible random sample of the municipality's persons of a year (the same "
    "seed and data give the same sample), each with the review's findings per check",
    response_model=ReviewSample,
    responses={422: {"description": "bad municipality code, year, size or seed"}},
)
async def review_sample(
    municipality_code: str,
    year: Annotated[int, Path(ge=2000, le=2100)],
    access: Annotated[Access, guard(ReportingAction.EXPORT_REVIEW)],
    ctx: Ctx,
    found: ReviewsDep,
    size: Annotated[int, Query(ge=1, le=LARGEST_SAMPLE, description="persons to draw")] = 300,
    seed: Annotated[int, Query(ge=0, le=2**63 - 1, description="the draw's seed")] = 0,
) -> ReviewSample:
    code = _municipality(municipality_code)
    await access.require(Resource.listing_of(code), conceal=False)
    sample: ReviewSample = await ctx.in_store(
        found.sample, access.principal, code, year, size, seed
    )
    access.note(
        term=f"review {code}/{year} seed {seed}",
        person_keys=[p.person_key for p in sample.persons],
        count=len(sample.persons),
    )
    return sample


async def _review(access: Access, ctx: Ctx, found: Reviews, person_key: str) -> PersonReview:
    answer: ReviewAnswer = await ctx.in_store(found.person, access.principal, person_key)
    review = await _in_reach(access, answer.known, answer.decision, answer.review)
    access.note(term="review export", person_keys=[person_key], count=len(review.checks))
    return review


@reviews.get(
    "/persons/{person_key}",
    summary="One sampled person's review export: the timeline and each check's finding with "
    "the facts it rests on; 404 alike for unknown persons and persons out of reach",
    response_model=PersonReview,
    responses={404: {"description": "no such person in the caller's reach"}},
)
async def person_review(
    person_key: PersonKey,
    access: Annotated[Access, guard(ReportingAction.EXPORT_REVIEW)],
    ctx: Ctx,
    found: ReviewsDep,
) -> PersonReview:
    return await _review(access, ctx, found, person_key)


@reviews.get(
    "/persons/{person_key}/pdf",
    summary="The same export as a readable Danish PDF (A4)",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}},
        404: {"description": "no such person in the caller's reach"},
    },
)
async def person_review_pdf(
    person_key: PersonKey,
    access: Annotated[Access, guard(ReportingAction.EXPORT_REVIEW)],
    ctx: Ctx,
    found: ReviewsDep,
) -> Response:
    review = await _review(access, ctx, found, person_key)
    municipalities = {r.municipality_code for r in review.timeline.rows if r.municipality_code}
    code = next(iter(sorted(municipalities)), None)
    pdf = review_pdf(review, code, datetime.now(UTC).isoformat())
    return Response(
        content=pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{person_key}.pdf"'},
    )
