"""The review export's routes (issue 17, part 4): the sample of a municipality's year with
each person's findings, and one person's export as JSON or PDF. Guarded by
`review.export` (application/access_policy.py), audited per person with the stated purpose."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
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
from services.reporting.entrypoints.http import checked_municipality, in_reach
from shared.auth import Access, Resource, guard
from shared.http import from_app
from shared.runtime import Ctx

ReviewsDep = Annotated[Reviews, from_app("reviews")]
ReviewAccess = Annotated[Access, guard(ReportingAction.EXPORT_REVIEW)]
reviews = APIRouter(prefix="/v1/reviews")
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such person in the caller's reach"}
}


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
    access: ReviewAccess,
    ctx: Ctx,
    found: ReviewsDep,
    size: Annotated[int, Query(ge=1, le=LARGEST_SAMPLE, description="persons to draw")] = 300,
    seed: Annotated[int, Query(ge=0, le=2**63 - 1, description="the draw's seed")] = 0,
) -> ReviewSample:
    code = checked_municipality(municipality_code)
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


async def _reviewed(
    person_key: Annotated[str, Path(max_length=200, pattern=r"^pk_[0-9a-f]{16,64}$")],
    access: ReviewAccess,
    ctx: Ctx,
    found: ReviewsDep,
) -> PersonReview:
    """The person's export, when in the caller's reach (404 alike for unknown), audited."""
    answer: ReviewAnswer = await ctx.in_store(found.person, access.principal, person_key)
    review = await in_reach(access, answer.known, answer.decision, answer.found)
    access.note(term="review export", person_keys=[person_key], count=len(review.checks))
    return review


Reviewed = Annotated[PersonReview, Depends(_reviewed)]


@reviews.get(
    "/persons/{person_key}",
    summary="One sampled person's review export: the timeline and each check's finding with "
    "the facts it rests on; 404 alike for unknown persons and persons out of reach",
    response_model=PersonReview,
    responses=NOT_FOUND,
)
async def person_review(review: Reviewed) -> PersonReview:
    return review


@reviews.get(
    "/persons/{person_key}/pdf",
    summary="The same export as a readable Danish PDF (A4)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **NOT_FOUND},
)
async def person_review_pdf(review: Reviewed) -> Response:
    municipalities = sorted(
        {r.municipality_code for r in review.timeline.rows if r.municipality_code}
    )
    pdf = review_pdf(review, municipalities, datetime.now(UTC).isoformat())
    filename = f"{review.person_key}.pdf"
    return Response(
        pdf, media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )  # fmt: skip
