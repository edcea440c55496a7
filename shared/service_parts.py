"""A service's definition from the parts it builds at start: the one way every bootstrap wires
its Kafka handler, HTTP app and background tasks to its application."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol, TypeVar, cast

from fastapi import FastAPI

from shared.auth import AccessControl, AuthSettings, ServiceAuth
from shared.eventstore.application import ServiceApplication
from shared.eventstore.daily_job import DailyStep
from shared.messaging.consumers import ConsumerTable
from shared.runtime import ServiceContext, ServiceDefinition

P = TypeVar("P")


class _Served(Protocol):
    http_host: str
    http_port: int


def _step_of(built: list[P], step: Callable[[P], DailyStep]) -> Callable[[Any], DailyStep]:
    return lambda _ctx: step(built[0])


def _the_parts(parts: P) -> P:
    return parts


def service_with_parts(
    name: str,
    settings: AuthSettings,
    build: Callable[[], tuple[ServiceApplication, P]],
    *,
    consumers: ConsumerTable[Any],
    consuming: Callable[[P], Any] = _the_parts,
    http: Callable[[ServiceContext, P, AccessControl], FastAPI],
    tasks: Sequence[Callable[[ServiceContext, P], Awaitable[None]]] = (),
    daily: Sequence[Callable[[P], DailyStep]] = (),
    release: Callable[[P], None] | None = None,
    auth: ServiceAuth | None = None,
    **definition: Any,
) -> ServiceDefinition:
    """The definition of a service whose application and parts (`P`: its use cases, index,
    read side) `build` makes at start, in the store's thread: its Kafka handler, HTTP app and
    background tasks and the steps of its daily job (`daily`, shared/eventstore/daily_job.py)
    are made from those parts, its HTTP app guarded by `auth` (the service's
    own by default; closed, after `release`, when the service stops). The Kafka handler and
    the topics consumed are its `consumers` table's (entrypoints/kafka.py), whose use cases
    are methods of `consuming(parts)` (by default the parts themselves). `definition`: the
    rest of `ServiceDefinition` (topics produced, publications, published events)."""
    auth = auth or ServiceAuth(settings, name)
    built: list[P] = []

    def app_factory() -> ServiceApplication:
        app, parts = build()
        built[:] = [parts]
        return app

    def with_parts(task: Callable[[ServiceContext, P], Awaitable[None]]) -> Any:
        return lambda ctx: task(ctx, built[0])

    served = cast(_Served, settings)
    stops: list[Callable[[], None]] = []
    if release is not None:
        stops.append(lambda: release(built[0]))
    return ServiceDefinition(
        name=name,
        settings=settings,
        app_factory=app_factory,
        handler_factory=lambda _: consumers.batch_handler(consuming(built[0]), settings),
        http_factory=lambda ctx: http(ctx, built[0], auth.access_control(ctx)),
        http_host=served.http_host,
        http_port=served.http_port,
        extra_tasks=[with_parts(task) for task in tasks],
        daily_steps=[_step_of(built, step) for step in daily],
        on_stop=[*stops, auth.close],
        consumes=consumers.topics,
        **definition,
    )
