"""Who appears together (issue 4, part 3): the persons registered in the same police reports
as a person, most frequent first, within the caller's municipalities only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.reporting.application.queries import ReportingQueries
from services.reporting.application.service import ReportingService
from services.reporting.bootstrap import build_application, build_read_side
from services.reporting.domain import observations
from services.reporting.entrypoints.http import create_http_app
from services.reporting.settings import ReportingSettings
from shared.auth import Principal, Role, ServiceAuth
from shared.contracts import AcceptedIncident
from shared.eventstore import UnitOfWork
from shared.runtime import ServiceContext
from tests.unit.auth.support import auth_env, headers
from tests.unit.reporting.documents import FREDERICIA, accepted_incident, person

GULDBORGSUND = "376"
A, B, C, D, E = (f"pk_{c * 32}" for c in "abcde")


def journal(i: int) -> str:
    return f"3700-80123-{i:05d}-26"


def reported(day: int) -> str:
    return f"2026-11-{day:02d}T08:00:00+01:00"


def incident(i: int, day: int, persons: list[tuple[str, str]], revision: int = 1) -> dict[str, Any]:
    return accepted_incident(
        [person(key, 15, code, role="sigtet" if n == 0 else "antruffet") for n, (key, code) in
         enumerate(persons)],
        journal_number=journal(i),
        reported_at=reported(day),
        revision=revision,
    )  # fmt: skip


# A with B three times, with C once (more recently), with D (Guldborgsund) once; E alone.
# Incident 5 named C with A at first; its revision 2 removed C.
INCIDENTS = [
    incident(1, 2, [(A, FREDERICIA), (B, FREDERICIA)]),
    incident(2, 9, [(B, FREDERICIA), (A, FREDERICIA), (C, FREDERICIA)]),
    incident(3, 16, [(A, FREDERICIA), (B, FREDERICIA), (D, GULDBORGSUND)]),
    incident(4, 17, [(E, FREDERICIA)]),
    incident(5, 18, [(A, FREDERICIA), (C, FREDERICIA)]),
    incident(5, 18, [(A, FREDERICIA)], revision=2),
    incident(6, 19, [(D, GULDBORGSUND), (C, FREDERICIA)]),
]


def observe_all(
    reporting_settings: ReportingSettings, documents: list[dict[str, Any]]
) -> tuple[Any, ReportingQueries]:
    app = build_application(reporting_settings)
    service = ReportingService(app)
    uow = UnitOfWork(app)
    for document in documents:
        service.observe(
            uow,
            observations.incident_accepted(AcceptedIncident.model_validate(document)),
            service="intake",
            trace_id=None,
        )
    uow.commit()
    projection, queries = build_read_side(reporting_settings, app)
    projection.catch_up()
    return app, queries


def who(role: str, *municipalities: str) -> Principal:
    return Principal(
        subject="someone",
        role=role,
        municipalities=frozenset(municipalities),
        schools=frozenset(),
        scopes=frozenset(),
    )


@pytest.fixture
def reporting_settings(tmp_path: Path) -> ReportingSettings:
    return ReportingSettings(**auth_env(tmp_path))


def test_most_frequent_first_with_journal_numbers_and_dates(
    reporting_settings: ReportingSettings,
) -> None:
    _, queries = observe_all(reporting_settings, INCIDENTS)
    answer = queries.co_registered_for(who(Role.TOVHOLDER, FREDERICIA), A)
    assert answer.known and answer.found is not None
    found = answer.found.model_dump()
    assert (found["person_key"], found["incidents"]) == (A, 4)
    # D lives in Guldborgsund: not named to a Fredericia caller. C was removed from incident 5.
    assert [(p["person_key"], p["incidents"], p["last_reported_at"]) for p in found["persons"]] == [
        (B, 3, reported(16)),
        (C, 1, reported(9)),
    ]
    assert found["persons"][0]["together"] == [
        {"journal_number": journal(3), "reported_at": reported(16), "role": "antruffet"},
        {"journal_number": journal(2), "reported_at": reported(9), "role": "sigtet"},
        {"journal_number": journal(1), "reported_at": reported(2), "role": "antruffet"},
    ]


def test_ties_go_to_the_most_recent(reporting_settings: ReportingSettings) -> None:
    _, queries = observe_all(reporting_settings, INCIDENTS)
    answer = queries.co_registered_for(who(Role.CASEWORKER, FREDERICIA, GULDBORGSUND), A)
    assert answer.found is not None
    assert [(p.person_key, p.incidents) for p in answer.found.persons] == [
        (B, 3),
        (D, 1),  # 16 November
        (C, 1),  # 9 November
    ]


def test_a_person_alone_or_out_of_reach(reporting_settings: ReportingSettings) -> None:
    _, queries = observe_all(reporting_settings, INCIDENTS)
    alone = queries.co_registered_for(who(Role.TEAM_LEADER, FREDERICIA), E)
    assert alone.found is not None
    assert (alone.found.incidents, alone.found.persons) == (1, [])

    # D lives in Guldborgsund: known, but not to Fredericia.
    elsewhere = queries.co_registered_for(who(Role.TOVHOLDER, FREDERICIA), D)
    assert elsewhere.known and elsewhere.found is None
    assert elsewhere.decision.reason == "outside_municipality"
    unknown = queries.co_registered_for(who(Role.TOVHOLDER, FREDERICIA), "pk_" + "0" * 32)
    assert not unknown.known

    for role in (Role.POLICE_COORDINATOR, Role.SCHOOL_REPRESENTATIVE, Role.MANAGEMENT):
        refused = queries.co_registered_for(who(role, FREDERICIA), A)
        assert refused.found is None and refused.decision.reason == "role_not_permitted"


def test_a_rebuild_gives_the_same_groups(reporting_settings: ReportingSettings) -> None:
    app, queries = observe_all(reporting_settings, INCIDENTS)
    before = queries.co_registered_for(who(Role.TOVHOLDER, FREDERICIA), A)
    projection, rebuilt = build_read_side(reporting_settings, app)
    assert projection.rebuild() == len(INCIDENTS)  # one event per step, nothing else
    assert rebuilt.co_registered_for(who(Role.TOVHOLDER, FREDERICIA), A) == before


# --- HTTP -----------------------------------------------------------------------------------
@pytest.fixture
async def served(
    reporting_settings: ReportingSettings,
) -> AsyncIterator[tuple[httpx.AsyncClient, ServiceAuth]]:
    app, queries = observe_all(reporting_settings, INCIDENTS)
    projection, _ = build_read_side(reporting_settings, app)
    executor = ThreadPoolExecutor(max_workers=1)
    ctx = ServiceContext("reporting", reporting_settings, app, executor)
    auth = ServiceAuth(reporting_settings, "reporting")
    api = create_http_app(ctx, queries, projection, auth.access_control(ctx))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=api), base_url="http://reporting"
    ) as http:
        yield http, auth
    auth.close()
    executor.shutdown()


async def test_the_endpoint_answers_scoped_and_audited(
    served: tuple[httpx.AsyncClient, ServiceAuth],
) -> None:
    http, auth = served
    tovholder = headers("tovholder", municipalities=[FREDERICIA], subject="ssp-1")
    answer = await http.get(f"/v1/persons/{A}/co-registered", headers=tovholder)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [p["person_key"] for p in body["persons"]] == [B, C]
    assert D not in answer.text

    [entry] = auth.audit.search(subject="ssp-1")
    assert (entry.result, entry.action) == ("allowed", "co_registrations.read")
    assert set(entry.person_keys) == {A, B, C}
    assert entry.purpose == "handover meeting week 47"

    # Out of reach looks like unknown; no purpose is 400; the police may not ask at all.
    assert (await http.get(f"/v1/persons/{D}/co-registered", headers=tovholder)).status_code == (
        404
    )
    unknown = await http.get(f"/v1/persons/pk_{'0' * 32}/co-registered", headers=tovholder)
    assert unknown.status_code == 404
    no_purpose = headers("tovholder", municipalities=[FREDERICIA], purpose=False)
    assert (await http.get(f"/v1/persons/{A}/co-registered", headers=no_purpose)).status_code == (
        400
    )
    police = headers("police_coordinator", municipalities=[FREDERICIA])
    assert (await http.get(f"/v1/persons/{A}/co-registered", headers=police)).status_code == 403


# --- property -------------------------------------------------------------------------------
MUNICIPALITIES = ["607", "376", "657"]
KEYS = [f"pk_{i:032x}" for i in range(5)]
principals = st.builds(
    Principal,
    subject=st.just("someone"),
    role=st.sampled_from([r.value for r in Role]),
    municipalities=st.frozensets(st.sampled_from(MUNICIPALITIES)),
    schools=st.just(frozenset({"Kirstinebjergskolen"})),
    scopes=st.just(frozenset()),
)
incidents = st.lists(
    st.lists(
        st.tuples(st.sampled_from(KEYS), st.sampled_from(MUNICIPALITIES)),
        min_size=1,
        max_size=4,
        unique_by=lambda p: p[0],
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=incidents, principal=principals)
def test_no_one_outside_the_callers_municipalities_is_ever_named(
    data: list[list[tuple[str, str]]], principal: Principal
) -> None:
    reporting_settings = ReportingSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR="/nonexistent")
    documents = [incident(i, 16, people) for i, people in enumerate(data)]
    _, queries = observe_all(reporting_settings, documents)
    residence = {(journal(i), key): code for i, people in enumerate(data) for key, code in people}
    for key in KEYS:
        answer = queries.co_registered_for(principal, key)
        if answer.found is None:
            continue
        assert principal.role in (Role.TOVHOLDER, Role.TEAM_LEADER, Role.CASEWORKER)
        assert any(
            residence.get((journal(i), key)) in principal.municipalities for i in range(len(data))
        )
        for other in answer.found.persons:
            assert other.person_key != key
            for together in other.together:
                # both live in the caller's municipalities in that incident
                assert residence[(together.journal_number, key)] in principal.municipalities
                assert (
                    residence[(together.journal_number, other.person_key)]
                    in principal.municipalities
                )
            assert other.incidents == len(other.together)


def test_on_both_stores(store_url: str | None, tmp_path: Path) -> None:
    """The self-join, the new columns and the referrals table on SQLite and PostgreSQL."""
    on_store = ReportingSettings(SSP_DATABASE_URL=store_url, SSP_DATA_DIR=str(tmp_path))
    app, queries = observe_all(on_store, INCIDENTS)
    try:
        answer = queries.co_registered_for(who(Role.TOVHOLDER, FREDERICIA), A)
        assert answer.found is not None
        assert [(p.person_key, p.incidents) for p in answer.found.persons] == [
            (B, 3),
            (C, 1),
        ]
    finally:
        queries.reader.engine.dispose()
        app.close()
