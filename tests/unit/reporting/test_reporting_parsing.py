"""Every consumer reads with pydantic's own JSON parser when it can (`parse_bytes`); whatever
the bytes, it must accept, refuse and report exactly what the general path (`parse_loaded`:
json.loads, then the model) does, and give an equal payload. Tried here on reporting's inputs,
which are every topic the services publish."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from services.reporting.entrypoints.kafka import CONSUMERS
from shared.contracts import (
    COURSES_EVENTS,
    INTAKE_INCIDENTS,
    INTAKE_REJECTED,
    LETTER_TASKS,
    TRIAGE_EXIT_REFERRALS,
    TRIAGE_TOVHOLDER,
    TRIAGE_WITHDRAWALS,
    parse_bytes,
)
from shared.contracts.errors import parse_loaded
from tests.unit.reporting.documents import (
    FREDERICIA,
    JOURNAL,
    PK_TOVHOLDER,
    accepted_incident,
    exit_referral,
    letter_task,
    person,
    profiled,
    rejection,
    routing_decision,
)
from tests.unit.reporting.test_reporting_courses import course_event

VALID: dict[str, dict[str, Any]] = {
    INTAKE_INCIDENTS: accepted_incident([person(PK_TOVHOLDER, 14)]),
    INTAKE_REJECTED: rejection("r-1", None),
    TRIAGE_TOVHOLDER: profiled(
        routing_decision(PK_TOVHOLDER, "tovholder", decided_at="2026-11-16T08:12:03+01:00")
    ),
    LETTER_TASKS: letter_task(PK_TOVHOLDER, "created", at="2026-11-16T08:12:05Z"),
    TRIAGE_EXIT_REFERRALS: exit_referral(PK_TOVHOLDER),
    TRIAGE_WITHDRAWALS: {
        "withdrawal_id": "w-1",
        "decision_id": f"decision-{PK_TOVHOLDER}-1-tovholder",
        "journal_number": JOURNAL,
        "revision": 2,
        "person_key": PK_TOVHOLDER,
        "municipality_code": FREDERICIA,
        "reason": "person_removed_from_incident",
        "withdrawn_at": "2026-11-17T09:00:00Z",
    },
    COURSES_EVENTS: course_event("e1", "started", JOURNAL),
}

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, bytes]:
    """A valid document of some topic, some fields replaced, removed or added, serialised one
    way or another; sometimes with bytes no JSON parser should take."""
    topic = draw(st.sampled_from(sorted(VALID)))
    doc = dict(VALID[topic])
    for _ in range(draw(st.integers(0, 3))):
        key = draw(st.sampled_from(sorted(doc)) | st.text(max_size=8))
        if draw(st.booleans()):
            doc[key] = draw(json_values | st.sampled_from([v for v in doc.values()]))
        else:
            doc.pop(key, None)
    raw = json.dumps(doc, ensure_ascii=draw(st.booleans()), allow_nan=False).encode()
    if draw(st.booleans()):
        extra = draw(st.sampled_from([b'"z": NaN', b'"z": -Infinity', b'"z": "\\ud800"']))
        raw = raw[:-1] + b", " + extra + b"}"
    return topic, raw + draw(st.sampled_from([b"", b" \n", b"x", b", 1"]))


MODELS = {consumer.topic: consumer.model for consumer in CONSUMERS.consumers}


def _same(topic: str, raw: bytes) -> None:
    model = MODELS[topic]
    fast, slow = parse_bytes(raw, model), parse_loaded(raw, model)
    assert fast == slow
    # Equal, and of the same types too (1 == 1.0 == True): what the steps store.
    assert repr(fast[0] and fast[0].model_dump()) == repr(slow[0] and slow[0].model_dump())


@settings(max_examples=300, deadline=None)
@given(sent=documents())
@example(sent=(LETTER_TASKS, json.dumps(VALID[LETTER_TASKS]).encode()))
def test_reads_as_parse_bytes_does(sent: tuple[str, bytes]) -> None:
    _same(*sent)


def test_what_only_json_loads_or_only_pydantic_would_take() -> None:
    raw = json.dumps(VALID[LETTER_TASKS]).encode()
    cases = [
        raw[:-1] + b', "z": NaN}',  # pydantic takes NaN; json.loads refuses it
        raw[:-1] + b', "z": Infinity}',
        raw[:-1] + b', "z": "\\ud800"}',  # a lone surrogate: json.loads takes it
        raw[:-1] + b', "z": 1e400}',
        raw[:-1] + b', "kind": "other"}',  # a repeated key: the last one counts
        raw[:-1] + b', "event": "completed"}',
        b"\xef\xbb\xbf" + raw,
        raw + b" x",
        b"[" + raw + b"]",
        b"",
        raw.replace(b'"2026', b'"\\u0032026'),
    ]
    for case in cases:
        _same(LETTER_TASKS, case)
    model = MODELS[LETTER_TASKS]
    assert parse_bytes(cases[0], model)[0] is None
    assert parse_bytes(cases[2], model)[0] is not None
