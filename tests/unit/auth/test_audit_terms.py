"""Audit entries of refused, failed or unauthenticated requests never hold the raw path or
query text (a CPR number typed into a URL would become an undeletable row): they hold the route
template and a keyed hash. Unauthenticated refusals are rate limited per client address, in
bounded memory (issue 12, part 5)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import httpx
import pytest

from services.intake.bootstrap import definition
from services.intake.settings import IntakeSettings
from shared.auth import AuditLog
from shared.auth.access import Access
from shared.auth.audit import keyed_hash
from shared.auth.ratelimit import ClientLimiter
from shared.runtime import ServiceContext
from tests.unit.auth.support import auth_env, headers

CPR = "120310-4123"
TERM_KEY = "audit-term-key-" + "t" * 32
PER_MINUTE = 5


@pytest.fixture
async def intake(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, AuditLog]]:
    settings = IntakeSettings(
        **auth_env(
            tmp_path,
            SSP_AUDIT_TERM_KEY=TERM_KEY,
            SSP_AUTH_UNAUTHENTICATED_PER_MINUTE=str(PER_MINUTE),
        )
    )
    d = definition(settings)
    executor = ThreadPoolExecutor(max_workers=1)
    app = executor.submit(d.app_factory).result()
    api = d.http_factory(ServiceContext("intake", settings, app, executor))
    transport = httpx.ASGITransport(app=api, client=("192.0.2.7", 4711))
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as client:
        yield client, api.state.access_control.audit
    for release in d.on_stop:
        release()
    executor.shutdown()


def _terms(audit: AuditLog) -> list[str | None]:
    return [entry.term for entry in audit.search(limit=1000)]


@pytest.mark.parametrize(
    ("who", "reason"),
    [
        (None, "token_missing"),
        ({"Authorization": "Bearer not-a-token"}, "malformed_token"),
        (headers("caseworker"), "role_not_permitted"),  # may not read rejected input
        (headers("tovholder", purpose=False), "purpose_missing"),
        (headers("tovholder"), "not_found"),  # allowed to ask; nothing there
    ],
)
async def test_a_cpr_number_in_a_refused_path_or_query_is_not_stored(
    intake: tuple[httpx.AsyncClient, AuditLog], who: dict[str, str] | None, reason: str
) -> None:
    client, audit = intake
    sent = f"/v1/rejected/{CPR}"
    answer = await client.get(sent, params={"note": CPR}, headers=who or {})
    assert answer.status_code in (400, 401, 403, 404)
    [entry] = audit.search(limit=10)
    assert entry.reason == reason
    assert "120310" not in str(entry.as_json()) and "4123" not in str(entry.as_json())
    digest = keyed_hash(TERM_KEY.encode(), f"{sent}?note={CPR}")
    assert entry.term == f"/v1/rejected/{{reference}} #{digest}"


async def test_a_cpr_number_in_a_stated_purpose_is_masked(
    intake: tuple[httpx.AsyncClient, AuditLog],
) -> None:
    client, audit = intake
    who = {**headers("tovholder"), "X-Purpose": f"follow-up on {CPR}"}
    await client.get("/v1/rejected/6f1c1b7e-2a0d-4c55-8f0e-7d8a9b0c1d2e", headers=who)
    [entry] = audit.search(limit=10)
    assert entry.purpose == "follow-up on [cpr]"


async def test_a_permitted_request_keeps_what_it_read(
    intake: tuple[httpx.AsyncClient, AuditLog],
) -> None:
    client, audit = intake
    police = headers("police_integration", purpose=False)
    answer = await client.post("/v1/incidents", content=b"{}", headers=police)
    reference = answer.json()["reference"]
    await client.get(f"/v1/rejected/{reference}", headers=headers("police_coordinator"))
    assert _terms(audit)[-1] == reference


@pytest.mark.parametrize(
    "read",
    [
        "c74777ba-4575-4e5a-9d1c-3902470289da",  # a reference: ten digits in a row by chance
        "pk_65ea3826a64ebab4a1203104123fbcde",  # a person key, the same
        "3700-80123-00456-26/pk_abcdefabcdefabcde1203104123fabcd",
    ],
)
def test_ids_the_platform_made_are_kept_though_ten_of_their_digits_are_in_a_row(
    read: str,
) -> None:
    access = Access(cast(Any, None), cast(Any, None), cast(Any, None), None, path_term=read)
    assert access._audited_term("allowed", "permitted") == read


def test_a_cpr_number_next_to_an_id_is_not_kept() -> None:
    read = f"c74777ba-4575-4e5a-9d1c-3902470289da/{CPR}"
    access = Access(
        cast(Any, None), cast(Any, None), cast(Any, None), None, path_term=read, refused_term="x"
    )
    assert access._audited_term("allowed", "permitted") == "x"


async def test_unauthenticated_refusals_are_rate_limited_and_audited_once_past_the_limit(
    intake: tuple[httpx.AsyncClient, AuditLog],
) -> None:
    client, audit = intake
    statuses = [(await client.get("/v1/rejected/x")).status_code for _ in range(PER_MINUTE + 20)]
    assert statuses[:PER_MINUTE] == [401] * PER_MINUTE
    assert set(statuses[PER_MINUTE:]) == {429}
    reasons = [e.reason for e in audit.search(limit=1000)]
    assert reasons == ["token_missing"] * PER_MINUTE + ["unauthenticated_rate_limited"]
    # Another address is not held back by this one.
    other = httpx.ASGITransport(app=client._transport.app, client=("192.0.2.8", 1))  # type: ignore[attr-defined]
    async with httpx.AsyncClient(transport=other, base_url="http://intake") as second:
        assert (await second.get("/v1/rejected/x")).status_code == 401


def test_the_client_limiter_forgets_old_addresses_and_a_new_minute_starts_afresh() -> None:
    limiter = ClientLimiter(2, max_clients=3)
    now = datetime(2026, 12, 5, 12, 0, 1, tzinfo=UTC)
    for i in range(1000):
        limiter.attempt(f"10.0.{i // 256}.{i % 256}", now)
    assert len(limiter) == 3  # bounded memory
    assert [limiter.attempt("a", now) for _ in range(3)] == [1, 2, 3]
    assert limiter.attempt("a", now + timedelta(minutes=1)) == 1
