"""One timeline per person (issue 17, part 1). Properties: the timeline is the union of what each
service published for the person, in time order, after any interleaving, batching and
re-delivery of the messages; rebuilding the read models from the store gives the same
timeline."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.reporting.application.timeline import PersonTimelines, TimelineRow
from services.reporting.bootstrap import build_application, build_read_side, build_service
from services.reporting.domain.handover import utc_text
from services.reporting.entrypoints.kafka import CONSUMERS
from services.reporting.settings import ReportingSettings
from shared.contracts import (
    COURSES_EVENTS,
    COURSES_FOLLOW_UPS,
    INTAKE_CONCERNS,
    INTAKE_INCIDENTS,
    LETTER_TASKS,
    MEETINGS_EVENTS,
    NOTIFICATIONS_ASSESSMENTS,
    TRIAGE_CASEWORKER,
    TRIAGE_TOVHOLDER,
)
from tests.unit.reporting.documents import accepted_incident, letter_task, person, routing_decision
from tests.unit.reporting.timeline_documents import (
    caseworker_record,
    concern,
    course_event,
    delivered,
    follow_up,
    meeting_event,
    persons_in,
    step_of,
)

CHILD = "pk_" + "a" * 32
OTHER = "pk_" + "b" * 32
JOURNALS = ("3700-80123-00456-26", "3700-80123-00457-26")
TIMES = (
    "2026-11-16T08:12:03+01:00",
    "2026-11-16T07:12:03+00:00",  # the same instant written with another offset
    "2026-11-16T09:00:00+01:00",
    "2026-11-17T10:00:00+01:00",
    "2026-11-20T14:30:00+01:00",
)
Published = tuple[str, dict[str, Any]]

keys = st.sampled_from((CHILD, OTHER))
journals = st.sampled_from(JOURNALS)
times = st.sampled_from(TIMES)


@st.composite
def incident(draw: st.DrawFn, n: int) -> Published:
    listed = draw(st.lists(keys, min_size=1, max_size=2, unique=True))
    doc = accepted_incident(
        [person(key, draw(st.integers(12, 17))) for key in listed],
        journal_number=draw(journals),
        revision=draw(st.integers(1, 3)),
        accepted_at=draw(times),
    )
    return INTAKE_INCIDENTS, doc


@st.composite
def decision(draw: st.DrawFn, n: int) -> Published:
    route = draw(st.sampled_from(["tovholder", "caseworker"]))
    doc = routing_decision(
        draw(keys), route, decided_at=draw(times), journal_number=draw(journals)
    ) | {"decision_id": f"decision-{n}"}
    return (TRIAGE_TOVHOLDER if route == "tovholder" else TRIAGE_CASEWORKER), doc


@st.composite
def task(draw: st.DrawFn, n: int) -> Published:
    event = draw(st.sampled_from(["created", "sent", "waived", "cancelled", "escalated"]))
    doc = letter_task(
        draw(keys), event, at=draw(times), task_id=f"task-{n}", journal_number=draw(journals)
    )
    extra = {
        "sent": {"channel": "outbox"},
        "waived": {"waiver_reason": "already_informed"},
        "cancelled": {"reason": "revised_decision"},
        "escalated": {"escalated_to": "team_leader"},
    }
    return LETTER_TASKS, doc | extra.get(event, {})


@st.composite
def course(draw: st.DrawFn, n: int) -> Published:
    event, data = draw(
        st.sampled_from(
            [
                ("step_placed", {"step": 2}),
                ("transferred", {"from_municipality_code": "607", "to_municipality_code": "661"}),
                ("step_completed", {"step": 4, "completed_on": "2026-11-20"}),
                ("follow_up_recorded", {"kind": "hjemmebesoeg", "held_on": "2026-11-18"}),
            ]
        )
    )
    journal = draw(st.none() | journals)
    return COURSES_EVENTS, course_event(
        f"course-event-{n}", draw(keys), event, draw(times), journal_number=journal, data=data
    )


@st.composite
def meeting(draw: st.DrawFn, n: int) -> Published:
    event = draw(st.sampled_from(["route_or_owner_decided", "action_agreed", "note_recorded"]))
    doc = meeting_event(
        f"meeting-{n}",
        draw(keys),
        event,
        draw(times),
        journal_number=draw(journals),
        route="caseworker",
        owner_role="caseworker",
        decision_id=f"decision-m{n}",
        due_on="2026-11-30",
    )
    return MEETINGS_EVENTS, doc


@st.composite
def worry(draw: st.DrawFn, n: int) -> Published:
    return INTAKE_CONCERNS, concern(f"concern-{n}", draw(keys), draw(times))


@st.composite
def action(draw: st.DrawFn, n: int) -> Published:
    event = draw(
        st.sampled_from(
            ["recorded", "next_step_completed", "next_step_rescheduled", "next_step_overdue"]
        )
    )
    journal = draw(st.none() | journals)
    return COURSES_FOLLOW_UPS, follow_up(
        f"follow-up-{n}", draw(keys), event, draw(times), journal_number=journal
    )


@st.composite
def caseworker(draw: st.DrawFn, n: int) -> Published:
    event = draw(st.sampled_from(["assessed", "family_meeting_held"]))
    return NOTIFICATIONS_ASSESSMENTS, caseworker_record(
        f"caseworker-{n}", draw(keys), draw(journals), event, draw(times)
    )


SOURCES = (incident, decision, task, course, meeting, worry, action, caseworker)


def _same_fact(published: Published) -> tuple[Any, ...]:
    """What the upstream services would publish once: an incident's revision (the other
    sources' ids are unique by construction)."""
    topic, doc = published
    if topic == INTAKE_INCIDENTS:
        return (topic, doc["journal_number"], doc["revision"])
    return (topic, id(doc))


@st.composite
def published(draw: st.DrawFn) -> list[Published]:
    count = draw(st.integers(1, 14))
    messages = [draw(draw(st.sampled_from(SOURCES))(n)) for n in range(count)]
    firsts: dict[tuple[Any, ...], Published] = {}
    for message in messages:
        firsts.setdefault(_same_fact(message), message)
    return list(firsts.values())


def _at(topic: str, doc: dict[str, Any]) -> str:
    moment = (
        doc.get("registered_at") or doc.get("accepted_at") or doc.get("decided_at") or doc["at"]
    )
    return utc_text(datetime.fromisoformat(moment))


def _seen(rows: list[TimelineRow]) -> Counter[tuple[str, str, str | None]]:
    return Counter((utc_text(datetime.fromisoformat(r.at)), r.code, r.journal_number) for r in rows)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(messages=published(), data=st.data())
def test_the_timeline_is_the_union_of_what_was_published_in_time_order(
    tmp_path: Path, messages: list[Published], data: st.DataObject
) -> None:
    reporting = ReportingSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path))
    # Each message once, in any order, some delivered again anywhere later: republished under
    # a new relay id, which the inbox's own de-duplication (by relay id) cannot catch, so the
    # store's must (a re-delivery under the same id never reaches the handler).
    order = data.draw(st.permutations(range(len(messages))), label="order")
    again = data.draw(st.lists(st.sampled_from(range(len(messages))), max_size=6), label="again")
    deliveries = list(order)
    for index in again:
        deliveries.insert(data.draw(st.integers(deliveries.index(index), len(deliveries))), index)
    cuts = sorted(data.draw(st.sets(st.integers(1, len(deliveries)), max_size=4), label="cuts"))
    app = build_application(reporting)
    try:
        handle = CONSUMERS.batch_handler(build_service(reporting, app), reporting)
        projection, queries = build_read_side(reporting, app)
        start = 0
        for end in [*cuts, len(deliveries)]:
            handle(
                [
                    delivered(reporting, *messages[i], position + 1)
                    for position, i in enumerate(deliveries[start:end], start=start)
                ]
            )
            if data.draw(st.booleans(), label="catch up"):
                projection.catch_up()
            start = end
        projection.catch_up()
        for key in (CHILD, OTHER):
            rows = queries.timelines.rows(key)
            expected = Counter(
                (_at(topic, doc), step_of(topic, doc), doc.get("journal_number"))
                for topic, doc in messages
                if key in persons_in(topic, doc)
            )
            assert _seen(rows) == expected
            instants = [utc_text(datetime.fromisoformat(r.at)) for r in rows]
            assert instants == sorted(instants)
            assert all(r.text and r.text != r.code for r in rows)

        rebuilt, rebuilt_queries = build_read_side(reporting, app)
        rebuilt.rebuild()
        for key in (CHILD, OTHER):
            assert rebuilt_queries.timelines.rows(key) == queries.timelines.rows(key)
    finally:
        app.close()


def _timeline_of(tmp_path: Path, messages: list[Published], key: str) -> list[TimelineRow]:
    reporting = ReportingSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(tmp_path))
    app = build_application(reporting)
    try:
        handle = CONSUMERS.batch_handler(build_service(reporting, app), reporting)
        handle([delivered(reporting, *m, i + 1) for i, m in enumerate(messages)])
        projection, queries = build_read_side(reporting, app)
        projection.catch_up()
        timelines: PersonTimelines = queries.timelines
        return timelines.rows(key)
    finally:
        app.close()


def test_each_row_says_what_happened_in_danish(tmp_path: Path) -> None:
    journal = JOURNALS[0]
    rows = _timeline_of(
        tmp_path,
        [
            (INTAKE_INCIDENTS, accepted_incident([person(CHILD, 14)], journal_number=journal)),
            (
                TRIAGE_TOVHOLDER,
                routing_decision(CHILD, "tovholder", decided_at=TIMES[2], journal_number=journal)
                | {"owner_role": "tovholder", "reasons": ["no_active_case"]},
            ),
            (
                TRIAGE_CASEWORKER,
                routing_decision(CHILD, "caseworker", decided_at=TIMES[3], journal_number=journal)
                | {
                    "decision_id": "meeting-revised",
                    "owner_role": "caseworker",
                    "decision_kind": "revised",
                    "reasons": ["active_case", "meeting_decision"],
                },
            ),
            (
                LETTER_TASKS,
                letter_task(CHILD, "sent", at=TIMES[4], journal_number=journal)
                | {"channel": "digital_post"},
            ),
            (
                COURSES_EVENTS,
                course_event(
                    "c1",
                    CHILD,
                    "transferred",
                    "2026-11-21T09:00:00+01:00",
                    course_type="exit_programme",
                    data={
                        "from_municipality_code": "607",
                        "to_municipality_code": "630",
                        "moved_on": "2026-11-21",
                    },
                    municipality_code="630",
                ),
            ),
            (
                COURSES_EVENTS,
                course_event(
                    "c2",
                    CHILD,
                    "step_completed",
                    "2026-11-22T09:00:00+01:00",
                    course_type="acute_procedure",
                    data={"step": 4, "completed_on": "2026-11-22"},
                ),
            ),
            (INTAKE_CONCERNS, concern("c1", CHILD, "2026-11-22T12:00:00+01:00")),
            (
                COURSES_FOLLOW_UPS,
                follow_up("f1", CHILD, "recorded", "2026-11-22T13:00:00+01:00"),
            ),
            (
                MEETINGS_EVENTS,
                meeting_event(
                    "m1",
                    CHILD,
                    "action_agreed",
                    "2026-11-23T10:15:00+01:00",
                    journal_number=journal,
                    owner_role="school_representative",
                    due_on="2026-11-30",
                ),
            ),
            (
                NOTIFICATIONS_ASSESSMENTS,
                caseworker_record("a1", CHILD, journal, "assessed", "2026-11-24T10:00:00Z"),
            ),
        ],
        CHILD,
    )
    assert [r.text for r in rows] == [
        "Politianmeldelse: sigtet i butikstyveri, 14 år, bor i Fredericia (607)",
        "Visiteret til SSP-koordinator i Fredericia (607): ejer SSP-koordinator (tovholder), "
        "alvor lav; begrundelse: ingen aktiv sag; besluttet af visitationens regler",
        "Ændret visitering til sagsbehandler (aktiv sag) i Fredericia (607): ejer "
        "sagsbehandler, alvor lav; begrundelse: aktiv sag i socialforvaltningen, besluttet på "
        "ugens møde; besluttet af ugens møde",
        "Orienteringsbrev til forældrene: sendt (sendt med Digital Post)",
        "Exitforløb i Vejle (630): flyttet fra Fredericia (607) til Vejle (630) 21. november 2026",
        "Akut hændelse i Fredericia (607): trin 4 afsluttet 22. november 2026",
        "Bekymring registreret i Fredericia (607): mistrivsel; hvem er bekymret: skolen",
        "Hjemmebesøg 18. november 2026 (ABJ), registreret af SSP-koordinator (tovholder): "
        "gennemført; næste skridt: skolebesøg ved tovholder, frist 25. november 2026",
        "Ugens møde i Fredericia (607), uge 47: handling aftalt, udføres af "
        "skolerepræsentant, frist 30. november 2026",
        "Sagsbehandlerens vurdering (ABJ): indkald forældre og den unge til samtale",
    ]
    assert rows[4].journal_number is None  # an exit programme that follows no police report
