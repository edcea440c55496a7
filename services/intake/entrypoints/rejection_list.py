"""`GET /v1/rejected`: the open rejections, for those who correct them (issue 15, part 6).

Each with its problems by field (messages that say what is allowed), never the input: the
original is read, audited, at `retrievable_at`. Only rejections in the caller's reach are
listed (the same decision as reading one: a municipality the input names is theirs; a
case-register event never to the police), newest first, a page at a time."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import AfterValidator

from services.intake.application.access_policy import IntakeAction, rejection_resource
from services.intake.domain.problem_messages import readable_problem
from services.intake.domain.rejections import RejectionSummary
from services.intake.entrypoints.parts import Intake
from shared.auth import Access, Resource, guard
from shared.contracts.common import MUNICIPALITY_CODE_PATTERN
from shared.contracts.municipalities import official_municipality_code
from shared.contracts.rejections import rejected_path
from shared.http_responses import described

MAX_PAGE = 200
rejection_list = APIRouter(prefix="/v1/rejected")


def _listed(summary: RejectionSummary, access: Access) -> dict[str, Any]:
    return {
        "reference": summary.reference,
        "received_at": summary.received_at.isoformat(),
        "channel": summary.channel,
        "journal_number": summary.journal_number,
        "revision": summary.revision,
        "source": summary.source,
        # Only the caller's own: another municipality named beside theirs is not their business.
        "municipality_codes": [
            code for code in sorted(summary.municipalities) if access.permits(Resource.of(code))
        ],
        "from_case_register": summary.case_register,
        "from_concern": summary.concern,
        "problems": [readable_problem(reason) for reason in summary.reasons],
        "retrievable_at": rejected_path(summary.reference),
        "resubmit_at": f"{rejected_path(summary.reference)}/resubmit",
    }


@rejection_list.get(
    "",
    summary="The open rejections in your reach, newest first, each with its problems by field "
    "(X-Purpose required; 403 for a municipality outside your token)",
    responses=described(
        {
            400: "no X-Purpose",
            403: "your role does not correct rejected input, or the municipality "
            "is not in your token",
        }
    ),
)
async def list_rejected(
    access: Annotated[Access, guard(IntakeAction.LIST_REJECTED_INPUT)],
    intake: Intake,
    municipality_code: Annotated[
        str | None,
        Query(
            pattern=MUNICIPALITY_CODE_PATTERN,
            description="Only rejections naming this municipality (three digits)",
        ),
        AfterValidator(lambda code: code if code is None else official_municipality_code(code)),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="At most this many")] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Skip this many")] = 0,
) -> dict[str, Any]:
    if municipality_code is not None:
        await access.require_listing(municipality_code)
    summaries: list[RejectionSummary] = await intake.in_store(intake.service.open_rejections)
    shown = [
        summary
        for summary in summaries
        if access.permits(rejection_resource(summary.municipalities, summary.social_services))
        and (municipality_code is None or municipality_code in summary.municipalities)
    ]
    page = shown[offset : offset + limit]
    access.note(term=f"open rejections {municipality_code or 'in reach'}", count=len(page))
    return {
        "municipality_code": municipality_code,
        "total": len(shown),
        "offset": offset,
        "limit": limit,
        "next_offset": offset + limit if offset + limit < len(shown) else None,
        "rejections": [_listed(summary, access) for summary in page],
    }
