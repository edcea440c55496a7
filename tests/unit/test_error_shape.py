"""Every service answers every error in one shape, `{error, message, field}`: an unknown path
(404), a wrong method (405), a body that is not JSON and a field of the wrong kind (422, with
`field` naming it); FastAPI's own `{"detail": ...}` never reaches a client. And every message a
request field's validation can produce says what is allowed in words: no regular expression,
no pydantic error code, no Python type name."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, get_args

import httpx
import pytest
from fastapi import FastAPI
from pydantic import TypeAdapter, ValidationError
from pydantic.fields import FieldInfo
from pydantic.warnings import UnsupportedFieldAttributeWarning
from pydantic_core.core_schema import ErrorType

from shared.auth import Role
from shared.errors import api_routes, guarded_action, install_error_handlers
from shared.validation_messages import describe_error, field_problems
from tests.unit.auth.support import IN, OUT, PURPOSE, ServiceUnderTest, headers, mint
from tests.unit.test_api_conformance import SERVICES, role_for

PYDANTIC_CODES = frozenset(get_args(ErrorType))
REGEX = re.compile(r"\[[^\]]*\]|\{\d+(,\d*)?\}|\\[dwsDWSbB]|\(\?|\.\*|\.\+|\^|\$$|\|\|")
TYPE_NAMES = re.compile(r"\b(str|int|float|bool|dict|list\[|NoneType|Decimal)\b")
BAD_VALUES: list[Any] = [None, {}, [], "", "x" * 5000, "!!", -1, 10**12, 1.5, True, "2026-13-45"]


def assert_shape(body: Any, error: str | None = None) -> None:
    assert isinstance(body, dict)
    assert "detail" not in body
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["message"], str) and body["message"]
    assert "field" in body and (body["field"] is None or isinstance(body["field"], str))
    if error is not None:
        assert body["error"] == error, body


def assert_human(message: str, where: str = "") -> None:
    assert REGEX.search(message) is None, (where, message)
    assert TYPE_NAMES.search(message) is None, (where, message)
    assert not set(re.findall(r"[a-z_]+", message)) & PYDANTIC_CODES - {"missing"}, (where, message)


@pytest.fixture(params=sorted(SERVICES))
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServiceUnderTest]:
    with SERVICES[request.param](tmp_path) as service:
        yield service


def _json_route(served: ServiceUnderTest) -> tuple[str, str, dict[str, str], Any]:
    """A route of the service that takes a JSON body, and headers a permitted role sends."""
    for route in api_routes(served.api):
        if route.body_field is None or "{" in route.path_format:
            continue
        action = guarded_action(route)
        role = role_for(action) if action is not None else Role.OPERATIONS
        headers = {"Authorization": f"Bearer {mint(role, municipalities=[IN])}", **PURPOSE}
        return sorted(route.methods)[0], route.path_format, headers, route
    pytest.skip("no route with a JSON body and no path parameter")


def test_unknown_path_is_404_in_the_shape(served: ServiceUnderTest) -> None:
    response = served.client.get("/v1/no-such-thing")
    assert response.status_code == 404
    assert_shape(response.json(), "not_found")


def test_wrong_method_is_405_in_the_shape(served: ServiceUnderTest) -> None:
    response = served.client.request("DELETE", "/healthz")
    assert response.status_code == 405
    assert_shape(response.json(), "method_not_allowed")
    assert "GET" in response.json()["message"]
    assert response.headers["allow"] == "GET"


def test_malformed_json_is_a_validation_error_of_the_whole_body(served: ServiceUnderTest) -> None:
    method, path, headers, _ = _json_route(served)
    response = served.client.request(
        method,
        path,
        content=b'{"broken": ',
        headers={**headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    body = response.json()
    assert_shape(body, "invalid_request")
    assert body["field"] == "$"
    assert body["problems"][0]["code"] == "invalid_json"


def test_a_field_of_the_wrong_kind_is_named(served: ServiceUnderTest) -> None:
    method, path, headers, route = _json_route(served)
    model = route.body_field.field_info.annotation
    name = next(n for n, i in model.model_fields.items() if i.is_required())
    response = served.client.request(method, path, json={name: {"nested": [1]}}, headers=headers)
    assert response.status_code == 422, response.text
    body = response.json()
    assert_shape(body, "invalid_request")
    assert name in {p["field"] for p in body["problems"]}
    for problem in body["problems"]:
        assert set(problem) == {"field", "code", "message"}
        assert_human(problem["message"])


def _fields(annotation: Any, path: str, seen: set[Any]) -> Iterator[tuple[str, FieldInfo]]:
    """Every field of a request model, nested models and list items included."""
    for arg in [annotation, *get_args(annotation)]:
        fields = getattr(arg, "model_fields", None)
        if fields is None:
            if get_args(arg) and arg is not annotation:
                yield from _fields(arg, path, seen)
            continue
        if arg in seen:
            continue
        seen = seen | {arg}
        for name, info in fields.items():
            yield f"{path}.{name}", info
            yield from _fields(info.annotation, f"{path}.{name}", seen)


def test_every_validation_message_of_every_request_field_says_what_is_allowed(
    served: ServiceUnderTest,
) -> None:
    checked = 0
    for route in api_routes(served.api):
        candidates: list[tuple[str, FieldInfo]] = []
        if route.body_field is not None:
            annotation = route.body_field.field_info.annotation
            candidates += list(_fields(annotation, route.path_format, set()))
        for param in [*route.dependant.query_params, *route.dependant.path_params]:
            candidates.append((f"{route.path_format}?{param.name}", param.field_info))
        for where, info in candidates:
            with warnings.catch_warnings():
                # A field kept out of reprs (a name: `repr=False`) says so to its model only;
                # validated on its own here, pydantic warns that the flag does nothing.
                warnings.simplefilter("ignore", UnsupportedFieldAttributeWarning)
                adapter = TypeAdapter(Annotated[info.annotation, info])
            for value in BAD_VALUES:
                try:
                    adapter.validate_python(value)
                except ValidationError as invalid:
                    for error in invalid.errors():
                        _, message = describe_error(error["type"], error.get("ctx") or {}, info)
                        assert_human(message, where)
                        checked += 1
                except Exception:  # a validator that refuses a value of another kind outright
                    continue
    assert checked > 0


def test_problems_name_nested_fields_by_path() -> None:
    errors = [
        {
            "type": "string_too_long",
            "loc": ("body", "persons", 0, "cpr"),
            "ctx": {"max_length": 11},
        },
        {"type": "json_invalid", "loc": ("body", 12), "ctx": {"error": "EOF"}},
        {"type": "int_parsing", "loc": ("query", "limit")},
    ]
    assert field_problems(errors) == [
        {"field": "persons[0].cpr", "code": "too_long", "message": "at most 11 characters"},
        {"field": "$", "code": "invalid_json", "message": "the body is not valid JSON"},
        {"field": "limit", "code": "wrong_type", "message": "a whole number"},
    ]


def test_a_refusal_says_whether_the_role_or_the_municipality_is_the_reason(
    tmp_path: Path,
) -> None:
    with SERVICES["reporting"](tmp_path) as reporting:
        week = "2026-W47"
        own = reporting.client.get(f"/v1/handover/{IN}/{week}", headers=headers(Role.TOVHOLDER))
        assert own.status_code == 200, own.text
        other = reporting.client.get(f"/v1/handover/{OUT}/{week}", headers=headers(Role.TOVHOLDER))
        assert other.status_code == 403
        assert_shape(other.json(), "municipality_not_allowed")
        role = reporting.client.get(
            f"/v1/handover/{IN}/{week}", headers=headers(Role.POLICE_INTEGRATION)
        )
        assert role.status_code == 403
        assert_shape(role.json(), "role_not_allowed")


async def test_an_unexpected_exception_is_500_in_the_shape_without_its_text() -> None:
    api = FastAPI()
    install_error_handlers(api)

    @api.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret 120310-4123")

    transport = httpx.ASGITransport(app=api, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        response = await client.get("/boom")
    assert response.status_code == 500
    assert_shape(response.json(), "internal_error")
    assert "secret" not in response.text and "RuntimeError" not in response.text
