"""Routing invariants, property-based: any sequence of incident revisions (repeated, out of
order, persons added and removed, ages and roles changed), case events and caseworker
assessments, through triage and notifications and their stores (issue 4, parts 4-5).

- exactly one current decision per person and incident: each published decision is initial only
  when the person has none, and otherwise names the current one it replaces; a withdrawal
  withdraws the current one; the current decisions are the latest revision's in-scope persons;
- adult iff 18 or older;
- caseworker route iff an active case at decision time; a case opened after tovholder routing
  (within the handover window) leaves no current tovholder decision for the person;
- the history count equals the number of distinct earlier incidents;
- no letter twice: at most one task per person and incident, never created twice, and an open
  task follows its current decision (owner, deadline) and is cancelled when it is withdrawn.
"""

from __future__ import annotations

import json
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.notifications.adapters.publications import notifications_publications
from services.notifications.application.app import NotificationsApplication
from services.notifications.application.service import NotificationsService
from services.notifications.bootstrap import build_service as build_notifications
from services.notifications.settings import NotificationsSettings
from services.triage.adapters.publications import triage_publications
from services.triage.application.app import TriageApplication
from services.triage.application.service import TriageService
from services.triage.bootstrap import build_service
from services.triage.domain.routing import PersonFacts, route_person
from services.triage.settings import TriageSettings
from shared.contracts import (
    TRIAGE_STATEMENTS,
    TRIAGE_WITHDRAWALS,
    CaseworkerAssessment,
    DecisionWithdrawn,
    PseudonymousPerson,
    RoutingDecision,
)
from shared.contracts.incidents import OFFENCE_CODES
from shared.contracts.topics import LETTER_TASKS
from shared.eventstore import store_env
from tests.support import outbox
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
    age_shift: int
    """Added to every person's age: a revision may correct ages across 18 and 25."""
    role: str


@dataclass(frozen=True)
class CaseStep:
    key: str
    opened: bool


@dataclass(frozen=True)
class AssessmentStep:
    journal: int
    key: str
    summon: bool


incident_steps = st.builds(
    IncidentStep,
    journal=st.integers(1, 3),
    revision=st.integers(1, 4),
    keys=st.lists(st.sampled_from(KEYS), min_size=1, max_size=4).map(tuple),
    day=st.integers(0, 400),
    offence=st.sampled_from(OFFENCE_CODES),
    age_shift=st.integers(-1, 1),
    role=st.sampled_from(["sigtet", "forurettet"]),
)
case_steps = st.builds(CaseStep, key=st.sampled_from(KEYS), opened=st.booleans())
assessment_steps = st.builds(
    AssessmentStep, journal=st.integers(1, 3), key=st.sampled_from(KEYS), summon=st.booleans()
)
steps = st.lists(
    st.one_of(incident_steps, incident_steps, case_steps, assessment_steps),
    min_size=1,
    max_size=25,
)
people = st.fixed_dictionaries(
    {key: st.tuples(st.integers(16, 26), st.sampled_from(MUNICIPALITIES)) for key in KEYS}
)


class Oracle:
    """What the rules say, kept independently of the services."""

    def __init__(self) -> None:
        self.open_case: dict[str, bool] = {}
        self.revision: dict[int, int] = {}
        self.routed: dict[int, set[str]] = {}  # persons of each incident's current revision
        self.reports: dict[str, dict[int, datetime]] = {}  # person → incident → occurred_at
        # (journal number, person) → the current decision, from the published stream alone
        self.current: dict[tuple[str, str], RoutingDecision] = {}

    def earlier_incidents(self, key: str, journal_no: int, occurred_at: datetime) -> int:
        return sum(
            1
            for other, at in self.reports.get(key, {}).items()
            if other != journal_no and at < occurred_at
        )

    def follow(self, published: RoutingDecision | DecisionWithdrawn) -> None:
        """Apply one published message, asserting it replaces exactly the current decision."""
        where = (published.journal_number, published.person_key)
        current = self.current.get(where)
        if isinstance(published, DecisionWithdrawn):
            assert current is not None and published.decision_id == current.decision_id
            del self.current[where]
            return
        if published.decision_kind == "initial":
            assert current is None, "a second initial decision for a person in an incident"
            assert published.revises_decision_id is None
        else:
            assert current is not None
            assert published.revises_decision_id == current.decision_id
        self.current[where] = published


def new_services(tmp: str) -> tuple[TriageApplication, TriageService, NotificationsService]:
    config = TriageSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=tmp)
    app = TriageApplication(env=store_env(config, "triage"))
    letters = NotificationsSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=tmp)
    notifications = build_notifications(
        letters,
        NotificationsApplication(env=store_env(letters, "notifications")),
        lambda: DECIDED_AT,
    )
    triage = build_service(config, app, clock=lambda: DECIDED_AT, profiles=PROFILES)
    return app, triage, notifications


class Relay:
    """Carries what triage stored since the last call to notifications, in order."""

    def __init__(self, app: TriageApplication, notifications: NotificationsService) -> None:
        self.app = app
        self.notifications = notifications
        self.sent = 0

    def pass_on(self, oracle: Oracle) -> list[RoutingDecision]:
        messages = outbox(self.app, triage_publications)
        new, self.sent = messages[self.sent :], len(messages)
        decisions = []
        for message in new:
            if message.topic == TRIAGE_STATEMENTS:
                continue  # not_served / decision_confirmed: notifications does not read them
            body = json.loads(message.body())
            if message.topic == TRIAGE_STATEMENTS:
                continue  # a confirmation or a person not served: no decision to follow
            if message.topic == TRIAGE_WITHDRAWALS:
                withdrawal = DecisionWithdrawn.model_validate(body)
                oracle.follow(withdrawal)
                self.notifications.receive_withdrawal(withdrawal)
            else:
                decision = RoutingDecision.model_validate(body)
                oracle.follow(decision)
                self.notifications.receive_decision(decision)
                decisions.append(decision)
        return decisions


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(script=steps, who=people)
def test_routing_invariants_hold_for_any_sequence(
    script: list[IncidentStep | CaseStep | AssessmentStep], who: dict[str, tuple[int, str]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app, service, notifications = new_services(tmp)
        relay = Relay(app, notifications)
        oracle = Oracle()
        for moment, step in enumerate(script):
            at = (T0 + timedelta(minutes=moment)).isoformat()
            if isinstance(step, AssessmentStep):
                notifications.receive_assessment(
                    CaseworkerAssessment(
                        journal_number=journal(step.journal),
                        person_key=step.key,
                        outcome="summon" if step.summon else "inform",
                        caseworker="ABJ",
                        at=datetime.fromisoformat(at),
                    )
                )
                continue
            if isinstance(step, CaseStep):
                event = "case_opened" if step.opened else "case_closed"
                service.register_case_event(case_event(event, key=step.key, at=at))
                oracle.open_case[step.key] = step.opened
                for decision in relay.pass_on(oracle):
                    assert decision.decision_kind == "handover"
                    assert decision.route == "caseworker" and step.opened
                if step.opened:
                    # every decision was made well within the window before the case opened
                    assert not any(
                        d.route == "tovholder"
                        for (_, key), d in oracle.current.items()
                        if key == step.key
                    )
                continue
            occurred_at = T0 + timedelta(days=step.day)
            ages = {key: who[key][0] + step.age_shift for key in KEYS}
            service.triage_incident(
                incident(
                    journal_number=journal(step.journal),
                    revision=step.revision,
                    occurred_at=occurred_at.isoformat(),
                    reported_at=(occurred_at + timedelta(hours=1)).isoformat(),
                    offence_code=step.offence,
                    persons=[
                        person(key, ages[key], municipality_code=who[key][1], role=step.role)
                        for key in step.keys
                    ],
                )
            )
            decisions = relay.pass_on(oracle)
            if step.revision <= oracle.revision.get(step.journal, 0):
                assert decisions == []  # not newer: nothing decided again
                continue
            oracle.revision[step.journal] = step.revision
            in_scope = {key for key in step.keys if ages[key] <= 25}
            for d in decisions:
                assert d.person_key in in_scope
                assert (d.workflow == "adult") is (d.age_at_incident >= 18)
                assert (d.route == "caseworker") is oracle.open_case.get(d.person_key, False)
                assert d.history is not None
                assert d.history.earlier_reports == oracle.earlier_incidents(
                    d.person_key, step.journal, occurred_at
                )
            number = journal(step.journal)
            current = {key: d for (j, key), d in oracle.current.items() if j == number}
            assert set(current) == in_scope
            for key, d in current.items():
                # re-evaluated now: a decision kept unchanged still holds for today's facts
                assert (d.route == "caseworker") is oracle.open_case.get(key, False)
                assert d.age_at_incident == ages[key] and d.role == step.role
            for key in oracle.routed.get(step.journal, set()) - in_scope:
                oracle.reports.get(key, {}).pop(step.journal, None)
            for key in in_scope:
                oracle.reports.setdefault(key, {})[step.journal] = occurred_at
            oracle.routed[step.journal] = in_scope

        # triage's own view agrees with the published stream
        for journal_no in oracle.routed:
            latest = service.latest_triage(journal(journal_no))
            assert latest is not None
            assert {d.decision_id for d in latest.decisions} == {
                d.decision_id for (j, _), d in oracle.current.items() if j == journal(journal_no)
            }
        check_letters(notifications, oracle)
        app.close()
        notifications.app.close()


def check_letters(notifications: NotificationsService, oracle: Oracle) -> None:
    """No letter twice, and every open task follows its current decision."""
    events: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for message in outbox(notifications.app, notifications_publications):
        if message.topic != LETTER_TASKS:
            continue  # the assessments notifications records (issue 17) go on their own topic
        letter = json.loads(message.body())
        events[(letter["journal_number"], letter["person_key"])].append(letter)
    for where, letters in events.items():
        assert len({letter["task_id"] for letter in letters}) == 1
        assert [letter["event"] for letter in letters].count("created") == 1
        assert letters[0]["event"] == "created"
        last = letters[-1]
        decision = oracle.current.get(where)
        if decision is None:
            # withdrawn: an open task was cancelled (a completed one would stay completed)
            assert last["event"] == "cancelled"
            assert last["reason"] in ("person_removed_from_incident", "person_out_of_scope")
        elif last["event"] in ("created", "updated"):
            assert last["owner_role"] == decision.owner_role
            assert last["owner_team"] == decision.owner_team
            assert decision.due_at is not None
            assert datetime.fromisoformat(last["due_at"]) == decision.due_at
    for where, decision in oracle.current.items():
        if decision.route == "tovholder":
            assert where in events, "a tovholder decision always has its orientering task"


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
