"""The services this platform consists of (the composition root may import every service's
bootstrap; services never import each other)."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from shared.runtime import ServiceDefinition

SERVICES: dict[str, str] = {
    "intake": "services.intake.bootstrap",
    "triage": "services.triage.bootstrap",
    "notifications": "services.notifications.bootstrap",
    "reporting": "services.reporting.bootstrap",
    "courses": "services.courses.bootstrap",
}


def available() -> list[str]:
    return [name for name in SERVICES if _module_or_none(name) is not None]


def _module_or_none(name: str) -> object | None:
    try:
        return importlib.import_module(SERVICES[name])
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith(SERVICES[name]):
            return None
        raise


def definition_factory(name: str) -> Callable[[], ServiceDefinition]:
    if name not in SERVICES:
        raise KeyError(f"unknown service {name!r}; choose one of {', '.join(SERVICES)}")
    module = importlib.import_module(SERVICES[name])
    factory: Callable[[], ServiceDefinition] = module.definition
    return factory
