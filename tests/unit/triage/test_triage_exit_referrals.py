"""Exit referrals and the +18 workflow (issue 4, part 6): who is referred to an exit programme,
exactly once per person and incident, and which adults are marked for the PSP/KSP handover."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from eventsourcing.persistence import StoredEvent
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pydantic import ValidationError

from services.triage.adapters.publications import triage_publications
from services.triage.application.app import TriageApplication
from services.triage.application.service import TriageService
from services.triage.bootstrap import build_service, definition
from services.triage.domain.exit_referrals import PersonExitReferral
from services.triage.domain.person_history import PersonHistory
from services.triage.domain.profiles import MunicipalityProfile, Owner, RepeatRule
from services.triage.domain.routing import Report, reached_18_with_open_item
from services.triage.entrypoints.kafka import CONSUMERS
from services.triage.settings import TriageSettings
from shared.contracts import (
    INTAKE_INCIDENTS,
    TRIAGE_EXIT_REFERRALS,
    TRIAGE_TOVHOLDER,
    ExitReferral,
    RoutingDecision,
)
from shared.eventstore import store_env
from shared.messaging.inbound import Inbound
from tests.support import inbox_harness, outbox
from tests.unit.triage.factories import (
    DECIDED_AT,
    JOURNAL,
    PROFILES,
    incident,
    incident_doc,
    person,
)
from tests.unit.triage.factories import journal as journal_no

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def app(settings: TriageSettings) -> Iterator[TriageApplication]:
    application = TriageApplication(env=store_env(settings, "triage"))
    yield application
    application.close()


@pytest.fixture
def service(settings: TriageSettings, app: TriageApplication) -> TriageService:
    return build_service(settings, app, clock=lambda: DECIDED_AT, profiles=PROFILES)


def referrals(app: TriageApplication) -> list[ExitReferral]:
    return [
        ExitReferral.model_validate_json(m.body())
        for m in outbox(app, triage_publications)
        if m.topic == TRIAGE_EXIT_REFERRALS
    ]


# --- who is referred ----------------------------------------------------------------------


def test_a_batch_loads_only_the_referrals_the_flags_could_call_for() -> None:
    """Whether a person was referred matters only when the incident's flags and their age call
    for a referral: the batch does not look up anyone else's."""
    persons = [person("pk_a", 14), person("pk_b", 15), person("pk_c", 19)]
    flagged = incident(persons=persons, flags=["vaaben", "bande"])
    unflagged = incident(journal_number=journal_no(2), persons=persons, flags=["vaaben"])
    touched = TriageService._aggregates_touched([flagged, unflagged])
    assert {i for i in touched if i in _referral_ids(flagged, unflagged)} == {
        PersonExitReferral.create_id(JOURNAL, "pk_b"),
        PersonExitReferral.create_id(JOURNAL, "pk_c"),
    }


def _referral_ids(*incidents: Any) -> set[Any]:
    return {
        PersonExitReferral.create_id(i.journal_number, p.person_key)
        for i in incidents
        for p in i.persons
    }


@pytest.mark.parametrize("age", [14, 15, 17, 18, 25])
@pytest.mark.parametrize(
    "flags",
    [["bande"], ["ekstremisme"], ["vaaben", "bande"], ["vaaben"], ["rusmidler"], []],
)
def test_referral_rule_table(
    service: TriageService, app: TriageApplication, flags: list[str], age: int
) -> None:
    [decision] = service.triage_incident(incident(persons=[person("pk_a", age)], flags=flags))
    expected = age >= 15 and bool({"bande", "ekstremisme"} & set(flags))
    assert ("exit_referral" in decision.reasons) is expected
    made = referrals(app)
    assert len(made) == (1 if expected else 0)
    if expected:
        [referral] = made
        assert referral.flags == [f for f in flags if f in ("bande", "ekstremisme")]
        assert referral.age_at_incident == age
        assert referral.workflow == ("adult" if age >= 18 else "minor")
        assert referral.decision_id == decision.decision_id


def test_referral_carries_the_decision_and_a_stable_id(
    service: TriageService, app: TriageApplication
) -> None:
    [decision] = service.triage_incident(
        incident(persons=[person("pk_a", 16)], flags=["ekstremisme", "bande"], offence_code="vold")
    )
    [referral] = referrals(app)
    assert referral.referral_id == str(PersonExitReferral.create_id(JOURNAL, "pk_a"))
    assert (referral.journal_number, referral.revision, referral.person_key) == (JOURNAL, 1, "pk_a")
    assert (referral.municipality_code, referral.offence_code) == ("607", "vold")
    assert referral.flags == ["ekstremisme", "bande"]
    assert referral.decision_id == decision.decision_id
    assert referral.referred_at == DECIDED_AT
    # Fredericia names no exit owner: the exit coordinator, no team.
    assert (referral.owner_role, referral.owner_team) == ("exit_coordinator", None)


def test_the_owner_is_the_profiles_exit_owner(
    service: TriageService, app: TriageApplication
) -> None:
    service.triage_incident(
        incident(persons=[person("pk_a", 16, municipality_code="376")], flags=["bande"])
    )
    [referral] = referrals(app)
    assert (referral.owner_role, referral.owner_team) == ("exit_coordinator", "Exit-koordinatoren")


def test_each_person_of_15_or_more_is_referred(
    service: TriageService, app: TriageApplication
) -> None:
    service.triage_incident(
        incident(
            persons=[
                person("pk_a", 16),
                person("pk_b", 14),
                person("pk_c", 21),
                person("pk_d", 30),
            ],
            flags=["bande"],
        )
    )
    assert sorted(r.person_key for r in referrals(app)) == ["pk_a", "pk_c"]


# --- once per person and incident ----------------------------------------------------------


def test_a_higher_revision_never_refers_again(
    service: TriageService, app: TriageApplication
) -> None:
    [first] = service.triage_incident(incident(persons=[person("pk_a", 16)], flags=["bande"]))
    later = service.triage_incident(
        incident(revision=2, persons=[person("pk_a", 16)], flags=["bande", "ekstremisme"])
    )
    assert "exit_referral" in first.reasons
    # Nothing material changed, so no revised decision either (issue 4, part 4).
    assert later == []
    assert [r.revision for r in referrals(app)] == [1]


def test_a_revision_that_adds_the_flag_makes_the_referral(
    service: TriageService, app: TriageApplication
) -> None:
    [first] = service.triage_incident(incident(persons=[person("pk_a", 16)]))
    [second] = service.triage_incident(
        incident(revision=2, persons=[person("pk_a", 16)], flags=["bande"])
    )
    third = service.triage_incident(
        incident(revision=3, persons=[person("pk_a", 16)], flags=["bande"])
    )
    assert "exit_referral" not in first.reasons
    # The flag alone makes the revision material: the referral comes with a revised decision.
    assert "exit_referral" in second.reasons and second.decision_kind == "revised"
    assert third == []
    [referral] = referrals(app)
    assert (referral.revision, referral.decision_id) == (2, second.decision_id)


def test_a_flag_removed_and_added_again_refers_once(
    service: TriageService, app: TriageApplication
) -> None:
    for revision, flags in enumerate((["bande"], [], ["bande"]), start=1):
        service.triage_incident(
            incident(revision=revision, persons=[person("pk_a", 16)], flags=flags)
        )
    assert [r.revision for r in referrals(app)] == [1]


def test_redelivery_and_revisions_in_one_batch_refer_once(
    service: TriageService, app: TriageApplication
) -> None:
    docs = [
        incident_doc(persons=[person("pk_a", 16)], flags=["bande"]),
        incident_doc(persons=[person("pk_a", 16)], flags=["bande"]),  # republished upstream
        incident_doc(revision=2, persons=[person("pk_a", 16)], flags=["bande"]),
    ]

    def batch(first_id: int) -> list[Inbound]:
        return [
            Inbound(
                INTAKE_INCIDENTS,
                0,
                offset,
                JOURNAL.encode(),
                json.dumps(doc).encode(),
                {"ssp-origin": "intake", "ssp-notification-id": str(first_id + offset)},
            )
            for offset, doc in enumerate(docs)
        ]

    CONSUMERS.batch_handler(service)(batch(10))
    CONSUMERS.batch_handler(service)(
        batch(20)
    )  # intake's relay republished everything from the start
    assert [r.revision for r in referrals(app)] == [1]


# --- +18: reached 18 with an open item -----------------------------------------------------


def day(n: float) -> str:
    return (T0 + timedelta(days=n)).isoformat()


def triage_on(service: TriageService, n: int, at: float, age: int) -> RoutingDecision:
    [decision] = service.triage_incident(
        incident(
            journal_number=journal_no(n),
            occurred_at=day(at),
            reported_at=day(at + 0.5),
            persons=[person("pk_a", age)],
        )
    )
    return decision


@pytest.mark.parametrize(
    ("earlier_age", "earlier_day", "age_now", "handover"),
    [
        (17, 0, 18, True),
        (17, 0, 25, True),  # the age is the incident's own, whatever the gap
        (16, 0, 18, True),
        (17, 0, 17, False),  # still a minor: the +18 rule does not apply
        (18, 0, 19, False),  # reported only as an adult
        (17, -200, 18, False),  # Fredericia's window is 180 days: not open any more
    ],
)
def test_an_adult_reported_as_a_minor_within_the_window_is_handed_over(
    service: TriageService, earlier_age: int, earlier_day: int, age_now: int, handover: bool
) -> None:
    first = triage_on(service, 1, earlier_day, earlier_age)
    now = triage_on(service, 2, 10, age_now)
    assert not first.psp_ksp_handover
    assert now.psp_ksp_handover is handover
    assert ("reached_18_with_open_item" in now.reasons) is handover


def test_handover_rule_ignores_reports_without_an_age() -> None:
    rule = RepeatRule(window_days=180, threshold=3)
    minor = Report(journal_no(1), 1, T0, "sigtet", "tyveri", 17)
    unknown = Report(journal_no(1), 1, T0, "sigtet", "tyveri")
    later = T0 + timedelta(days=30)
    assert reached_18_with_open_item(18, [minor], later, rule)
    assert not reached_18_with_open_item(18, [unknown], later, rule)
    assert not reached_18_with_open_item(17, [minor], later, rule)


def test_a_history_event_stored_before_ages_were_kept_loads_without_an_age(
    app: TriageApplication,
) -> None:
    # A history as it was stored then: Started, then ReportRecorded (now the first report
    # starts the history, StartedWithReport).
    history = PersonHistory("pk_a")
    history.record(Report(journal_no(1), 1, T0, "sigtet", "butikstyveri", age_at_incident=17))
    app.save(history)
    # Rewrite the stored ReportRecorded as version 1 of the event stored it: no age.
    history_id = PersonHistory.create_id("pk_a")
    stored = app.recorder.select_events(history_id)
    assert [e.topic.rsplit(".", 1)[-1] for e in stored] == ["Started", "ReportRecorded"]
    old = []
    for event in stored:
        state: dict[str, Any] = json.loads(event.state)
        if event.topic.endswith("ReportRecorded"):
            assert state.pop("class_version") == 2
            del state["age_at_incident"]
        old.append(
            StoredEvent(
                originator_id=event.originator_id,
                originator_version=event.originator_version,
                topic=event.topic,
                state=json.dumps(state).encode(),
            )
        )
    fresh = TriageApplication(env=store_env(TriageSettings(SSP_DATABASE_URL="memory"), "triage"))
    try:
        fresh.recorder.insert_events(old)
        loaded = fresh.repository.get(history_id)
        assert isinstance(loaded, PersonHistory)
        [report] = loaded.reports.values()
        assert report.age_at_incident is None and report.offence_code == "butikstyveri"
    finally:
        fresh.close()


# --- through the Kafka entry point ---------------------------------------------------------


async def test_the_referral_is_published_once_keyed_by_person(settings: TriageSettings) -> None:
    doc = incident_doc(persons=[person("pk_a", 16)], flags=["bande"])
    async with inbox_harness(definition(settings, clock=lambda: DECIDED_AT)) as h:
        for notification_id, revision in ((1, 1), (1, 1), (2, 1), (3, 2)):
            await h.publish(
                {**doc, "revision": revision},
                INTAKE_INCIDENTS,
                key=JOURNAL,
                headers={"ssp-origin": "intake", "ssp-notification-id": str(notification_id)},
            )
        published = outbox(h.app, triage_publications)
        assert h.runtime.dead_letters == 0
    exits = [m for m in published if m.topic == TRIAGE_EXIT_REFERRALS]
    assert [m.key for m in exits] == ["pk_a"]
    routed = [m for m in published if m.topic == TRIAGE_TOVHOLDER]
    # Revision 2 changed nothing material: the first decision stays the current one.
    assert [json.loads(m.body())["revision"] for m in routed] == [1]
    assert json.loads(exits[0].body())["decision_id"] == json.loads(routed[0].body())["decision_id"]


# --- the profile's exit owner ---------------------------------------------------------------


def test_exit_owner_defaults_to_the_exit_coordinator_and_is_validated() -> None:
    fredericia = PROFILES.profiles["607"]
    assert fredericia.exit_referral_owner() == Owner("exit_coordinator", None)
    assert PROFILES.profiles["575"].exit_referral_owner().team == "SSP-teamet (exitforløb)"
    doc = fredericia.model_dump(mode="json")
    with pytest.raises(ValidationError):
        MunicipalityProfile.model_validate({**doc, "exit_owner": {"role": "boss"}})
    with pytest.raises(ValidationError):
        MunicipalityProfile.model_validate({**doc, "exit_owner": {"teem": "typo"}})


# --- property: at most one referral, made by the first revision that calls for it ---------

revision_steps = st.lists(
    st.tuples(
        st.integers(1, 4),  # revision, repeated and out of order
        st.lists(st.sampled_from(["bande", "ekstremisme", "vaaben"]), unique=True, max_size=2),
        st.integers(13, 20),  # the age may be corrected by a revision
    ),
    min_size=1,
    max_size=6,
)


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=revision_steps)
def test_one_referral_at_most_from_the_first_revision_that_calls_for_it(
    steps: list[tuple[int, list[str], int]],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = TriageSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=tmp)
        application = TriageApplication(env=store_env(config, "triage"))
        try:
            service = build_service(
                config, application, clock=lambda: DECIDED_AT, profiles=PROFILES
            )
            triaged = 0
            expected: int | None = None
            for revision, flags, age in steps:
                service.triage_incident(
                    incident(revision=revision, persons=[person("pk_a", age)], flags=flags)
                )
                if revision <= triaged:
                    continue  # not newer: ignored
                triaged = revision
                calls = age >= 15 and bool({"bande", "ekstremisme"} & set(flags))
                if expected is None and calls:
                    expected = revision
            made = [r.revision for r in referrals(application)]
        finally:
            application.close()
    assert made == ([] if expected is None else [expected])
