"""Property: whatever the data and whoever asks, no reporting query returns a record outside
the caller's municipalities, nor (for a school representative) outside their schools."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.reporting.application.queries import ReportingQueries
from services.reporting.application.service import ReportingService
from services.reporting.bootstrap import build_application, build_read_side
from services.reporting.domain import observations
from services.reporting.domain.weeks import IsoWeek
from services.reporting.settings import ReportingSettings
from shared.auth import Principal, Role
from shared.contracts import AcceptedIncident, RoutingDecision
from shared.eventstore import UnitOfWork
from tests.unit.reporting.documents import accepted_incident, person, routing_decision

MUNICIPALITIES = ["607", "376", "657"]
SCHOOLS = ["Kirstinebjergskolen", "Ullerup Bæk Skolen", "Bøgeskovskolen"]
WEEK = "2026-W47"
PERSON_KEYS = [f"pk_{i:032x}" for i in range(6)]

principals = st.builds(
    Principal,
    subject=st.just("someone"),
    role=st.sampled_from([r.value for r in Role]),
    municipalities=st.frozensets(st.sampled_from(MUNICIPALITIES)),
    schools=st.frozensets(st.sampled_from(SCHOOLS)),
    scopes=st.just(frozenset()),
)
persons = st.tuples(
    st.sampled_from(PERSON_KEYS),
    st.sampled_from(MUNICIPALITIES),
    st.integers(min_value=10, max_value=30),
    st.sampled_from(["tovholder", "caseworker", None]),
)
incidents = st.lists(
    st.lists(persons, min_size=1, max_size=3, unique_by=lambda p: p[0]), min_size=1, max_size=4
)


def _journal(i: int) -> str:
    return f"3700-80123-{i:05d}-26"


def _build(data: list[list[tuple[str, str, int, str | None]]]) -> ReportingQueries:
    settings = ReportingSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR="/nonexistent")
    app = build_application(settings)
    service = ReportingService(app)
    uow = UnitOfWork(app)
    for i, people in enumerate(data):
        journal = _journal(i)
        document = accepted_incident(
            [person(key, age, code) for key, code, age, _ in people], journal_number=journal
        )
        service.observe(
            uow,
            observations.incident_accepted(AcceptedIncident.model_validate(document)),
            service="intake",
            trace_id=None,
        )
        for key, code, age, route in people:
            if route is None or age > 25:
                continue
            decision = routing_decision(
                key, route, decided_at="2026-11-16T09:00:00+01:00", age=age, journal_number=journal
            )
            service.observe(
                uow,
                observations.routed(
                    RoutingDecision.model_validate({**decision, "municipality_code": code})
                ),
                service="triage",
                trace_id=None,
            )
    uow.commit()
    projection, queries = build_read_side(settings, app)
    projection.catch_up()
    return queries


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=incidents, principal=principals)
def test_no_query_returns_a_record_outside_the_callers_municipality(
    data: list[list[tuple[str, str, int, str | None]]], principal: Principal
) -> None:
    queries = _build(data)
    residence = {
        (_journal(i), key): code for i, people in enumerate(data) for key, code, _, _ in people
    }
    for municipality in MUNICIPALITIES:
        listed = queries.handover_for(principal, municipality, IsoWeek.parse(WEEK))
        for entry in listed.persons:
            assert municipality in principal.municipalities
            assert residence[(entry.journal_number, entry.person_key)] == municipality
            if principal.role == Role.SCHOOL_REPRESENTATIVE:
                # every generated person attends the documents' default school
                assert "Kirstinebjergskolen" in principal.schools
            if principal.role == Role.POLICE_COORDINATOR:
                assert entry.owner_role is None and entry.letter_task_status is None
                assert entry.exit_referral is None and entry.earlier_reports is None
    for i in range(len(data)):
        answer = queries.trace_for(principal, _journal(i))
        if answer.found is None:
            continue
        journal_codes = {residence[k] for k in residence if k[0] == _journal(i)}
        if principal.role == Role.AUDITOR:  # platform reach, to audit what happened
            continue
        if principal.role != Role.OPERATIONS:
            assert journal_codes & principal.municipalities
        for step in answer.found.steps:
            if step.person_key is not None:
                assert principal.role != Role.OPERATIONS
                assert residence[(_journal(i), step.person_key)] in principal.municipalities


rows = st.lists(
    st.fixed_dictionaries(
        {
            "person_key": st.sampled_from(PERSON_KEYS),
            "school": st.one_of(st.none(), st.sampled_from(SCHOOLS)),
            "in_scope": st.booleans(),
            "route": st.sampled_from(["tovholder", "caseworker", None]),
        }
    ),
    max_size=8,
)


class _Rows:
    """A read model with several schools."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows

    def persons_registered(self, municipality_code: str, iso_week: str) -> list[dict[str, Any]]:
        return [
            {
                "journal_number": _journal(i),
                "incident_revision": 1,
                "reported_at": "2026-11-16T08:12:00+01:00",
                "offence_code": "vold",
                "role": "sigtet",
                "age_at_incident": 15,
                "decision_revision": 1 if row["route"] else None,
                "workflow": "minor" if row["route"] else None,
                "severity": "high" if row["route"] else None,
                "reasons": ["active_case"] if row["route"] == "caseworker" else [],
                **row,
            }
            for i, row in enumerate(self.rows)
        ]

    def latest_tasks(self, journal_numbers: Any) -> dict[Any, Any]:
        return {}

    def clock_facts(self, *_: Any) -> list[dict[str, Any]]:
        return []


@settings(max_examples=200, deadline=None)
@given(data=rows, principal=principals)
def test_a_school_representative_never_sees_another_schools_pupil(
    data: list[dict[str, Any]], principal: Principal
) -> None:
    queries = ReportingQueries(_Rows(data))  # type: ignore[arg-type]
    listed = queries.handover_for(principal, "607", IsoWeek.parse(WEEK))
    schools = {(_journal(i), row["person_key"]): row["school"] for i, row in enumerate(data)}
    if "607" not in principal.municipalities:
        assert listed.persons == []
    for entry in listed.persons:
        if principal.role == Role.SCHOOL_REPRESENTATIVE:
            assert schools[(entry.journal_number, entry.person_key)] in principal.schools
            assert entry.route in (None, "out_of_scope") and entry.reasons in (
                [],
                ["age_out_of_scope"],
            )
