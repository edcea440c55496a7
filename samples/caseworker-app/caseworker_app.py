"""A caseworker app subscribing to the SSP platform's output topics (docs/subscribing.md).

It keeps, for one municipality, the current routing decision and its letter task per person
and prints them as a worklist. It is written as a third party would write it: its own narrow
models (unknown fields ignored), nothing imported from the platform, only faststream and
pydantic.

    python samples/caseworker-app/caseworker_app.py --bootstrap-servers 127.0.0.1:9092 \
        --municipality 607 --seconds 10

Settings also come from the environment: KAFKA_BOOTSTRAP_SERVERS, SSP_TOPIC_PREFIX,
CASEWORKER_APP_MUNICIPALITY, CASEWORKER_APP_GROUP_ID.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import BaseModel, ConfigDict, ValidationError

DECISION_TOPICS = ("ssp.triage.caseworker.v1", "ssp.triage.tovholder.v1")
WITHDRAWAL_TOPIC = "ssp.triage.withdrawals.v1"
TASK_TOPIC = "ssp.notifications.letter-tasks.v1"
#: A task ends once, with one of these (docs/contracts.md); later events for it change nothing.
FINISHED_TASK_EVENTS = frozenset({"completed", "sent", "waived", "cancelled"})

log = logging.getLogger("caseworker_app")


class Tolerant(BaseModel):
    """Reads only the fields this app uses; every other field is ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class Decision(Tolerant):
    decision_id: str
    journal_number: str
    revision: int
    person_key: str
    municipality_code: str
    route: str
    owner_role: str | None = None
    owner_team: str | None = None
    due_at: str | None = None
    decision_kind: str = "initial"
    revises_decision_id: str | None = None


class Withdrawal(Tolerant):
    decision_id: str
    person_key: str
    journal_number: str


class TaskEvent(Tolerant):
    task_id: str
    event: str
    journal_number: str
    person_key: str
    municipality_code: str
    kind: str
    owner_role: str
    due_at: str
    at: str


@dataclass
class Person:
    """What the app holds for one person: the current decision and task per incident."""

    decisions: dict[str, Decision] = field(default_factory=dict)  # by journal number
    tasks: dict[str, TaskEvent] = field(default_factory=dict)  # by journal number


@dataclass
class Worklist:
    """The app's state, keyed by person. Every apply is idempotent: a message seen before
    changes nothing, whatever order the three topics interleave in."""

    municipality: str
    persons: dict[str, Person] = field(default_factory=dict)
    seen_decisions: set[str] = field(default_factory=set)
    seen_messages: set[tuple[str, ...]] = field(default_factory=set)
    replaced_or_withdrawn: set[str] = field(default_factory=set)
    finished_tasks: set[str] = field(default_factory=set)
    received: int = 0
    applied: int = 0

    def apply_decision(self, decision: Decision) -> bool:
        if decision.decision_id in self.seen_decisions:
            return False  # re-delivered
        self.seen_decisions.add(decision.decision_id)
        if decision.decision_id in self.replaced_or_withdrawn:
            return False  # a later decision (or a withdrawal) already replaced this one
        person = self.persons.setdefault(decision.person_key, Person())
        current = person.decisions.get(decision.journal_number)
        if decision.revises_decision_id:
            self.replaced_or_withdrawn.add(decision.revises_decision_id)
        if (
            current is not None
            and current.decision_id != decision.revises_decision_id
            and current.revision > decision.revision
        ):
            return False  # two decisions that do not name each other: the higher revision stands
        if decision.municipality_code == self.municipality:
            person.decisions[decision.journal_number] = decision
        else:
            person.decisions.pop(decision.journal_number, None)  # moved to another municipality
        self._forget_if_empty(decision.person_key)
        return True

    def apply_withdrawal(self, withdrawal: Withdrawal) -> bool:
        if withdrawal.decision_id in self.replaced_or_withdrawn:
            return False
        self.replaced_or_withdrawn.add(withdrawal.decision_id)
        person = self.persons.get(withdrawal.person_key)
        if person is not None:
            current = person.decisions.get(withdrawal.journal_number)
            if current is not None and current.decision_id == withdrawal.decision_id:
                del person.decisions[withdrawal.journal_number]
            self._forget_if_empty(withdrawal.person_key)
        return True

    def apply_task_event(self, event: TaskEvent, message_id: tuple[str, ...]) -> bool:
        if message_id in self.seen_messages or event.task_id in self.finished_tasks:
            return False  # re-delivered, or the task has ended already
        self.seen_messages.add(message_id)
        person = self.persons.setdefault(event.person_key, Person())
        if event.event == "cancelled" or event.municipality_code != self.municipality:
            person.tasks.pop(event.journal_number, None)
        else:
            person.tasks[event.journal_number] = event
        if event.event in FINISHED_TASK_EVENTS:
            self.finished_tasks.add(event.task_id)
        self._forget_if_empty(event.person_key)
        return True

    def _forget_if_empty(self, person_key: str) -> None:
        person = self.persons.get(person_key)
        if person is not None and not person.decisions and not person.tasks:
            del self.persons[person_key]

    def rows(self) -> list[tuple[str, ...]]:
        """One row per person and incident: the current decision and its letter task."""
        rows: list[tuple[str, ...]] = []
        for person_key in sorted(self.persons):
            person = self.persons[person_key]
            for journal in sorted(set(person.decisions) | set(person.tasks)):
                decision = person.decisions.get(journal)
                task = person.tasks.get(journal)
                rows.append(
                    (
                        person_key,
                        journal,
                        str(decision.revision) if decision else "-",
                        decision.decision_kind if decision else "-",
                        decision.route if decision else "-",
                        (decision.owner_role or "-") if decision else "-",
                        (decision.owner_team or "-") if decision else "-",
                        task.kind if task else "-",
                        task.event if task else "-",
                        task.due_at if task else "-",
                    )
                )
        return rows


HEADER = ("person", "journal", "rev", "kind", "route", "owner", "team", "letter", "task", "due")


def format_table(rows: Iterable[tuple[str, ...]]) -> str:
    table = [HEADER, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def _message_id(message: KafkaMessage) -> tuple[str, ...]:
    """The platform's identity of a message: (ssp-origin, topic, ssp-notification-id); without
    those headers, where it was read."""
    headers = message.headers
    raw = message.raw_message
    topic = getattr(raw, "topic", "")
    origin, position = headers.get("ssp-origin"), headers.get("ssp-notification-id")
    if origin and position:
        return (str(origin), topic, str(position))
    return ("offset", topic, str(getattr(raw, "partition", "")), str(getattr(raw, "offset", "")))


def subscribe(broker: KafkaBroker, worklist: Worklist, *, prefix: str, group_id: str) -> None:
    """Register the app's subscriber on `broker`: one consumer (one group member) reading the
    four topics from the beginning, each message applied by its topic."""
    topics = (*DECISION_TOPICS, WITHDRAWAL_TOPIC, TASK_TOPIC)

    @broker.subscriber(
        *(prefix + topic for topic in topics), group_id=group_id, auto_offset_reset="earliest"
    )
    async def on_message(message: KafkaMessage) -> None:
        worklist.received += 1
        topic = str(getattr(message.raw_message, "topic", "")).removeprefix(prefix)
        try:
            if topic in DECISION_TOPICS:
                changed = worklist.apply_decision(Decision.model_validate_json(message.body))
            elif topic == WITHDRAWAL_TOPIC:
                changed = worklist.apply_withdrawal(Withdrawal.model_validate_json(message.body))
            else:
                event = TaskEvent.model_validate_json(message.body)
                changed = worklist.apply_task_event(event, _message_id(message))
        except ValidationError as error:  # not ours to fix: count it, skip it, tell someone
            log.warning("skipped an unreadable message on %s: %s", topic, error.error_count())
            return
        if changed:
            worklist.applied += 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    env = os.environ
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--bootstrap-servers", default=env.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    )
    parser.add_argument("--topic-prefix", default=env.get("SSP_TOPIC_PREFIX", ""))
    parser.add_argument("--municipality", default=env.get("CASEWORKER_APP_MUNICIPALITY", "607"))
    parser.add_argument(
        "--group-id",
        default=env.get("CASEWORKER_APP_GROUP_ID"),
        help="consumer group prefix (default caseworker-app.<municipality>); each run adds a "
        "suffix, because the worklist lives in memory and is rebuilt from the beginning",
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="how long to read")
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> Worklist:
    worklist = Worklist(municipality=args.municipality)
    group = args.group_id or f"caseworker-app.{args.municipality}"
    broker = KafkaBroker(args.bootstrap_servers, client_id="caseworker-app")
    subscribe(
        broker, worklist, prefix=args.topic_prefix, group_id=f"{group}.{uuid.uuid4().hex[:8]}"
    )
    await broker.start()
    try:
        await asyncio.sleep(args.seconds)
    finally:
        await broker.stop()
    return worklist


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.WARNING)
    worklist = asyncio.run(run(parse_args(argv)))
    print(format_table(worklist.rows()))


if __name__ == "__main__":
    main()
