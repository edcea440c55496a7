"""Each service's OpenAPI is true to its behaviour: schemathesis generates requests from the
document (valid ones, and ones that break it), sends them with a valid token of a role the
route admits, and checks that every status answered is documented, every body matches its
documented schema and nothing is a server error.

Bounded and deterministic (derandomized, `EXAMPLES` per operation and mode), so it runs in
seconds per service on two cores."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shared.auth import POLICY, Role
from shared.errors import api_routes, guarded_action
from tests.unit.auth.support import (
    IN,
    PURPOSE,
    ServiceUnderTest,
    courses_under_test,
    intake_under_test,
    mint,
    notifications_under_test,
    reporting_under_test,
    triage_under_test,
)

EXAMPLES = 6
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
]
SERVICES: dict[str, Callable[[Path], AbstractContextManager[ServiceUnderTest]]] = {
    "intake": intake_under_test,
    "triage": triage_under_test,
    "notifications": notifications_under_test,
    "reporting": reporting_under_test,
    "courses": courses_under_test,
}


def role_for(action: Any) -> str:
    """A role the policy grants `action` (municipal staff first: their records are seeded)."""
    grants = POLICY.get(action, {})
    for reach in ("municipality", "school", "platform"):
        for role, grant in grants.items():
            if grant.reach == reach:
                return role
    return Role.OPERATIONS


def _headers_by_operation(served: ServiceUnderTest) -> dict[tuple[str, str], dict[str, str]]:
    headers: dict[tuple[str, str], dict[str, str]] = {}
    for route in api_routes(served.api):
        action = guarded_action(route)
        role = role_for(action) if action is not None else Role.OPERATIONS
        token = {"Authorization": f"Bearer {mint(role, municipalities=[IN])}", **PURPOSE}
        for method in route.methods:
            headers[(method.upper(), route.path_format)] = token
    return headers


def conformance_failures(served: ServiceUnderTest) -> tuple[int, list[str]]:
    """(requests sent, one line per failing request)."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", served.api)
    headers = _headers_by_operation(served)
    sent = 0
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        token = headers.get((operation.method.upper(), operation.path), {})
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            sent += _exercise(operation, mode, token, failures)
    return sent, failures


def _exercise(
    operation: Any, mode: GenerationMode, token: dict[str, str], failures: list[str]
) -> int:
    """Send up to `EXAMPLES` generated requests to one operation; returns how many."""
    sent = 0
    name = f"{operation.method.upper()} {operation.path} ({mode})"

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def send(case: Any) -> None:
        nonlocal sent
        sent += 1
        try:
            case.call_and_validate(headers=token, checks=CHECKS)
        except BaseException as failure:  # schemathesis' FailureGroup, or a crash
            if isinstance(failure, KeyboardInterrupt):
                raise
            failures.append(f"{name}: " + " ".join(str(failure).split())[:600])

    try:
        send()
    except Unsatisfiable:  # nothing of this operation can be made invalid
        assert mode == GenerationMode.NEGATIVE
    return sent


@pytest.fixture(params=sorted(SERVICES))
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServiceUnderTest]:
    with SERVICES[request.param](tmp_path) as service:
        yield service


def test_every_answer_is_documented_and_no_server_error(served: ServiceUnderTest) -> None:
    sent, failures = conformance_failures(served)
    assert sent > 0
    assert failures == [], f"{len(failures)} of {sent} requests failed:\n" + "\n".join(
        sorted(set(failures))
    )
