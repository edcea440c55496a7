"""The review export's routes (issue 17, part 4): the sample of a municipality's year with
each person's findings, and one person's export as JSON or PDF. Guarded by
`review.export` (application/access_policy.py), audited per person with the stated purpose.
The PDF with the child's name (`POST`, `review.export_named`) takes a name the caller resolved
at intake: it is typeset, never stored, logged or audited here."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from services.reporting.adapters.review_pdf import review_pdf
from services.reporting.application.access_policy import ReportingAction
from services.reporting.application.review import (
    LARGEST_SAMPLE,
    PersonReview,
    Reviews,
    ReviewSample,
)
from services.reporting.entrypoints.dependencies import (
    NOT_IN_REACH,
    GuardedRead,
    checked_municipality,
    reading,
)
from shared.contracts.common import MAX_NAME_CHARS
from shared.http_responses import Responses, described

ReviewRead = Annotated[GuardedRead[Reviews], reading(ReportingAction.EXPORT_REVIEW, "reviews")]
"""Every review route's guard (`review.export`) and the review export it reads."""
NamedReviewRead = Annotated[
    GuardedRead[Reviews], reading(ReportingAction.EXPORT_NAMED_REVIEW, "reviews")
]
"""The named PDF's guard (`review.export_named`: a role that may resolve names)."""
PersonKey = Annotated[str, Path(max_length=200, pattern=r"^pk_[0-9a-f]{16,64}$")]
reviews = APIRouter(prefix="/v1/reviews")


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
    read: ReviewRead,
    size: Annotated[int, Query(ge=1, le=LARGEST_SAMPLE, description="persons to draw")] = 300,
    seed: Annotated[int, Query(ge=0, le=2**63 - 1, description="the draw's seed")] = 0,
) -> ReviewSample:
    code = checked_municipality(municipality_code)
    await read.access.require_listing(code)
    sample = await read.in_store(read.reads.sample, read.principal, code, year, size, seed)
    read.access.note(
        term=f"review {code}/{year} seed {seed}",
        person_keys=[p.person_key for p in sample.persons],
        count=len(sample.persons),
    )
    return sample


async def _review_of(read: GuardedRead[Reviews], person_key: str) -> PersonReview:
    """The person's export, when in the caller's reach (404 alike for unknown), audited."""
    review = await read.answer(read.reads.person, read.principal, person_key)
    read.access.note(term="review export", person_keys=[person_key], count=len(review.checks))
    return review


async def _reviewed(person_key: PersonKey, read: ReviewRead) -> PersonReview:
    return await _review_of(read, person_key)


Reviewed = Annotated[PersonReview, Depends(_reviewed)]
A_PDF: Responses = {200: {"content": {"application/pdf": {}}}}


@reviews.get(
    "/persons/{person_key}",
    summary="One sampled person's review export: the timeline and each check's finding with "
    "the facts it rests on; 404 alike for unknown persons and persons out of reach",
    response_model=PersonReview,
    responses=NOT_IN_REACH,
)
async def person_review(review: Reviewed) -> PersonReview:
    return review


@reviews.get(
    "/persons/{person_key}/pdf",
    summary="The same export as a readable Danish PDF (A4)",
    response_class=Response,
    responses={**A_PDF, **NOT_IN_REACH},
)
async def person_review_pdf(review: Reviewed) -> Response:
    return _pdf(review)


class NamedExport(BaseModel):
    """The child's name for the PDF, as intake resolved it for the caller."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=MAX_NAME_CHARS, repr=False, examples=["Mads Jensen"])


@reviews.post(
    "/persons/{person_key}/pdf",
    summary="The same PDF with the child's name, which the caller resolved at intake for the "
    "review (a team leader; the name is typeset, not stored, logged or audited here)",
    response_class=Response,
    responses={**A_PDF, **described({422: "no name, or a name too long"}), **NOT_IN_REACH},
)
async def named_person_review_pdf(
    person_key: PersonKey, named: NamedExport, read: NamedReviewRead
) -> Response:
    review = await _review_of(read, person_key)
    return _pdf(review.model_copy(update={"name": named.name}))


def _pdf(review: PersonReview) -> Response:
    municipalities = sorted(
        {r.municipality_code for r in review.timeline.rows if r.municipality_code}
    )
    pdf = review_pdf(review, municipalities, datetime.now(UTC).isoformat())
    filename = f"{review.person_key}.pdf"
    return Response(
        pdf, media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )  # fmt: skip
