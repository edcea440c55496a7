"""The access matrix: every role, every endpoint of intake and reporting, a record in the
caller's reach (Fredericia, 607) and one out of it (Guldborgsund, 376).

The expectations are written out by hand in one table (not derived from the policy), and the
table must name every route the apps have: a new endpoint without a row fails here. Every cell
also checks that the request left exactly one audit entry."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute

from shared.auth import Role
from tests.support import example
from tests.unit.auth.support import (
    IN,
    JOURNAL_IN,
    JOURNAL_OUT,
    OUT,
    PK_IN,
    PK_OUT,
    WEEK,
    ServiceUnderTest,
    headers,
    intake_under_test,
    reporting_under_test,
)

OK = "ok"  # any 2xx
UNKNOWN_ROLE = "intern"
ROLES = [*(r.value for r in Role), UNKNOWN_ROLE]
HEALTH = {"/healthz", "/readyz"}


@dataclass(frozen=True)
class Endpoint:
    service: str
    method: str
    path: str
    """The route's template, as the app declares it."""
    fill: Callable[[ServiceUnderTest, bool], tuple[str, dict[str, Any]]]
    """(the app, in reach?) → the concrete path and extra request arguments."""
    allowed: dict[str, tuple[str | int, str | int]]
    """role → expected (in reach, out of reach); every role not named gets 403 for both."""


def _path(
    template: str, **values: str
) -> Callable[[ServiceUnderTest, bool], tuple[str, dict[str, Any]]]:
    def fill(served: ServiceUnderTest, in_reach: bool) -> tuple[str, dict[str, Any]]:
        concrete = {name: (v[0] if in_reach else v[1]) for name, v in values.items()}
        for name, value in concrete.items():
            concrete[name] = served.records.get(value, value)
        return template.format(**concrete), {}

    return fill


def _with_body(
    fill: Callable[[ServiceUnderTest, bool], tuple[str, dict[str, Any]]],
    body: bytes | dict[str, Any],
) -> Callable[[ServiceUnderTest, bool], tuple[str, dict[str, Any]]]:
    def with_body(served: ServiceUnderTest, in_reach: bool) -> tuple[str, dict[str, Any]]:
        path, _ = fill(served, in_reach)
        return path, {"json": body} if isinstance(body, dict) else {"content": body}

    return with_body


MUNICIPAL = ("tovholder", "team_leader", "caseworker")


def police_list(in_reach: bool) -> bytes:
    code = IN if in_reach else OUT
    return (
        "journal_number,reported_at,occurred_at,offence_code,location_municipality_code,cpr,"
        f"role,municipality_code\n3700-80777-00001-26,2026-11-16 08:00,2026-11-15 22:00,"
        f"tyveri,{code},120310-4123,sigtet,{code}\n"
    ).encode()


CORRECTED = json.dumps({**example("incident-valid.json"), "revision": 2}).encode()

MATRIX: list[Endpoint] = [
    # --- intake ----------------------------------------------------------------------------
    Endpoint(
        "intake",
        "POST",
        "/v1/incidents",
        _with_body(_path("/v1/incidents"), json.dumps(example("incident-valid.json")).encode()),
        {"police_integration": (OK, OK), "police_coordinator": (OK, OK)},
    ),
    Endpoint(
        "intake",
        "POST",
        "/v1/incidents/import",
        lambda _s, in_reach: ("/v1/incidents/import", {"content": police_list(in_reach)}),
        # A tovholder's list may hold other municipalities' incidents: those are refused in
        # the summary (tests/unit/intake/test_intake_import.py), the request succeeds.
        {"police_integration": (OK, OK), "police_coordinator": (OK, OK), "tovholder": (OK, OK)},
    ),
    Endpoint(
        "intake",
        "GET",
        "/v1/rejected/{reference}",
        _path("/v1/rejected/{reference}", reference=("rejected_in", "rejected_out")),
        {"police_coordinator": (OK, 404), "tovholder": (OK, 404)},
    ),
    Endpoint(
        "intake",
        "POST",
        "/v1/rejected/{reference}/resubmit",
        _with_body(
            _path("/v1/rejected/{reference}/resubmit", reference=("rejected_in", "rejected_out")),
            CORRECTED,
        ),
        {"police_coordinator": (OK, 404), "tovholder": (OK, 404)},
    ),
    Endpoint(
        "intake",
        "POST",
        "/v1/identities/{person_key}/resolve",
        _with_body(
            _path("/v1/identities/{person_key}/resolve", person_key=(PK_IN, PK_OUT)),
            {"purpose": "informing the parents"},
        ),
        {role: (OK, 404) for role in MUNICIPAL},
    ),
    # --- reporting -------------------------------------------------------------------------
    Endpoint(
        "reporting",
        "GET",
        "/v1/handover/{municipality_code}/{iso_week}",
        _path("/v1/handover/{m}/{w}", m=(IN, OUT), w=(WEEK, WEEK)),
        {
            **{role: (OK, 403) for role in MUNICIPAL},
            "school_representative": (OK, 403),
            "police_coordinator": (OK, 403),
        },
    ),
    Endpoint(
        "reporting",
        "GET",
        "/v1/statistics/{municipality_code}/{iso_week}",
        _path("/v1/statistics/{m}/{w}", m=(IN, OUT), w=(WEEK, WEEK)),
        {
            "management": (OK, 403),
            "tovholder": (OK, 403),
            "team_leader": (OK, 403),
            "police_coordinator": (OK, 403),
        },
    ),
    Endpoint(
        "reporting",
        "GET",
        "/v1/trace/{journal_number}",
        _path("/v1/trace/{j}", j=(JOURNAL_IN, JOURNAL_OUT)),
        {"operations": (OK, OK), **{role: (OK, 404) for role in MUNICIPAL}},
    ),
    Endpoint(
        "reporting",
        "POST",
        "/v1/admin/rebuild",
        _path("/v1/admin/rebuild"),
        {"operations": (OK, OK)},
    ),
]
# Each service's auditor endpoints (shared/auth) are part of its API.
for _service in ("intake", "reporting"):
    MATRIX += [
        Endpoint(
            _service,
            "GET",
            "/v1/audit",
            lambda _s, in_reach: (f"/v1/audit?person_key={PK_IN if in_reach else PK_OUT}", {}),
            {"auditor": (OK, OK)},
        ),
        Endpoint(
            _service,
            "GET",
            "/v1/audit/export/{person_key}",
            _path("/v1/audit/export/{pk}", pk=(PK_IN, PK_OUT)),
            {"auditor": (OK, OK)},
        ),
    ]


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ServiceUnderTest]]:
    with (
        intake_under_test(tmp_path_factory.mktemp("intake")) as intake,
        reporting_under_test(tmp_path_factory.mktemp("reporting")) as reporting,
    ):
        yield {"intake": intake, "reporting": reporting}


def _routes(served: ServiceUnderTest) -> set[tuple[str, str]]:
    """Every operation of the app: its OpenAPI document (which includes the routers it
    includes) and its own routes (in case one is left out of the document)."""
    documented = {
        (method.upper(), path)
        for path, operations in served.api.openapi()["paths"].items()
        for method in operations
    }
    direct = {
        (method, route.path)
        for route in served.api.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }
    return {(m, p) for m, p in documented | direct if p not in HEALTH}


@pytest.mark.parametrize("service", ["intake", "reporting"])
def test_the_matrix_names_every_route(services: dict[str, ServiceUnderTest], service: str) -> None:
    rows = {(e.method, e.path) for e in MATRIX if e.service == service}
    assert _routes(services[service]) == rows


def _cells() -> list[Any]:
    return list(_each_cell())


def _each_cell() -> Iterator[Any]:
    for endpoint in MATRIX:
        for role in ROLES:
            for in_reach in (True, False):
                expected = endpoint.allowed.get(role, (403, 403))[0 if in_reach else 1]
                yield pytest.param(
                    endpoint,
                    role,
                    in_reach,
                    expected,
                    id=f"{endpoint.service} {endpoint.method} {endpoint.path} "
                    f"{role} {'in' if in_reach else 'out'}",
                )


@pytest.mark.parametrize(("endpoint", "role", "in_reach", "expected"), _cells())
def test_cell(
    services: dict[str, ServiceUnderTest],
    endpoint: Endpoint,
    role: str,
    in_reach: bool,
    expected: str | int,
) -> None:
    served = services[endpoint.service]
    path, extra = endpoint.fill(served, in_reach)
    before = served.audit_count()
    response = served.client.request(endpoint.method, path, headers=headers(role), **extra)
    if expected == OK:
        assert 200 <= response.status_code < 300, response.text
    else:
        assert response.status_code == expected, response.text
        assert set(response.json()) == {"error", "message"}
    assert served.audit_count() == before + 1, "each request leaves exactly one audit entry"


def test_out_of_reach_and_unknown_are_indistinguishable(
    services: dict[str, ServiceUnderTest],
) -> None:
    intake, reporting = services["intake"], services["reporting"]
    pairs = [
        (intake, "POST", f"/v1/identities/{PK_OUT}/resolve", "/v1/identities/pk_"
         + "0" * 32 + "/resolve", {"json": {"purpose": "x"}}),
        (intake, "GET", f"/v1/rejected/{intake.records['rejected_out']}",
         "/v1/rejected/00000000-0000-0000-0000-000000000000", {}),
        (reporting, "GET", f"/v1/trace/{JOURNAL_OUT}", "/v1/trace/3700-00000-00000-26", {}),
    ]  # fmt: skip
    for served, method, out_of_reach, unknown, extra in pairs:
        a = served.client.request(method, out_of_reach, headers=headers("tovholder"), **extra)
        b = served.client.request(method, unknown, headers=headers("tovholder"), **extra)
        assert (a.status_code, a.content, dict(a.headers)) == (
            b.status_code,
            b.content,
            dict(b.headers),
        )
