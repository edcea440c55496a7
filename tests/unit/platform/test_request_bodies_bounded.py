"""Every input bounded: each string a request body of any service's API takes has a maximum
length (or a pattern, an enumeration or a format that bounds it), so no field of a request can
grow past what the service means to store (issue 12, part 1). The body as a whole is bounded by
shared.http's limit (tests/unit/test_hostile_inputs.py)."""

from __future__ import annotations

import importlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from shared.runtime import ServiceContext
from tests.unit.auth.support import auth_env

SERVICES = ("intake", "triage", "notifications", "reporting", "courses")
_BOUNDING = {"maxLength", "pattern", "enum", "const", "format"}


def _openapi(service: str, data_dir: Path) -> dict[str, Any]:
    bootstrap = importlib.import_module(f"services.{service}.bootstrap")
    settings_module = importlib.import_module(f"services.{service}.settings")
    settings_class = next(
        getattr(settings_module, name)
        for name in dir(settings_module)
        if name.endswith("Settings") and name.lower().startswith(service[:5])
    )
    settings = settings_class(**auth_env(data_dir))
    d = bootstrap.definition(settings)
    executor = ThreadPoolExecutor(max_workers=1)
    try:
        app = executor.submit(d.app_factory).result()
        api = d.http_factory(ServiceContext(service, settings, app, executor))
        document: dict[str, Any] = api.openapi()
        for release in d.on_stop:
            release()
        return document
    finally:
        executor.shutdown()


def _unbounded(schema: Any, components: dict[str, Any], path: str, seen: set[str]) -> list[str]:
    if isinstance(schema, list):
        return [p for i, s in enumerate(schema) for p in _unbounded(s, components, path, seen)]
    if not isinstance(schema, dict):
        return []
    ref = schema.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        if name in seen:
            return []
        return _unbounded(components[name], components, f"{path}<{name}>", seen | {name})
    found = []
    if schema.get("type") == "string" and not _BOUNDING & schema.keys():
        found.append(path)
    for key, value in schema.items():
        if key in ("examples", "example", "default", "description", "title"):
            continue
        found += _unbounded(value, components, f"{path}.{key}", seen)
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_every_string_of_a_request_body_is_bounded(service: str, tmp_path: Path) -> None:
    document = _openapi(service, tmp_path)
    components = document.get("components", {}).get("schemas", {})
    found = []
    for route, operations in document["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            for media in content.values():
                found += _unbounded(media.get("schema"), components, f"{method} {route}", set())
    assert found == []
