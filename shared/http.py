"""HTTP pieces every service's API shares: the app its routers are served by, health and
readiness probes, error bodies that never echo input, and a limit on request bodies."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, Response
from fastapi.telemetry import TelemetryConfig
from opentelemetry import trace
from pydantic import AfterValidator
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.contracts.common import MUNICIPALITY_CODE_PATTERN
from shared.contracts.municipalities import official_municipality_code
from shared.errors import document_errors, error_body, install_error_handlers
from shared.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from shared.metrics import ServiceMetrics
from shared.store_thread import Stall
from shared.telemetry import tracer

if TYPE_CHECKING:
    from shared.auth import AccessControl

ReadinessCheck = Callable[[], Awaitable[dict[str, bool]]]

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
BODY_LIMITS_STATE = "body_limits"
"""`app.state.body_limits`: {path: bytes} for routes that accept more (or less) than the
service's default (e.g. intake's police-list import)."""


class RequestBodyTooLarge(HTTPException):
    """A body that grew past its limit while it was read (chunked, or a lying Content-Length)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, detail=_too_large_message(limit))
        self.limit = limit


def _too_large_message(limit: int) -> str:
    return f"the request body may be at most {limit} bytes"


def too_large_body(limit: int) -> dict[str, str | None]:
    return error_body("too_large", _too_large_message(limit))


class BodyLimit:
    """ASGI middleware: a request whose body exceeds its limit gets 413 before it is read
    whole. A declared `Content-Length` above the limit is refused before a byte of the body is
    read; a body without one (chunked) or longer than declared is counted chunk by chunk as the
    application reads it, and reading stops at the first chunk past the limit."""

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, per_path: Callable[[], Mapping[str, int]]
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.per_path = per_path

    def limit_for(self, path: str) -> int:
        return self.per_path().get(path, self.max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = _content_length(scope)
        if declared == -1 or (declared is not None and declared > limit):
            await _send_json(send, 413 if declared != -1 else 400, limit, declared == -1)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise RequestBodyTooLarge(limit)
            return message

        await self.app(scope, counted, send)


def _content_length(scope: Scope) -> int | None:
    """The declared length; None when not declared; -1 when unreadable."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else -1
    return None


async def _send_json(send: Send, status: int, limit: int, bad_length: bool) -> None:
    body = (
        error_body("invalid_request", "the Content-Length header is not a number")
        if bad_length
        else too_large_body(limit)
    )
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def limit_request_bodies(app: FastAPI, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
    """Bound every request body of `app` (routes listed in `app.state.body_limits` by theirs)."""

    def per_path() -> Mapping[str, int]:
        limits = getattr(app.state, BODY_LIMITS_STATE, None)
        return limits if isinstance(limits, Mapping) else {}

    app.add_middleware(BodyLimit, max_bytes=max_bytes, per_path=per_path)

    @app.exception_handler(RequestBodyTooLarge)
    async def body_too_large(_: Request, exc: RequestBodyTooLarge) -> JSONResponse:
        return JSONResponse(too_large_body(exc.limit), status_code=413)


NO_FASTAPI_TELEMETRY: TelemetryConfig = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
    "auto_configure": False,
}
"""FastAPI's own OpenTelemetry (on by default since 0.16x) is off: its spans record the raw
`url.path` and `url.query` (a person key in /v1/persons/{person_key}/…, ?person_key=) under
the process-wide provider, and its logs record exception messages. `add_platform_routes`
traces each request itself, with the route template and status only, as the service."""


def service_api(
    title: str,
    description: str,
    auth: AccessControl,
    routers: Sequence[APIRouter],
    **parts: Any,
) -> FastAPI:
    """A service's API: its routers, guarded by `auth`, and the parts their routes depend on
    (`ctx`, `service`, …), which a route asks for with `from_app(name)`."""
    api = FastAPI(title=title, version="1", description=description, telemetry=NO_FASTAPI_TELEMETRY)
    for name, part in parts.items():
        setattr(api.state, name, part)
    install_error_handlers(api)
    document_errors(api)
    auth.install(api)
    for router in routers:
        api.include_router(router)
    return api


MunicipalityQuery = Annotated[
    str, Query(pattern=MUNICIPALITY_CODE_PATTERN), AfterValidator(official_municipality_code)
]
"""A listing's `?municipality_code=`: one of the 98 official codes (422 otherwise)."""


def from_app(name: str) -> Any:
    """A route's dependency on the part `service_api` was given under `name`:
    `service: Annotated[SomeService, from_app("service")]`."""

    async def part(request: Request) -> Any:
        return getattr(request.app.state, name)

    return Depends(part)


def add_platform_routes(
    app: FastAPI,
    readiness: ReadinessCheck,
    service: str = "ssp",
    metrics: ServiceMetrics | None = None,
    *,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    stall: Callable[[], Stall | None] | None = None,
) -> None:
    """`stall`: whether the service's store thread is stuck (`StallWatch.check`): then
    `/healthz` answers 503, so the process is restarted."""
    limit_request_bodies(app, max_body_bytes)

    @app.middleware("http")
    async def server_span(request: Request, call_next: Any) -> Any:
        # A span per request, so events caused by it carry its trace. Only the method and the
        # route template are recorded: paths can hold journal numbers, never more than that.
        with tracer(service).start_as_current_span(
            f"{request.method} {service}", kind=trace.SpanKind.SERVER
        ) as span:
            response = await call_next(request)
            route = request.scope.get("route")
            if route is not None:
                span.set_attribute("http.route", getattr(route, "path", ""))
            span.set_attribute("http.response.status_code", response.status_code)
            return response

    if metrics is not None:

        @app.get(
            "/metrics",
            tags=["operations"],
            summary="The service's metrics, Prometheus text format (no personal data)",
            response_class=Response,
        )
        async def prometheus_metrics() -> Response:
            return Response(metrics.render(), media_type=METRICS_CONTENT_TYPE)

    @app.get(
        "/healthz",
        tags=["operations"],
        summary="The process is alive (503: its store thread is stuck in a call)",
        response_model=None,
    )
    async def healthz() -> dict[str, str] | JSONResponse:
        stalled = stall() if stall is not None else None
        if stalled is None:
            return {"status": "ok"}
        return JSONResponse(
            {
                "status": "stalled",
                "store_thread": {
                    "call": stalled.call,
                    "running_s": round(stalled.running_s),
                    "without_cpu_s": round(stalled.idle_s),
                },
            },
            status_code=503,
        )

    @app.get("/readyz", tags=["operations"], summary="Connected to broker and store")
    async def readyz() -> JSONResponse:
        checks = await readiness()
        ready = all(checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not_ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    if _has_default_http_errors(app):
        install_error_handlers(app)
    else:  # an app with its own error pages (the console): its validation errors at least
        install_error_handlers(app, http_errors=False)


def _has_default_http_errors(app: FastAPI) -> bool:
    handler = app.exception_handlers.get(StarletteHTTPException)
    return handler is None or handler is http_exception_handler
