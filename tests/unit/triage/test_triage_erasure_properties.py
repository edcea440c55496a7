"""Property (issue 18): for any sequence of things recorded at weekly meetings (notes about a
person or the meeting, agreed actions, route decisions, concerns on the agenda) about several
persons, erasing one leaves no readable text, item, decision or concern of theirs in any
meeting; every other person's, and the meeting's own, stay as recorded; a triage rebuilt from
the same store and keyring shows the same; and the store never holds a text readable."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from services.triage.application.meetings import place_concern
from services.triage.application.service import MeetingRevision
from shared.contracts import ConcernRegistered
from shared.eventstore import UnitOfWork, store_env
from shared.settings import PlatformSettings
from tests.unit.triage.factories import journal
from tests.unit.triage.lifecycle import MUNICIPALITY, Triage

PERSONS = ("pk_a", "pk_b", "pk_c")
WEEKS = ("2026-W47", "2026-W48")

steps = st.lists(
    st.tuples(
        st.sampled_from(("note", "action", "decision", "concern")),
        st.sampled_from((*PERSONS, None)),
        st.sampled_from(WEEKS),
    ),
    min_size=1,
    max_size=12,
)


def _concern(i: int, person_key: str, week: str) -> ConcernRegistered:
    return ConcernRegistered.model_validate(
        {
            "concern_id": f"c-{i}",
            "person_key": person_key,
            "municipality_code": MUNICIPALITY,
            "school": None,
            "category": "mistrivsel",
            "reporter_kind": "parent",
            "registered_at": "2026-11-17T14:05:00+01:00",
            "iso_week": week,
            "accepted_at": "2026-11-17T13:05:01Z",
        }
    )


def _record(triage: Triage, i: int, kind: str, person_key: str | None, week: str) -> str | None:
    """Record one step; the text it stored (None: no text)."""
    n = PERSONS.index(person_key) + 1 if person_key else 1
    text = f"tekst {i} om {person_key or 'mødet'}"
    if kind == "note":
        triage.note(text, person_key, n, week)
        return text
    if person_key is None:
        return None
    if kind == "action":
        triage.action(text, person_key, n, week)
        return text
    if kind == "decision":
        triage.service.revise_at_meeting(
            journal(n),
            person_key,
            MeetingRevision(
                "caseworker", "caseworker", None, "ABJ", "tovholder", MUNICIPALITY, week
            ),
        )
        return None
    uow = UnitOfWork(triage.app)
    place_concern(uow, _concern(i, person_key, week), triage.service.clock())
    uow.commit()
    return None


def _everything(triage: Triage) -> dict[str | None, Any]:
    """Per person (None: the meeting), what the meetings show: texts, items, decisions,
    concerns."""
    shown: dict[str | None, Any] = {}
    for week in WEEKS:
        read = triage.minutes.minutes(MUNICIPALITY, week)
        if read.meeting is None:
            continue
        meeting = read.meeting
        for person_key, texts in triage.texts(week).items():
            shown.setdefault(person_key, {}).setdefault("texts", []).extend(texts)
        for _, person_key in meeting.items:
            shown.setdefault(person_key, {}).setdefault("items", []).append(week)
        for decision in meeting.decisions:
            shown.setdefault(decision["person_key"], {}).setdefault("decisions", []).append(week)
        for concern in meeting.concerns:
            shown.setdefault(concern.person_key, {}).setdefault("concerns", []).append(
                concern.concern_id
            )
    return shown


@settings(max_examples=30, deadline=None)
@given(steps=steps, erased=st.sampled_from(PERSONS))
def test_erasing_one_person_leaves_nothing_of_theirs_and_the_others_as_recorded(
    steps: list[tuple[str, str | None, str]], erased: str
) -> None:
    env = store_env(PlatformSettings(SSP_DATABASE_URL="memory"), "triage")
    triage = Triage.on(env)
    rebuilt: Triage | None = None
    try:
        for n, person_key in enumerate(PERSONS, start=1):
            triage.route(person_key, n)
        texts = [_record(triage, i, *step) for i, step in enumerate(steps)]
        before = _everything(triage)

        triage.erase(erased)

        after = _everything(triage)
        assert erased not in after
        assert after == {key: shown for key, shown in before.items() if key != erased}
        # Rebuilt from the same store (the in-memory database lives while `triage` is open).
        rebuilt = Triage.on(env, keyring=triage.app.keyring)
        assert _everything(rebuilt) == after
        stored = b"".join(
            bytes(n.state) for n in triage.app.recorder.select_notifications(1, 100_000)
        )
        assert not [t for t in texts if t is not None and t.encode() in stored]
    finally:
        if rebuilt is not None:
            rebuilt.close()
        triage.close()
