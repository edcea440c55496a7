"""Routing invariants, property-based: any sequence of incident revisions (repeated, out of
order, persons added and removed) and case events, through the service and its store.

- exactly one current decision per person and incident;
- adult iff 18 or older;
- caseworker route iff an active case at decision time;
- the history count equals the number of distinct earlier incidents.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.triage.application.app import TriageApplication
from services.triage.application.service import TriageService
from services.triage.bootstrap import build_service
from services.triage.domain.routing import PersonFacts, route_person
from services.triage.settings import TriageSettings
from shared.contracts import PseudonymousPerson
from shared.contracts.incidents import OFFENCE_CODES
from shared.eventstore import store_env
from tests.unit.triage.factories import (
    DECIDED_AT,
    PROFILES,
    case_event,
    incident,
    journal,
    person,
)

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
KEYS = ["pk_0", "pk_1", "pk_2", "pk_3"]
MUNICIPALITIES = ["607", "376", "657", "161", "575", "999"]


@dataclass(frozen=True)
class IncidentStep:
    journal: int
    revision: int
    keys: tuple[str, ...]
    day: int
    offence: str


@dataclass(frozen=True)
class CaseStep:
    key: str
    opened: bool


incident_steps = st.builds(
    IncidentStep,
    journal=st.integers(1, 4),
    revision=st.integers(1, 3),
    keys=st.lists(st.sampled_from(KEYS), min_size=1, max_size=4).map(tuple),
    day=st.integers(0, 400),
    offence=st.sampled_from(OFFENCE_CODES),
)
case_steps = st.builds(CaseStep, key=st.sampled_from(KEYS), opened=st.booleans())
steps = st.lists(st.one_of(incident_steps, case_steps), min_size=1, max_size=25)
people = st.fixed_dictionaries(
    {key: st.tuples(st.integers(10, 28), st.sampled_from(MUNICIPALITIES)) for key in KEYS}
)


class Oracle:
    """What the rules say, kept independently of the service."""

    def __init__(self) -> None:
        self.open_case: dict[str, bool] = {}
        self.revision: dict[int, int] = {}
        self.routed: dict[int, set[str]] = {}  # persons of each incident's current revision
        self.reports: dict[str, dict[int, datetime]] = {}  # person → incident → occurred_at

    def earlier_incidents(self, key: str, journal_no: int, occurred_at: datetime) -> int:
        return sum(
            1
            for other, at in self.reports.get(key, {}).items()
            if other != journal_no and at < occurred_at
        )


def new_service(tmp: str) -> tuple[TriageApplication, TriageService]:
    config = TriageSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=tmp)
    app = TriageApplication(env=store_env(config, "triage"))
    return app, build_service(config, app, clock=lambda: DECIDED_AT, profiles=PROFILES)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(script=steps, who=people)
def test_routing_invariants_hold_for_any_sequence(
    script: list[IncidentStep | CaseStep], who: dict[str, tuple[int, str]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app, service = new_service(tmp)
        oracle = Oracle()
        for moment, step in enumerate(script):
            at = (T0 + timedelta(minutes=moment)).isoformat()
            if isinstance(step, CaseStep):
                event = "case_opened" if step.opened else "case_closed"
                service.register_case_event(case_event(event, key=step.key, at=at))
                oracle.open_case[step.key] = step.opened
                continue
            occurred_at = T0 + timedelta(days=step.day)
            decisions = service.triage_incident(
                incident(
                    journal_number=journal(step.journal),
                    revision=step.revision,
                    occurred_at=occurred_at.isoformat(),
                    reported_at=(occurred_at + timedelta(hours=1)).isoformat(),
                    offence_code=step.offence,
                    persons=[
                        person(key, who[key][0], municipality_code=who[key][1]) for key in step.keys
                    ],
                )
            )
            if step.revision <= oracle.revision.get(step.journal, 0):
                assert decisions == []  # not newer: nothing decided again
                continue
            oracle.revision[step.journal] = step.revision
            in_scope = {key for key in step.keys if who[key][0] <= 25}
            assert sorted(d.person_key for d in decisions) == sorted(in_scope)
            for d in decisions:
                assert (d.workflow == "adult") is (d.age_at_incident >= 18)
                assert (d.route == "caseworker") is oracle.open_case.get(d.person_key, False)
                assert d.history is not None
                assert d.history.earlier_reports == oracle.earlier_incidents(
                    d.person_key, step.journal, occurred_at
                )
            for key in oracle.routed.get(step.journal, set()) - in_scope:
                oracle.reports.get(key, {}).pop(step.journal, None)
            for key in in_scope:
                oracle.reports.setdefault(key, {})[step.journal] = occurred_at
            oracle.routed[step.journal] = in_scope

        # exactly one current decision per person and incident, and one stored per revision
        for journal_no, keys in oracle.routed.items():
            latest = service.latest_triage(journal(journal_no))
            assert latest is not None
            assert sorted(d.person_key for d in latest.decisions) == sorted(keys)
        stored = Counter(
            (d["journal_number"], d["revision"], d["person_key"]) for d in routed_decisions(app)
        )
        assert set(stored.values()) <= {1}
        app.close()


def routed_decisions(app: TriageApplication) -> list[dict[str, object]]:
    found = []
    for notification in app.recorder.select_notifications(start=None, limit=10_000):
        event = app.mapper.to_domain_event(notification)
        decision = getattr(event, "decision", None)
        if isinstance(decision, dict):
            found.append(decision)
    return found


@settings(max_examples=200, deadline=None)
@given(
    age=st.integers(0, 25),
    municipality=st.sampled_from(MUNICIPALITIES),
    has_case=st.booleans(),
    offence=st.sampled_from(OFFENCE_CODES),
    flags=st.lists(st.sampled_from(["bande", "ekstremisme", "vaaben", "rusmidler", "gentagelse"])),
)
def test_every_profile_keeps_the_contract_route_and_workflow(
    age: int, municipality: str, has_case: bool, offence: str, flags: list[str]
) -> None:
    from services.triage.domain.routing import ActiveCase

    subject = PseudonymousPerson.model_validate(person("pk_a", age, municipality_code=municipality))
    facts = PersonFacts(active_case=ActiveCase("C", municipality) if has_case else None)
    source = incident(offence_code=offence, flags=flags)
    chosen = PROFILES.for_municipality(municipality)
    decision = route_person(subject, source, facts, chosen, DECIDED_AT)
    assert (decision.workflow == "adult") is (age >= 18)
    assert (decision.route == "caseworker") is has_case
    assert decision.owner_role is not None
    assert decision.due_at is not None and decision.due_at > source.reported_at
    assert ("default_profile" in decision.reasons) is (municipality == "999")
