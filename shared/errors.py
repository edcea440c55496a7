"""Every API's errors in one shape, and its OpenAPI saying so.

    {"error": "invalid_request", "message": "persons[0].cpr: a CPR number: ten digits, ...",
     "field": "persons[0].cpr", "problems": [{"field": ..., "code": ..., "message": ...}]}

`error` is a stable code (docs/errors.md lists them), `message` says in words what is wrong or
allowed (never the input, a regular expression or a pydantic code), `field` names the request
field it is about, or is null. Validation errors add `problems`, one per field.

`install_error_handlers(api)` makes FastAPI's and Starlette's own errors (unknown path, wrong
method, validation, an unexpected exception) answer in this shape; `service_api` calls it for
every service. `document_errors(api)` adds the error statuses each route can answer to its
OpenAPI operation."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.validation_messages import field_problems

log = logging.getLogger(__name__)

STATUS_CODES: dict[int, tuple[str, str]] = {
    400: ("invalid_request", "the request is not valid"),
    401: ("unauthenticated", "a valid bearer token is required"),
    403: ("forbidden", "you may not do this"),
    404: ("not_found", "not found"),
    405: ("method_not_allowed", "this path does not accept this method"),
    406: ("not_acceptable", "this path answers application/json only"),
    409: ("conflict", "this conflicts with the record's current state"),
    413: ("too_large", "the request body is too large"),
    415: ("unsupported_media_type", "send the body as application/json"),
    422: ("invalid_request", "the request is not valid"),
    429: ("rate_limited", "too many attempts; try again later"),
    500: ("internal_error", "something went wrong on our side; the request was not completed"),
    503: ("unavailable", "the service is not available; try again later"),
}
"""The error code and message for a status when nothing more specific is known."""

STATUS_DESCRIPTIONS = {
    400: "The request is malformed, or a personal-data read lacks its X-Purpose header",
    401: "No valid bearer token",
    403: "Your role (`role_not_allowed`), municipality (`municipality_not_allowed`) or school "
    "(`school_not_allowed`) does not permit this",
    404: "Not found, or out of your reach (the two look the same)",
    409: "Conflicts with the record's current state",
    413: "The request body is larger than this route accepts",
    422: "A field is not valid: `field` names it, `problems` lists every one",
    429: "Too many attempts; see Retry-After",
    500: "An unexpected error on the service's side",
}


class Problem(BaseModel):
    field: str = Field(max_length=500, description="The field's path, e.g. persons[0].cpr")
    code: str = Field(max_length=100, description="Our code for the problem, e.g. too_long")
    message: str = Field(max_length=2000, description="What the field allows, in words")


class ErrorBody(BaseModel):
    """The one shape of every error answer."""

    error: str = Field(max_length=100, description="A stable code (docs/errors.md)")
    message: str = Field(max_length=4000, description="What is wrong, in words")
    field: str | None = Field(
        max_length=500, description="The request field the error is about, or null"
    )
    problems: list[Problem] | None = Field(
        default=None, description="Validation errors: one per field"
    )


def error_body(error: str, message: str, field: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"error": error, "message": message, "field": field, **extra}


def error_response(
    status: int,
    error: str | None = None,
    message: str | None = None,
    field: str | None = None,
    *,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    default_error, default_message = STATUS_CODES.get(status, ("error", "the request failed"))
    return JSONResponse(
        error_body(error or default_error, message or default_message, field, **extra),
        status_code=status,
        headers=headers,
    )


class ApiError(HTTPException):
    """An error a route raises with its own code, message and (optionally) field."""

    def __init__(
        self,
        status_code: int,
        error: str,
        message: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status_code, detail=message, headers=headers)
        self.error = error
        self.message = message
        self.field = field


def validation_response(request: Request, errors: Any) -> JSONResponse:
    problems = field_problems(errors, request.scope.get("route"))
    if not problems:
        return error_response(422)
    first = problems[0]
    message = "; ".join(f"{p['field']}: {p['message']}" for p in problems[:5])
    if len(problems) > 5:
        message += f"; and {len(problems) - 5} more"
    return error_response(422, "invalid_request", message, first["field"], problems=problems)


def install_error_handlers(api: FastAPI, *, http_errors: bool = True) -> None:
    """Answer FastAPI's and Starlette's own errors in the platform's shape (idempotent).
    `http_errors=False`: validation errors only (an app with its own error pages)."""
    if getattr(api.state, "error_handlers_installed", False):
        return
    api.state.error_handlers_installed = True

    @api.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own 422 body repeats the input value; ours names the field and what it allows.
        return validation_response(request, exc.errors())

    if http_errors:
        _install_http_errors(api)


def _install_http_errors(api: FastAPI) -> None:
    @api.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers) if exc.headers else None
        if isinstance(exc, ApiError):
            return error_response(
                exc.status_code, exc.error, exc.message, exc.field, headers=headers
            )
        status = exc.status_code
        message = exc.detail if isinstance(exc.detail, str) else None
        if status == 404:
            message = "nothing here: check the path (see the service's /docs)"
        elif status == 405:
            allowed = headers.get("allow", headers.get("Allow", "")) if headers else ""
            message = f"{request.method} is not allowed here" + (
                f"; this path accepts {allowed}" if allowed else ""
            )
        return error_response(status, message=message, headers=headers)

    @api.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected %s while answering a request", type(exc).__name__)
        return error_response(500)


# --- OpenAPI ----------------------------------------------------------------------------------
_REF = "#/components/schemas/ErrorBody"
_COMPONENTS = "#/components/schemas/{model}"
_BODY_MODELS: dict[str, type[BaseModel]] = {}


def raw_json_body(model: type[BaseModel], description: str) -> dict[str, Any]:
    """`openapi_extra` for a route that reads its JSON body itself (to keep what it cannot
    parse): the body declared as `model`, as the route validates it."""
    _BODY_MODELS[model.__name__] = model
    schema = {"$ref": _COMPONENTS.format(model=model.__name__)}
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {"application/json": {"schema": schema}},
        }
    }


def raw_file_body(media_types: Sequence[str], description: str) -> dict[str, Any]:
    """`openapi_extra` for a route that reads a file as its body (bytes of `media_types`)."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {media: binary for media in media_types},
        }
    }


def api_routes(api: FastAPI) -> Iterator[Any]:
    """Every API route of `api` as served (a router's prefix applied), routers included."""
    for context in iter_route_contexts(api.routes):
        if isinstance(context.original_route, APIRoute):
            yield context


def error_statuses(route: Any) -> list[int]:
    """The error statuses a route can answer: 400/413 (any body), 422 (any parameter or body),
    401/403/404/429 (guarded), 404 (any path parameter), 500."""
    statuses = {400, 413, 500}
    path, query_or_header = _parameters(route.dependant)
    has_input = bool(
        route.body_field
        or path
        or query_or_header
        or (route.openapi_extra or {}).get("requestBody")
    )
    if has_input:
        statuses.add(422)
    if path:
        statuses.add(404)
    if is_guarded(route):  # a guarded route may answer a record out of reach as not found
        statuses |= {401, 403, 404, 429}
    return sorted(statuses)


def _parameters(dependant: Any) -> tuple[bool, bool]:
    """Whether the route takes path parameters, and query or header ones: its own and those of
    the dependencies it shares them through (a looked-up record's id), but not the access
    guard's `X-Purpose` header (it is never refused as invalid)."""
    path = bool(dependant.path_params)
    query_or_header = bool(dependant.query_params or dependant.header_params)
    for sub in dependant.dependencies:
        if getattr(sub.call, "guarded_action", None) is None:
            sub_path, sub_query_or_header = _parameters(sub)
            path, query_or_header = path or sub_path, query_or_header or sub_query_or_header
    return path, query_or_header


def is_guarded(route: Any) -> bool:
    return guarded_action(route) is not None


def guarded_action(route: Any) -> Any:
    """The action of the route's access guard (shared.auth.guard), or None."""

    def calls(dependant: Any) -> Iterator[Any]:
        for sub in dependant.dependencies:
            yield sub.call
            yield from calls(sub)

    for call in calls(route.dependant):
        action = getattr(call, "guarded_action", None)
        if action is not None:
            return action
    return None


def document_errors(api: FastAPI) -> None:
    """Make `api`'s OpenAPI list, for each operation, the error statuses it answers (in the
    shape above), replacing FastAPI's own validation-error schema."""
    original = api.openapi

    def openapi() -> dict[str, Any]:
        schema = original()  # FastAPI's, cached until routes change; adding to it is idempotent
        _add_error_responses(api, schema)
        return schema

    api.openapi = openapi  # type: ignore[method-assign]


def _add_error_responses(api: FastAPI, schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    declared = str(schema.get("paths", {}))
    models = {"ErrorBody": ErrorBody} | {
        name: model for name, model in _BODY_MODELS.items() if f"/{name}'" in declared
    }
    for name, model in models.items():
        if name not in components:
            body_schema = model.model_json_schema(ref_template=_COMPONENTS)
            for sub, sub_schema in body_schema.pop("$defs", {}).items():
                components.setdefault(sub, sub_schema)
            components[name] = body_schema
    for route in api_routes(api):
        if not route.include_in_schema:
            continue
        item = schema.get("paths", {}).get(route.path_format, {})
        for method in route.methods:
            operation = item.get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for status in error_statuses(route):
                existing = responses.get(str(status))
                if existing is None or "HTTPValidationError" in str(existing):
                    responses[str(status)] = {
                        "description": STATUS_DESCRIPTIONS.get(status, "Error"),
                        "content": {"application/json": {"schema": {"$ref": _REF}}},
                    }
    text = str(schema.get("paths", {}))
    for unused in ("HTTPValidationError", "ValidationError"):
        if f"/{unused}'" not in text:
            components.pop(unused, None)
