"""Intake's HTTP API: submit incidents; authorised staff fetch and correct rejected input and
resolve a pseudonym to the person. Every route is guarded (shared/auth) and audited.

Over 400 lines because the police-list import's answer (counts, one result per incident, every
problem by row and column) is built here, beside the route that gives it; it is the first
piece to move out when this grows."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from services.intake.adapters.police_list import (
    ListIncident,
    ListProblem,
    PoliceList,
    read_police_list,
)
from services.intake.adapters.spreadsheet_guard import (
    SpreadsheetRefused,
    check_spreadsheet,
)
from services.intake.application.access_policy import IntakeAction, rejection_resource
from services.intake.application.erasure import Eraser
from services.intake.application.identities import IdentityDirectory
from services.intake.application.open_rejections import (
    CASE_REGISTER_INPUT,
    CONCERN_INPUT,
    summary_of,
)
from services.intake.application.service import (
    IntakeService,
    RejectionNotFound,
    SubmissionResult,
)
from services.intake.domain.problem_messages import readable_problem
from services.intake.entrypoints.concern_routes import (
    concern_response,
    concerns,
    require_concern_reach,
)
from services.intake.entrypoints.erasure_routes import erasure_routes
from services.intake.entrypoints.identity_routes import identity_resolution
from services.intake.entrypoints.meeting_identities import meeting_identities_router
from services.intake.entrypoints.parts import Intake, IntakeParts, RawBody
from services.intake.entrypoints.rejection_list import rejection_list
from services.intake.settings import IntakeSettings
from shared.auth import Access, AccessControl, Resource, guard
from shared.contracts import PoliceIncident
from shared.errors import raw_file_body, raw_json_body
from shared.http import BODY_LIMITS_STATE, service_api, too_large_body
from shared.http_responses import described
from shared.keys.report import erasure_report_router
from shared.runtime import ServiceContext

_STATUS = {"accepted": 202, "duplicate": 200, "superseded": 200, "rejected": 422}
IMPORT_PATH = "/v1/incidents/import"
OUTSIDE_YOUR_MUNICIPALITIES = (
    "outside_your_municipalities",
    "the incident names a municipality not in your token; it was not imported",
)


def _result_response(result: SubmissionResult) -> JSONResponse:
    body: dict[str, Any] = {"status": result.outcome}
    if result.journal_number:
        body["journal_number"] = result.journal_number
        body["revision"] = result.revision
    if result.outcome == "rejected":
        problems = [readable_problem(p.model_dump()) for p in result.problems]
        first = problems[0] if problems else {"field": None, "message": "not a valid incident"}
        body["error"] = "invalid_incident"
        body["message"] = f"{first['field'] or 'the incident'}: {first['message']}"
        body["field"] = first["field"]
        body["reference"] = result.reference
        body["problems"] = problems
        body["retrievable_at"] = f"/v1/rejected/{result.reference}"
    return JSONResponse(body, status_code=_STATUS[result.outcome])


def _named_codes(incident: ListIncident) -> set[str]:
    doc = incident.document
    codes = {doc["location"].get("municipality_code")}
    codes |= {person.get("municipality_code") for person in doc["persons"]}
    return {code for code in codes if isinstance(code, str)}


def import_summary(
    police_list: PoliceList,
    outcomes: Sequence[tuple[ListIncident, SubmissionResult | None]],
) -> dict[str, Any]:
    """The answer to an import: counts, one result per incident, every problem by row and
    column (codes and messages only, never a cell). `None`: refused (out of the caller's reach,
    not submitted)."""
    counts = {"accepted": 0, "duplicate": 0, "superseded": 0, "rejected": 0, "refused": 0}
    results: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for incident, result in outcomes:
        status = result.outcome if result else "refused"
        counts[status] += 1
        entry: dict[str, Any] = {
            "rows": list(incident.rows),
            "journal_number": result.journal_number if result else incident.journal_number,
            "revision": result.revision if result else None,
            "status": status,
        }
        if result is None:
            located = [ListProblem(incident.rows[0], None, *OUTSIDE_YOUR_MUNICIPALITIES)]
        else:
            located = incident.locate(result.problems)
        if result and result.reference:
            entry["reference"] = result.reference
            entry["retrievable_at"] = f"/v1/rejected/{result.reference}"
        results.append(entry)
        for problem in located:
            errors.append({**problem.as_dict(), "reference": entry.get("reference")})
    return {
        "rows": police_list.rows,
        "incidents": len(police_list.incidents),
        "accepted": counts["accepted"],
        "duplicates": counts["duplicate"],
        "superseded": counts["superseded"],
        "rejected": counts["rejected"],
        "refused": counts["refused"],
        "ignored_columns": police_list.ignored_columns,
        "results": results,
        "errors": sorted(errors, key=lambda e: (e["row"], e["column"] or "")),
    }


incidents = APIRouter(prefix="/v1/incidents")
rejections = APIRouter(prefix="/v1/rejected")


def create_http_app(
    ctx: ServiceContext,
    service: IntakeService,
    identities: IdentityDirectory,
    eraser: Eraser,
    auth: AccessControl,
    settings: IntakeSettings,
) -> FastAPI:
    """Every route of intake's API."""
    limits = settings.spreadsheet_limits
    meeting_identities = meeting_identities_router(
        ctx, identities, settings.meeting_resolutions_per_hour
    )
    erasure_report = erasure_report_router(IntakeAction.READ_ERASURE_REPORT, eraser.app.keyring)
    return service_api(
        "SSP intake",
        "Police incidents in; rejected input for correction; identity resolution.",
        auth,
        [
            incidents,
            rejection_list,
            rejections,
            identity_resolution,
            concerns,
            meeting_identities,
            erasure_routes,
            erasure_report,
        ],
        ctx=ctx,
        intake=IntakeParts(ctx, service, identities, limits),
        eraser=eraser,
        # The police list may be larger than other bodies (shared.http's body limit reads it).
        **{BODY_LIMITS_STATE: {IMPORT_PATH: limits.max_bytes}},
    )


async def rejected_in_reach(
    access: Access,
    reference: str,
    intake: IntakeParts,
) -> Any:
    """The rejected input, if it exists and names a municipality in the caller's reach;
    404 alike otherwise."""
    try:
        rejected = await intake.in_store(intake.service.rejected_input, reference)
    except RejectionNotFound:
        raise access.not_found() from None
    named = intake.identities.persons_named(intake.service.original_of(rejected))
    access.note(term=reference, person_keys=named.person_keys)
    # A rejected case-register event is social services' record, whoever may correct
    # incidents (the police may not learn of it); so is a rejected concern (a child's welfare).
    from_case_register = (
        named.case_register
        or rejected.rejection.get(CASE_REGISTER_INPUT, False)
        or rejected.rejection.get(CONCERN_INPUT, False)
    )
    await access.require(rejection_resource(named.municipalities, from_case_register), conceal=True)
    return rejected


@incidents.post(
    "",
    summary="Submit a police incident (contracts.md §1); scope incidents:write",
    responses=described(
        {202: "accepted", 200: "duplicate or superseded", 422: "rejected and kept for correction"}
    ),
    openapi_extra=raw_json_body(PoliceIncident, "The incident (read as sent: kept if invalid)"),
)
async def submit_incident(
    access: Annotated[Access, guard(IntakeAction.SUBMIT_INCIDENT)],
    intake: Intake,
    raw: RawBody,
) -> JSONResponse:
    result: SubmissionResult = await intake.in_store(intake.service.submit_incident, raw)
    access.note(term=result.journal_number or result.reference)
    return _result_response(result)


@incidents.post(
    "/import",
    summary="Import the police's SSP list (CSV or XLSX as the request body; "
    "docs/police-list-import.md): each incident validated and kept like POST /v1/incidents",
    responses=described(
        {
            200: "summary: counts, results, problems by row and column",
            413: "larger than INTAKE_IMPORT_MAX_BYTES (default 20 MiB)",
            422: "the file cannot be read, breaks a limit (rows, columns, unpacked size, "
            "compression ratio, XML document type) or lacks a required column",
        }
    ),
    openapi_extra=raw_file_body(
        ["text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"],
        "The police's SSP list: CSV (UTF-8 or Windows-1252) or XLSX",
    ),
)
async def import_incidents(
    access: Annotated[Access, guard(IntakeAction.IMPORT_INCIDENTS)],
    intake: Intake,
    data: RawBody,
) -> JSONResponse:
    limits = intake.spreadsheet_limits
    if len(data) > limits.max_bytes:
        return JSONResponse(too_large_body(limits.max_bytes), status_code=413)
    try:
        # Before the file is parsed: a spreadsheet bomb is refused in bounded time.
        await asyncio.to_thread(check_spreadsheet, data, limits)
    except SpreadsheetRefused as refused:
        access.note(term=f"police list refused: {refused.code}")
        return JSONResponse(
            {
                "error": "invalid_police_list",
                "message": "nothing was imported",
                "field": None,
                "rows": 0,
                "errors": [ListProblem(1, None, refused.code, refused.message).as_dict()],
            },
            status_code=422,
        )
    police_list = await asyncio.to_thread(read_police_list, data)
    access.note(term=f"police list of {police_list.rows} rows")
    if police_list.problems:
        return JSONResponse(
            {
                "error": "invalid_police_list",
                "message": "nothing was imported",
                "field": None,
                "rows": police_list.rows,
                "errors": [p.as_dict() for p in police_list.problems],
            },
            status_code=422,
        )

    # A tovholder imports only incidents whose every municipality is in the token.
    def reachable(incident: ListIncident) -> bool:
        codes = _named_codes(incident)
        return access.permits(Resource(municipalities=frozenset(codes))) and all(
            access.permits(Resource.of(code)) for code in codes
        )

    in_reach = [incident for incident in police_list.incidents if reachable(incident)]
    submitted = await intake.in_store(
        intake.service.import_incidents, [(i.raw(), i.field_problems()) for i in in_reach]
    )
    by_incident = dict(zip(map(id, in_reach), submitted, strict=True))
    outcomes = [(i, by_incident.get(id(i))) for i in police_list.incidents]
    access.note(count=len(in_reach))
    return JSONResponse(import_summary(police_list, outcomes))


@rejections.get(
    "/{reference}",
    summary="The original of rejected input and why it was rejected (X-Purpose required)",
)
async def get_rejected(
    reference: str,
    access: Annotated[Access, guard(IntakeAction.READ_REJECTED_INPUT)],
    intake: Intake,
) -> dict[str, Any]:
    rejected = await rejected_in_reach(access, reference, intake)
    # Input naming several municipalities: only the persons of the caller's own.
    visible = intake.identities.visible_part(
        intake.service.original_of(rejected),
        lambda code: access.permits(Resource.of(code)),
    )
    access.person_keys[:] = list(visible.person_keys)
    access.note(count=1)
    return {
        "reference": rejected.reference,
        "channel": rejected.channel,
        "received_at": rejected.received_at.isoformat(),
        "reasons": [readable_problem(reason) for reason in rejected.rejection["reasons"]],
        "original_base64": base64.b64encode(visible.original).decode(),
        "original_text": visible.original.decode("utf-8", "replace"),
        "redacted": visible.redacted,
        "corrected_by": rejected.correction(),
        "from_concern": summary_of(rejected, intake.service.sealer).concern,
    }


@rejections.post(
    "/{reference}/resubmit",
    summary="Submit the corrected document (a JSON incident; for a rejected concern a JSON "
    "`Concern`, checked as POST /v1/concerns): valid, it is accepted and the rejection closed "
    "(corrected_by); still invalid, 422 with its problems under the same reference, and the "
    "rejection stays open",
    responses=described(
        {
            202: "accepted; the rejection is closed",
            200: "that revision (or a later one) was already in; closed",
            404: "no such rejection in your reach",
            422: "still invalid: the problems by field; nothing new is kept",
        }
    ),
    openapi_extra=raw_json_body(PoliceIncident, "The corrected incident (read as sent)"),
)
async def resubmit(
    reference: str,
    request: Request,
    access: Annotated[Access, guard(IntakeAction.RESUBMIT_REJECTED_INPUT)],
    intake: Intake,
) -> JSONResponse:
    rejected = await rejected_in_reach(access, reference, intake)
    raw = await request.body()
    # The correction may not bring in municipalities outside the caller's reach: each one
    # it names must be in reach (not just any, as for reading).
    for code in sorted(intake.identities.persons_named(raw).municipalities):
        await access.require(Resource.of(code), conceal=False)
    concern = summary_of(rejected, intake.service.sealer).concern
    if concern:  # corrected as a concern, with the reach of POST /v1/concerns (the school)
        await require_concern_reach(access, raw)
    try:
        if concern:
            corrected = await intake.in_store(intake.service.resubmit_concern, reference, raw)
            return concern_response(corrected, "the correction is still invalid")
        result = await intake.in_store(intake.service.resubmit, reference, raw)
    except RejectionNotFound:
        raise access.not_found() from None
    return _result_response(result)
