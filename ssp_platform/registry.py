"""The services this platform consists of (the composition root may import every service's
bootstrap; services never import each other)."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from shared.runtime import ServiceDefinition
from shared.webapp import WebServiceDefinition

SERVICES: dict[str, str] = {
    "intake": "services.intake.bootstrap",
    "triage": "services.triage.bootstrap",
    "notifications": "services.notifications.bootstrap",
    "reporting": "services.reporting.bootstrap",
    "courses": "services.courses.bootstrap",
}
"""The services with an event store, a Kafka inbox and outbox, an audit trail."""

WEB_SERVICES: dict[str, str] = {
    "console": "services.console.bootstrap",
}
"""Web-only services: no store and no personal data of their own (they call the others' APIs
with the user's token); started after the others."""

ALL_SERVICES: dict[str, str] = {**SERVICES, **WEB_SERVICES}


def available() -> list[str]:
    return [name for name in ALL_SERVICES if _module_or_none(name) is not None]


def _module_or_none(name: str) -> object | None:
    try:
        return importlib.import_module(ALL_SERVICES[name])
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith(ALL_SERVICES[name]):
            return None
        raise


def definition_factory(name: str) -> Callable[[], ServiceDefinition | WebServiceDefinition]:
    if name not in ALL_SERVICES:
        raise KeyError(f"unknown service {name!r}; choose one of {', '.join(ALL_SERVICES)}")
    module = importlib.import_module(ALL_SERVICES[name])
    factory: Callable[[], ServiceDefinition | WebServiceDefinition] = module.definition
    return factory
