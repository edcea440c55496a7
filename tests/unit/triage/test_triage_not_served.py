"""Neighbouring municipalities do not block local children (issue 14, part 1).

Seeds: 001 l.244 (Guldborgsund's Infohus: "politikredsens 7 kommuner") and 003 l.274 (Herning:
"de 11 kommuner i Politikredsen"): one police stream covers several municipalities. Persons
living in a served municipality are routed; the others are recorded `not_served` (a statement,
no decision, no letter task) and can be routed by `ssp reroute` once their municipality is
served."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from services.triage.adapters.publications import triage_publications
from services.triage.application.app import TriageApplication
from services.triage.application.service import MunicipalityNotServed, TriageService
from services.triage.bootstrap import build_service
from services.triage.entrypoints.http import create_http_app
from services.triage.settings import TriageSettings
from shared.auth import ServiceAuth
from shared.contracts import (
    TRIAGE_CASEWORKER,
    TRIAGE_STATEMENTS,
    TRIAGE_TOVHOLDER,
    TRIAGE_WITHDRAWALS,
)
from shared.eventstore import store_env
from shared.runtime import ServiceContext
from ssp_platform.cli import app as app_cli
from tests.support import bearer, outbox, serving
from tests.unit.triage.factories import DECIDED_AT, JOURNAL, incident, person

runner = CliRunner()
VEJLE = "630"  # a real municipality this deployment does not serve (in Sydøstjylland)
SINCE = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture
def app(settings: TriageSettings) -> Iterator[TriageApplication]:
    application = TriageApplication(env=store_env(settings, "triage"))
    yield application
    application.close()


def service_serving(settings: TriageSettings, app: TriageApplication, *codes: str) -> TriageService:
    served = settings.model_copy(update={"municipalities": codes})
    return build_service(served, app, clock=lambda: DECIDED_AT)


def published(app: TriageApplication) -> list[tuple[str, dict[str, Any]]]:
    return [(m.topic, json.loads(m.body())) for m in outbox(app, triage_publications)]


def neighbour(key: str, **overrides: Any) -> dict[str, Any]:
    return person(key, municipality_code=VEJLE, served=False, **overrides)


# (persons as intake marked them) -> (routed keys, not-served keys)
RULES = [
    pytest.param([person("pk_a")], ["pk_a"], [], id="a local child is routed"),
    pytest.param(
        [person("pk_a"), neighbour("pk_b")], ["pk_a"], ["pk_b"], id="mixed: local routed only"
    ),
    pytest.param([neighbour("pk_b")], [], ["pk_b"], id="only neighbours: nobody routed"),
    pytest.param(
        [neighbour("pk_b", age=30)], [], [], id="out of scope first: never a not-served record"
    ),
]


@pytest.mark.parametrize(("persons", "routed", "not_served"), RULES)
def test_served_persons_are_routed_and_the_others_recorded(
    settings: TriageSettings,
    app: TriageApplication,
    persons: list[dict[str, Any]],
    routed: list[str],
    not_served: list[str],
) -> None:
    service = service_serving(settings, app, "607")
    decisions = service.triage_incident(incident(persons=persons))
    assert [d.person_key for d in decisions] == routed
    sent = published(app)
    statements = [d for topic, d in sent if topic == TRIAGE_STATEMENTS]
    assert [(s["person_key"], s["statement"], s["decision_id"]) for s in statements] == [
        (key, "not_served", None) for key in not_served
    ]
    assert {s["municipality_code"] for s in statements} <= {VEJLE}
    assert not any(
        d["person_key"] in not_served
        for topic, d in sent
        if topic in (TRIAGE_CASEWORKER, TRIAGE_TOVHOLDER)
    )
    assert len(service.not_served(VEJLE)) == len(not_served)


def test_reroute_routes_earlier_not_served_persons_once_the_municipality_is_served(
    settings: TriageSettings, app: TriageApplication
) -> None:
    before = service_serving(settings, app, "607")
    before.triage_incident(incident(persons=[person("pk_a"), neighbour("pk_b")]))
    with pytest.raises(MunicipalityNotServed) as refused:
        before.reroute(VEJLE, SINCE)
    assert refused.value.problem == "municipality_not_served"
    with pytest.raises(MunicipalityNotServed) as unknown:
        before.reroute("999", SINCE)
    assert unknown.value.problem == "unknown_municipality"

    after = service_serving(settings, app, "607", VEJLE)  # SSP_MUNICIPALITIES gained 630
    # Nothing reported since the day after: nothing routed.
    assert after.reroute(VEJLE, datetime(2026, 11, 17, tzinfo=UTC)).routed == 0
    result = after.reroute(VEJLE, SINCE)
    assert (result.routed, result.skipped) == (1, 0)
    (decision,) = result.decisions
    assert (decision.person_key, decision.municipality_code, decision.revision) == (
        "pk_b",
        VEJLE,
        1,
    )
    assert decision.co_registered_person_keys == ["pk_a"]
    routed = [d for topic, d in published(app) if topic == TRIAGE_TOVHOLDER]
    assert [d["person_key"] for d in routed] == ["pk_a", "pk_b"]
    # Again: nobody is routed twice.
    assert after.reroute(VEJLE, SINCE).routed == 0
    assert [r.rerouted for r in after.not_served(VEJLE)] == [True]
    latest = after.latest_triage(JOURNAL)
    assert latest is not None and {d.person_key for d in latest.decisions} == {"pk_a", "pk_b"}


def test_a_later_revision_that_drops_the_person_is_not_rerouted(
    settings: TriageSettings, app: TriageApplication
) -> None:
    before = service_serving(settings, app, "607")
    before.triage_incident(incident(persons=[person("pk_a"), neighbour("pk_b")]))
    before.triage_incident(incident(revision=2, persons=[person("pk_a")]))
    after = service_serving(settings, app, "607", VEJLE)
    result = after.reroute(VEJLE, SINCE)
    assert (result.routed, result.skipped) == (0, 1)


def test_a_routed_person_who_moves_to_a_neighbour_is_withdrawn_as_not_served(
    settings: TriageSettings, app: TriageApplication
) -> None:
    service = service_serving(settings, app, "607")
    service.triage_incident(incident(persons=[person("pk_a")]))
    service.triage_incident(
        incident(revision=2, persons=[person("pk_a", municipality_code=VEJLE, served=False)])
    )
    withdrawn = [d for topic, d in published(app) if topic == TRIAGE_WITHDRAWALS]
    assert [w["reason"] for w in withdrawn] == ["person_not_served"]


def test_reroute_within_a_day_of_the_incident(
    settings: TriageSettings, app: TriageApplication
) -> None:
    before = service_serving(settings, app, "607")
    before.triage_incident(incident(persons=[neighbour("pk_b")]))
    after = service_serving(settings, app, "607", VEJLE)
    reported = datetime.fromisoformat("2026-11-16T08:12:00+01:00")
    assert after.reroute(VEJLE, reported + timedelta(seconds=1)).routed == 0
    assert after.reroute(VEJLE, reported).routed == 1


# --- operations: the HTTP endpoints and `ssp reroute` ------------------------------------------
@contextmanager
def serving_http(settings: TriageSettings, service: TriageService) -> Iterator[str]:
    """Triage's real HTTP app on an ephemeral loopback port, for the `ssp` command to call."""
    executor = ThreadPoolExecutor(max_workers=1)
    ctx = ServiceContext("triage", settings, service.app, executor)
    auth = ServiceAuth(settings, "triage")
    api = create_http_app(ctx, service, auth.access_control(ctx))
    try:
        with serving(api) as url:
            yield url
    finally:
        executor.shutdown()
        auth.close()


def test_ssp_reroute_routes_them_through_triages_api(
    settings: TriageSettings, app: TriageApplication
) -> None:
    service_serving(settings, app, "607").triage_incident(
        incident(persons=[person("pk_a"), neighbour("pk_b")])
    )
    env = {"SSP_DATA_DIR": str(settings.data_dir)}
    not_yet = service_serving(settings, app, "607")
    with serving_http(settings, not_yet) as url:
        refused = runner.invoke(
            app_cli,
            ["reroute", "-m", VEJLE, "--since", "2026-11-01"],
            env={**env, "SSP_TRIAGE_URL": url},
        )
        operations = bearer(settings, "operations")
        listed = httpx.get(f"{url}/v1/not-served/{VEJLE}", headers=operations).json()
        tovholder = httpx.get(f"{url}/v1/not-served/{VEJLE}", headers=bearer(settings, "tovholder"))
    assert refused.exit_code == 1 and "SSP_MUNICIPALITIES" in refused.output
    assert listed["served"] is False
    assert [(p["journal_number"], p["rerouted"]) for p in listed["persons"]] == [(JOURNAL, False)]
    assert "pk_" not in json.dumps(listed)  # operations never see person keys
    assert tovholder.status_code == 403

    served_now = service_serving(settings, app, "607", VEJLE)
    with serving_http(settings, served_now) as url:
        first = runner.invoke(
            app_cli,
            ["reroute", "-m", VEJLE, "--since", "2026-11-01"],
            env={**env, "SSP_TRIAGE_URL": url},
        )
        again = runner.invoke(
            app_cli,
            ["reroute", "-m", VEJLE, "--since", "2026-11-01"],
            env={**env, "SSP_TRIAGE_URL": url},
        )
    assert first.exit_code == 0, first.output
    assert "1 person(s) routed" in first.output
    assert "0 person(s) routed" in again.output
    assert [d["person_key"] for t, d in published(app) if t == TRIAGE_TOVHOLDER] == ["pk_a", "pk_b"]
