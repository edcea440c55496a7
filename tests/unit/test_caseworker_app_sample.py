"""The sample caseworker app's worklist (samples/caseworker-app): whatever order the three
topics interleave in, and whatever is re-delivered afterwards, it ends with exactly the current
decision and task per person (docs/subscribing.md)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.integration.test_caseworker_app import load_sample

app = load_sample()
JOURNAL = "3700-80123-00456-26"
A, B = "pk_aaaa", "pk_bbbb"


def decision(
    decision_id: str, person: str, revision: int, kind: str, route: str, **more: Any
) -> Any:
    return app.Decision.model_validate(
        {
            "decision_id": decision_id,
            "journal_number": JOURNAL,
            "revision": revision,
            "person_key": person,
            "municipality_code": "607",
            "route": route,
            "decision_kind": kind,
            "a_field_added_later": {"ignored": True},
            **more,
        }
    )


def task(task_id: str, person: str, event: str, position: int) -> tuple[Any, tuple[str, ...]]:
    body = {
        "task_id": task_id,
        "event": event,
        "journal_number": JOURNAL,
        "person_key": person,
        "municipality_code": "607",
        "kind": "orientering",
        "owner_role": "tovholder",
        "due_at": "2026-11-19T16:00:00+01:00",
        "at": f"2026-11-16T08:12:{position:02d}+01:00",
        "channel": "digital_post",
    }
    return app.TaskEvent.model_validate(body), ("notifications", "tasks", str(position))


# each topic in its own order; the topics interleave freely
TOPICS: list[list[tuple[str, Any]]] = [
    [  # ssp.triage.tovholder.v1
        ("decision", decision("A1", A, 1, "initial", "tovholder")),
        ("decision", decision("B1", B, 1, "initial", "tovholder")),
        ("decision", decision("A2", A, 2, "revised", "tovholder", revises_decision_id="A1")),
    ],
    [  # ssp.triage.caseworker.v1
        ("decision", decision("A3", A, 2, "handover", "caseworker", revises_decision_id="A2")),
    ],
    [  # ssp.triage.withdrawals.v1
        ("withdrawal", app.Withdrawal(decision_id="B1", person_key=B, journal_number=JOURNAL)),
    ],
    [  # ssp.notifications.letter-tasks.v1
        ("task", task("TA", A, "created", 1)),
        ("task", task("TB", B, "created", 2)),
        ("task", task("TA", A, "updated", 3)),
        ("task", task("TB", B, "cancelled", 4)),
        ("task", task("TA", A, "updated", 5)),
    ],
]


def apply(worklist: Any, message: tuple[str, Any]) -> None:
    kind, payload = message
    if kind == "decision":
        worklist.apply_decision(payload)
    elif kind == "withdrawal":
        worklist.apply_withdrawal(payload)
    else:
        worklist.apply_task_event(*payload)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_any_interleaving_and_any_redelivery_end_in_the_current_state(data: st.DataObject) -> None:
    worklist = app.Worklist(municipality="607")
    queues = [list(topic) for topic in TOPICS]
    delivered = []
    while any(queues):
        queue = data.draw(st.sampled_from([q for q in queues if q]))
        delivered.append(queue.pop(0))
        apply(worklist, delivered[-1])
    after_once = worklist.rows()
    for message in data.draw(st.lists(st.sampled_from(delivered), max_size=20)):
        apply(worklist, message)

    assert worklist.rows() == after_once
    [row] = worklist.rows()
    assert row[:5] == (A, JOURNAL, "2", "handover", "caseworker")
    assert row[8] == "updated"


def test_a_decision_moved_to_another_municipality_leaves_the_worklist() -> None:
    worklist = app.Worklist(municipality="607")
    worklist.apply_decision(decision("A1", A, 1, "initial", "tovholder"))
    moved = decision("A2", A, 2, "revised", "tovholder", revises_decision_id="A1")
    worklist.apply_decision(moved.model_copy(update={"municipality_code": "630"}))
    assert worklist.rows() == []


def test_settings_come_from_the_environment_or_the_command_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9093")
    monkeypatch.setenv("CASEWORKER_APP_MUNICIPALITY", "657")
    monkeypatch.setenv("SSP_TOPIC_PREFIX", "prod.")
    args = app.parse_args(["--group-id", "herning-worklist"])
    assert (args.bootstrap_servers, args.municipality, args.topic_prefix, args.group_id) == (
        "kafka-1:9093",
        "657",
        "prod.",
        "herning-worklist",
    )
    assert app.parse_args(["--municipality", "376"]).municipality == "376"
