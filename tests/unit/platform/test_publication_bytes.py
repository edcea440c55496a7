"""Intake's and notifications' publications give the very messages they gave when they called
`model_validate` and `model_dump_json` (now pydantic's validator and serializer directly): the
same topic, key and bytes for every document, and the same failure for a document the contract
refuses. Documents are generated valid, as stored, and perturbed (older shapes, missing and
extra keys, other timestamp spellings, wrong types, unicode)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import uuid4

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from services.intake.adapters.publications import intake_publications
from services.intake.domain.model import CaseRegisterEntry, IncidentRecord, RejectedInput
from services.notifications.adapters.publications import notifications_publications
from services.notifications.domain.letter_task_case import LetterTaskCase
from shared.contracts import (
    INTAKE_CASE_EVENTS,
    INTAKE_INCIDENTS,
    INTAKE_REJECTED,
    LETTER_TASKS,
    AcceptedIncident,
    IntakeRejection,
    LetterTaskEvent,
    PseudonymisedCaseEvent,
)
from shared.messaging.dead_letters import dead_letter_publications
from shared.messaging.outgoing import Outgoing


def _old_intake(event: Any) -> list[Outgoing]:
    """intake_publications as it was (model_validate, Outgoing.body's model_dump_json)."""
    if isinstance(event, IncidentRecord.Received | IncidentRecord.RevisionAccepted):
        accepted = AcceptedIncident.model_validate(event.accepted)
        return [Outgoing(INTAKE_INCIDENTS, accepted.journal_number, accepted)]
    if isinstance(event, RejectedInput.Recorded):
        rejection = IntakeRejection.model_validate(event.rejection)
        return [Outgoing(INTAKE_REJECTED, rejection.reference, rejection)]
    if isinstance(event, CaseRegisterEntry.Received):
        case_event = PseudonymisedCaseEvent.model_validate(event.pseudonymised)
        return [Outgoing(INTAKE_CASE_EVENTS, case_event.person_key, case_event)]
    return dead_letter_publications(event)


def _old_notifications(event: Any) -> list[Outgoing]:
    if isinstance(event, LetterTaskCase.TaskChanged):
        letter = LetterTaskEvent.model_validate(event.letter)
        return [Outgoing(LETTER_TASKS, letter.person_key, letter)]
    return dead_letter_publications(event)


def _outcome(publications: Any, event: Any) -> Any:
    try:
        return [(m.topic, m.key, m.body(), m.headers) for m in publications(event)]
    except Exception as exc:  # the failure is compared
        return type(exc), str(exc)


# --- documents ----------------------------------------------------------------------------
_offsets = st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
_moments = st.datetimes(
    min_value=datetime(1900, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=_offsets | st.just(UTC),
)


def _one_in(n: int) -> Any:
    """True one time in about n (not at hypothesis's favourite boundaries, 0 and the top)."""
    return st.integers(0, 1023).map(lambda drawn: drawn % n == n // 2)


def _mostly(valid: st.SearchStrategy[Any], odd: st.SearchStrategy[Any]) -> Any:
    """Now and then (one time in 16) a value the contract may refuse or rewrite."""
    return _one_in(16).flatmap(lambda rare: odd if rare else valid)


@st.composite
def _spelled(draw: st.DrawFn, spellings: list[str]) -> str:
    moment = draw(_moments)
    spelling = draw(st.sampled_from(spellings))
    if spelling == "ms":
        return moment.isoformat(timespec="milliseconds")
    if spelling == "seconds":
        return moment.isoformat(timespec="seconds")
    if spelling == "z":
        return moment.isoformat().replace("+00:00", "Z")
    if spelling == "naive":
        return moment.replace(tzinfo=None).isoformat()
    if spelling == "space":
        return moment.isoformat(sep=" ")
    return moment.isoformat()


def _timestamps() -> Any:
    # As stored (pydantic's JSON rendering of an aware datetime), and as it might be spelled.
    return _mostly(
        st.one_of(
            _moments.map(lambda m: to_jsonable_python(m)),
            _spelled(["iso", "ms", "seconds", "z"]),
        ),
        st.one_of(_spelled(["naive", "space"]), st.text(max_size=30), st.integers(), st.none()),
    )


_odd = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "æøå Ærø", '\u2028\x00\x1f"\\/', "😀", " 607", "607\n"]),
    st.integers(min_value=-2, max_value=2),
    st.booleans(),
    st.none(),
)
_free_text = st.one_of(
    st.text(min_size=1, max_size=20),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=12),
    st.sampled_from(["æøå Ærø", '\u2028\x00\x1f"\\/', "😀"]),
)


def _text(*valid: str) -> Any:
    return _mostly(st.sampled_from(valid) if valid else _free_text, _odd)


def _optional(strategy: Any) -> Any:
    return st.one_of(st.none(), strategy)


_journal = _mostly(
    st.from_regex(r"\A[0-9]{4}-[0-9]{5}-[0-9]{5}-[0-9]{2}\Z"),
    st.one_of(st.sampled_from(["3700-80123-00456-26\n", "3700-80123-00456-2"]), _odd),
)
_municipality = _mostly(st.from_regex(r"\A[0-9]{3}\Z"), _odd)
_person_key = _mostly(
    st.one_of(st.from_regex(r"\Apk_[0-9a-f]{16}\Z"), _free_text),
    st.one_of(st.just("x" * 201), _odd),
)
_ints = _mostly(
    st.integers(min_value=1, max_value=30),
    st.one_of(st.integers(-1, 0), st.booleans(), st.sampled_from(["3", 3.0, 2.5]), st.none()),
)


def _document(
    draw: st.DrawFn, fields: dict[str, st.SearchStrategy[Any]], optional: set[str]
) -> dict[str, Any]:
    """The fields in contract order, as stored; now and then one missing (older shapes
    lack the optional ones), reordered, or with an extra key."""
    document: dict[str, Any] = {}
    for name, strategy in fields.items():
        if name in optional and draw(_one_in(6)):
            continue
        if draw(_one_in(60)):
            continue
        document[name] = draw(strategy)
    if draw(_one_in(16)):
        document["extra"] = draw(_text("x"))
    if draw(_one_in(16)):
        items = list(document.items())
        document = dict(draw(st.permutations(items)))
    return document


def _maybe_list(element: Any, min_size: int = 0) -> Any:
    return _mostly(
        st.lists(element, min_size=min_size, max_size=3),
        st.one_of(st.lists(element, max_size=1), _odd),
    )


@st.composite
def _letters(draw: st.DrawFn) -> dict[str, Any]:
    return _document(
        draw,
        {
            "task_id": _mostly(st.uuids().map(str), _text()),
            "event": _text("created", "completed", "cancelled", "overdue", "updated"),
            "journal_number": _journal,
            "person_key": _person_key,
            "municipality_code": _municipality,
            "kind": _text("orientering", "indkaldelse", "bekymringsbrev", "akut_standardbrev"),
            "recipients": _maybe_list(_text("parents", "youth"), min_size=1),
            "owner_role": _text(),
            "due_at": _timestamps(),
            "at": _timestamps(),
            "owner_team": _optional(_text("SSP-medarbejder distrikt nord")),
            "reason": _optional(_text("revised_decision", "case_opened_after_routing")),
        },
        {"owner_team", "reason"},
    )


@st.composite
def _persons(draw: st.DrawFn) -> dict[str, Any]:
    return _document(
        draw,
        {
            "person_key": _person_key,
            "role": _text("sigtet", "forurettet", "vidne"),
            "municipality_code": _municipality,
            "age_at_incident": _mostly(st.integers(0, 30), _ints),
            "in_scope": _mostly(st.booleans(), _ints),
            "school": _optional(_text()),
        },
        {"school"},
    )


@st.composite
def _accepted(draw: st.DrawFn) -> dict[str, Any]:
    return _document(
        draw,
        {
            "journal_number": _journal,
            "revision": _ints,
            "source": _text("doegnrapport", "ssp_liste", "nec"),
            "police_district": _optional(_text()),
            "reported_at": _timestamps(),
            "occurred_at": _timestamps(),
            "offence_code": _text("butikstyveri", "vold", "andet"),
            "location_municipality_code": _municipality,
            "flags": _maybe_list(_text("bande", "rusmidler")),
            "accepted_at": _timestamps(),
            "persons": _maybe_list(_persons(), min_size=1),
        },
        {"police_district", "flags"},
    )


@st.composite
def _problems(draw: st.DrawFn) -> dict[str, Any]:
    return _document(
        draw,
        {"field": _text(), "code": _text(), "message": _mostly(st.text(max_size=20), _odd)},
        set(),
    )


@st.composite
def _rejections(draw: st.DrawFn) -> dict[str, Any]:
    return _document(
        draw,
        {
            "reference": _mostly(st.uuids().map(str), _text()),
            "received_at": _timestamps(),
            "channel": _text("kafka", "http"),
            "journal_number": _optional(_text()),
            "revision": _optional(_ints),
            "reasons": _maybe_list(_problems(), min_size=1),
            "retrievable_at": _text(),
        },
        {"journal_number", "revision"},
    )


@st.composite
def _case_events(draw: st.DrawFn) -> dict[str, Any]:
    return _document(
        draw,
        {
            "event": _text("case_opened", "case_closed", "caseworker_changed"),
            "case_id": _text(),
            "person_key": _person_key,
            "municipality_code": _municipality,
            "team": _optional(_text()),
            "caseworker": _optional(_text("ABJ")),
            "at": _timestamps(),
        },
        {"team", "caseworker"},
    )


_BASE: dict[str, Any] = {"originator_version": 1, "trace_context": {}}


def _base() -> dict[str, Any]:
    return {**_BASE, "originator_id": uuid4(), "timestamp": datetime.now(UTC)}


def _intake_events() -> st.SearchStrategy[Any]:
    return st.one_of(
        _accepted().map(
            lambda d: IncidentRecord.RevisionAccepted(**_base(), revision=2, accepted=d, details={})
        ),
        _accepted().map(
            lambda d: IncidentRecord.Received(
                **_base(),
                originator_topic="x",
                journal_number="j",
                revision=1,
                accepted=d,
                details={},
            )
        ),
        _rejections().map(
            lambda d: RejectedInput.Recorded(
                **_base(),
                originator_topic="x",
                reference="r",
                channel="kafka",
                received_at=datetime.now(UTC),
                original_b64="",
                rejection=d,
            )
        ),
        _case_events().map(
            lambda d: CaseRegisterEntry.Received(
                **_base(),
                originator_topic="x",
                case_id="c",
                event_type="case_opened",
                at="t",
                pseudonymised=d,
            )
        ),
    )


@settings(max_examples=200, deadline=None)
@given(_intake_events())
def test_intake_publishes_the_same_bytes(event: Any) -> None:
    assert _outcome(intake_publications, event) == _outcome(_old_intake, event)


@settings(max_examples=200, deadline=None)
@given(_letters())
def test_notifications_publish_the_same_bytes(letter: dict[str, Any]) -> None:
    event = LetterTaskCase.TaskCreated(**_base(), letter=letter)
    assert _outcome(notifications_publications, event) == _outcome(_old_notifications, event)


@settings(max_examples=60, deadline=None)
@given(_letters(), _accepted(), _rejections(), _case_events())
def test_valid_documents_are_published_as_their_contract_dumps_them(
    letter: dict[str, Any],
    accepted: dict[str, Any],
    rejection: dict[str, Any],
    case_event: dict[str, Any],
) -> None:
    """Most generated documents are refused; this pins the bytes of the ones the contract
    takes (each re-dumped first, as the services store them)."""
    models: list[tuple[type[BaseModel], dict[str, Any]]] = [
        (LetterTaskEvent, letter),
        (AcceptedIncident, accepted),
        (IntakeRejection, rejection),
        (PseudonymisedCaseEvent, case_event),
    ]
    for model, document in models:
        try:
            stored = model.model_validate(document).model_dump(mode="json")
        except ValueError:
            continue
        if model is LetterTaskEvent:
            event: Any = LetterTaskCase.TaskCreated(**_base(), letter=stored)
            new, old = notifications_publications, _old_notifications
        else:
            event = {
                AcceptedIncident: lambda d: IncidentRecord.RevisionAccepted(
                    **_base(), revision=2, accepted=d, details={}
                ),
                IntakeRejection: lambda d: RejectedInput.Recorded(
                    **_base(),
                    originator_topic="x",
                    reference="r",
                    channel="kafka",
                    received_at=datetime.now(UTC),
                    original_b64="",
                    rejection=d,
                ),
                PseudonymisedCaseEvent: lambda d: CaseRegisterEntry.Received(
                    **_base(),
                    originator_topic="x",
                    case_id="c",
                    event_type="case_opened",
                    at="t",
                    pseudonymised=d,
                ),
            }[model](stored)
            new, old = intake_publications, _old_intake
        [(topic, key, body, headers)] = _outcome(new, event)
        assert [(topic, key, body, headers)] == _outcome(old, event)
        assert body == model.model_validate(stored).model_dump_json().encode()
