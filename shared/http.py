"""HTTP pieces every service's API shares: the app its routers are served by, health and
readiness probes, error bodies that never echo input."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.telemetry import TelemetryConfig
from opentelemetry import trace

from shared.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from shared.metrics import ServiceMetrics
from shared.telemetry import tracer

if TYPE_CHECKING:
    from shared.auth import AccessControl

ReadinessCheck = Callable[[], Awaitable[dict[str, bool]]]


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
    auth.install(api)
    for router in routers:
        api.include_router(router)
    return api


def from_app(name: str) -> Any:
    """A route's dependency on the part `service_api` was given under `name`:
    `service: Annotated[SomeService, from_app("service")]`."""

    async def part(request: Request) -> Any:
        return getattr(request.app.state, name)

    return Depends(part)


def _location(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "$"


def add_platform_routes(
    app: FastAPI,
    readiness: ReadinessCheck,
    service: str = "ssp",
    metrics: ServiceMetrics | None = None,
) -> None:
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

    @app.get("/healthz", tags=["operations"], summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], summary="Connected to broker and store")
    async def readyz() -> JSONResponse:
        checks = await readiness()
        ready = all(checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not_ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's default 422 body repeats the input value; ours names the field only.
        problems = [
            {
                "field": _location(
                    tuple(err["loc"][1:] if err["loc"][:1] == ("body",) else err["loc"])
                ),
                "code": err["type"],
                "message": err["msg"],
            }
            for err in exc.errors()
        ]
        return JSONResponse({"error": "invalid_request", "problems": problems}, status_code=422)
