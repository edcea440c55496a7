"""The golden messages: what the platform publishes on each of its topics in one fixed scenario,
produced by the real services (their stores in memory, their inbox runtime and outbox relay,
their publications) with a fixed clock and fixed secrets.

One incident about two young persons flagged `bande` goes through intake (with a case opened
for one of them, a revision that drops the other, and an invalid incident), triage,
notifications and courses; courses also runs an acute-event procedure; and every service
gives up on one message (its dead-letter topic).

`tests/golden/<topic>.json` holds, per topic, every message of the scenario in the order it was
published: key, value (exact text) and headers. Only the W3C trace context is masked (its span
ids are random by design). Regenerate after an intended contract change, and say why in the
commit:

    uv run python -m tests.golden.scenario --write
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from services.courses import bootstrap as courses_bootstrap
from services.courses.application.commands.acute import CompleteStep, StartAcuteProcedure
from services.courses.application.commands.follow_up import NextStepIn, RecordFollowUpAction
from services.courses.settings import CoursesSettings
from services.intake import bootstrap as intake_bootstrap
from services.intake.application.erasure import Eraser
from services.intake.domain.pseudonym import Pseudonymiser
from services.intake.settings import IntakeSettings
from services.notifications import bootstrap as notifications_bootstrap
from services.notifications.application.caseworker_side import CaseworkerSide
from services.notifications.settings import NotificationsSettings
from services.reporting import bootstrap as reporting_bootstrap
from services.reporting.settings import ReportingSettings
from services.triage import bootstrap as triage_bootstrap
from services.triage.application.meetings import ActionToAgree, MeetingMinutes, Participant
from services.triage.application.service import MeetingRevision
from services.triage.settings import TriageSettings
from shared.contracts import (
    CONCERNS,
    INTAKE_CONCERNS,
    POLICE_INCIDENTS,
    SOCIAL_CASES,
    TOPICS,
    TRIAGE_CASEWORKER,
    TRIAGE_TOVHOLDER,
    TRIAGE_WITHDRAWALS,
    CaseworkerAssessment,
)
from shared.eventstore.application import ServiceApplication
from shared.messaging.inbound import Inbound
from shared.messaging.inbox import InboxRuntime
from shared.messaging.relay import OutboxRelay
from shared.runtime import ServiceDefinition

GOLDEN = Path(__file__).resolve().parent
EXAMPLE = GOLDEN.parents[1] / "samples" / "incidents" / "incident-valid.json"
INVALID = GOLDEN.parents[1] / "samples" / "incidents" / "incident-invalid.json"
NOW = datetime(2026, 11, 16, 9, 30, tzinfo=UTC)
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
_TRACEPARENT = re.compile(r"00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]")
PSEUDONYM_SECRET = "golden-pseudonym-secret-0123456789abcdef"
STORE_KEY = base64.b64encode(bytes(range(32))).decode()


@dataclass(frozen=True)
class Published:
    """One message as the relay handed it to the producer."""

    topic: str
    key: str
    value: bytes
    headers: tuple[tuple[str, str], ...]

    def as_inbound(self, offset: int) -> Inbound:
        return Inbound(
            topic=self.topic,
            partition=0,
            offset=offset,
            key=self.key.encode(),
            value=self.value,
            headers=dict(self.headers),
        )

    def golden(self) -> dict[str, Any]:
        headers: dict[str, str] = {}
        for name, value in self.headers:
            if name == "traceparent":
                assert _TRACEPARENT.fullmatch(value), value
                value = "<W3C traceparent>"
            headers[name] = value
        try:
            text: dict[str, str] = {"value": self.value.decode("utf-8")}
        except UnicodeDecodeError:
            text = {"value_base64": base64.b64encode(self.value).decode()}
        return {"key": self.key, **text, "headers": headers}


class _RecordingProducer:
    """The relay's producer at the broker's edge: records each send, acknowledged at once."""

    def __init__(self) -> None:
        self.sent: list[Published] = []

    async def send(
        self, topic: str, value: bytes, *, key: bytes, headers: Sequence[tuple[str, bytes]]
    ) -> asyncio.Future[None]:
        self.sent.append(
            Published(topic, key.decode(), value, tuple((n, v.decode()) for n, v in headers))
        )
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        return done


class _Service:
    """One service's real store, inbox runtime and relay, in memory."""

    def __init__(self, definition: ServiceDefinition, executor: ThreadPoolExecutor) -> None:
        self.definition = definition
        self.executor = executor
        self.app: ServiceApplication = definition.app_factory()
        assert definition.handler_factory is not None
        self.inbox = InboxRuntime(
            service=definition.name,
            app=self.app,
            handler=definition.handler_factory(self.app),
            executor=executor,
            max_attempts=2,
            retry_backoff_s=0.0,
            publish_original_on_dead_letter=definition.publish_original_on_dead_letter,
        )
        self.producer = _RecordingProducer()
        self.relay = OutboxRelay(
            service=definition.name,
            app=self.app,
            producer=self.producer,  # type: ignore[arg-type]
            publications=definition.publications,
            executor=executor,
        )
        self._offset = 0

    async def receive(self, messages: Sequence[Published]) -> None:
        """Each message through the inbox runtime, one batch."""
        batch = []
        for message in messages:
            batch.append(message.as_inbound(self._offset))
            self._offset += 1
        await self.inbox.process(batch)

    async def give_up_on(self, topic: str) -> None:
        """A message the service's handler fails on: kept and relayed as a dead letter."""

        def failing(_: Sequence[Inbound]) -> None:
            raise RuntimeError("the golden scenario's handler failure")

        poison = Published(
            topic, "golden-poison", b'{"golden": "poison"}', (("traceparent", TRACEPARENT),)
        )
        self.inbox.handler = failing
        try:
            await self.receive([poison])
        finally:
            assert self.definition.handler_factory is not None
            self.inbox.handler = self.definition.handler_factory(self.app)

    async def publish(self) -> list[Published]:
        """What the relay publishes now."""
        start = len(self.producer.sent)
        while await self.relay.publish_next_batch():
            pass
        return self.producer.sent[start:]


def _external(topic: str, key: str, document: dict[str, Any]) -> Published:
    return Published(topic, key, json.dumps(document).encode(), (("traceparent", TRACEPARENT),))


def _on(messages: Sequence[Published], *topics: str) -> list[Published]:
    return [m for m in messages if m.topic in topics]


@dataclass(frozen=True)
class Scenario:
    published: list[Published]
    """Every message, in the order the services published them."""
    produces: dict[str, list[str]]
    """Each service's declared output topics."""


def _weekly_meeting(
    triage: _Service, settings: TriageSettings, clock: Callable[[], datetime], journal: str
) -> None:
    """The weekly meeting keeps the remaining person's route and owner, agrees an action and
    records a note (ssp.meetings.events.v1; the other topics' bytes stay as they were)."""
    service = triage_bootstrap.build_service(settings, triage.app, clock)  # type: ignore[arg-type]
    latest = service.latest_triage(journal)
    assert latest is not None
    [decision] = latest.decisions
    meeting = (decision.municipality_code, "2026-W47")
    service.revise_at_meeting(
        journal,
        decision.person_key,
        MeetingRevision(
            route=decision.route,
            owner_role=decision.owner_role or "caseworker",
            owner_team=decision.owner_team,
            decided_by="ABJ",
            decider_role="tovholder",
            municipality_code=meeting[0],
            iso_week=meeting[1],
        ),
    )
    minutes = MeetingMinutes(service.app)
    minutes.agree_action(
        *meeting,
        ActionToAgree(
            journal, decision.person_key, "Samtale", "caseworker", None, date(2026, 11, 23)
        ),
        Participant("KLM", "team_leader"),
        clock(),
    )
    minutes.record_note(
        *meeting, journal, decision.person_key, "Referat", Participant("ABJ", "tovholder"), clock()
    )


def _turning_18(triage: _Service, settings: TriageSettings, clock: Callable[[], datetime]) -> None:
    """The birthday check opens the handover task of the person with the active case, and its
    owner completes it: handed over to PSP."""
    service = triage_bootstrap.build_service(settings, triage.app, clock)  # type: ignore[arg-type]
    assert service.check_birthdays(date(2028, 3, 12)) == 1
    [task] = service.psp_ksp_handovers("607")
    service.complete_psp_ksp_handover("607", task["person_key"], "psp")


async def run_scenario(data_dir: Path) -> Scenario:
    """Every message the platform publishes in the scenario, service by service."""
    clock: Callable[[], datetime] = lambda: NOW  # noqa: E731
    common = {"SSP_DATABASE_URL": "memory", "SSP_DATA_DIR": str(data_dir)}
    executor = ThreadPoolExecutor(max_workers=1)
    published: list[Published] = []
    try:
        intake = _Service(
            intake_bootstrap.definition(
                IntakeSettings(
                    **common,
                    INTAKE_PSEUDONYM_SECRET=PSEUDONYM_SECRET,
                    INTAKE_STORE_CIPHER_KEY=STORE_KEY,
                ),
                clock=clock,
            ),
            executor,
        )
        incident = {**json.loads(EXAMPLE.read_text()), "flags": ["bande"]}
        revised = {**incident, "revision": 2, "persons": incident["persons"][:1]}
        case_opened = {
            "event": "case_opened",
            "case_id": "DUBU-2026-001234",
            "cpr": incident["persons"][0]["cpr"],
            "municipality_code": "607",
            "team": "Børn og Familie Team Nord",
            "caseworker": "ABJ",
            "at": "2026-10-02T09:00:00+02:00",
        }
        journal = incident["journal_number"]
        await intake.receive([_external(SOCIAL_CASES, case_opened["case_id"], case_opened)])
        await intake.receive([_external(POLICE_INCIDENTS, journal, incident)])
        await intake.receive([_external(POLICE_INCIDENTS, "bad", json.loads(INVALID.read_text()))])
        await intake.receive([_external(POLICE_INCIDENTS, journal, revised)])
        await intake.give_up_on(POLICE_INCIDENTS)
        # A concern from the person's school (issue 15, part 5), after everything else intake
        # stores, so that no earlier message changes.
        concern = {
            "concern_id": "golden-concern-1",
            "cpr": incident["persons"][0]["cpr"],
            "municipality_code": "607",
            "school": "Kirstinebjergskolen",
            "category": "grupperinger",
            "reporter": {"kind": "school", "name": "Lærer Hanne Holm"},
            "text": "Ses med ældre unge ved stationen.",
            "registered_at": "2026-11-16T08:00:00+01:00",
        }
        await intake.receive([_external(CONCERNS, concern["concern_id"], concern)])
        from_intake = await intake.publish()
        published += from_intake

        triage = _Service(
            triage_bootstrap.definition(TriageSettings(**common), clock=clock), executor
        )
        for message in from_intake:  # in order: the case event first, then each revision
            # The concern's place on the agenda is tested in tests/unit/concerns: here it would
            # open the meeting before the meeting's own golden events.
            if message.topic in triage.definition.consumes and message.topic != INTAKE_CONCERNS:
                await triage.receive([message])
        await triage.give_up_on(triage.definition.consumes[0])
        await asyncio.get_running_loop().run_in_executor(
            executor, _weekly_meeting, triage, TriageSettings(**common), clock, journal
        )
        from_triage = await triage.publish()
        published += from_triage
        # The person with the active case turns 18 (2028-03-12) with it still open: the PSP/KSP
        # handover task opened and completed on ssp.triage.handovers.v1 (issue 17), published
        # after the rest so that no other topic's message changes.
        await asyncio.get_running_loop().run_in_executor(
            executor, _turning_18, triage, TriageSettings(**common), clock
        )
        published += await triage.publish()

        notifications = _Service(
            notifications_bootstrap.definition(NotificationsSettings(**common), clock=clock),
            executor,
        )
        await notifications.receive(_on(from_triage, *notifications.definition.consumes))
        await notifications.give_up_on(notifications.definition.consumes[0])
        published += await notifications.publish()

        courses_settings = CoursesSettings(**common)
        courses = _Service(courses_bootstrap.definition(courses_settings, clock=clock), executor)
        await courses.receive(_on(from_triage, *courses.definition.consumes))
        commands = courses_bootstrap.build_service(courses_settings, courses.app, clock)  # type: ignore[arg-type]
        procedure = commands.start(
            StartAcuteProcedure(
                municipality_code="607",
                reference="2026-11-brand-skole",
                journal_number=journal,
                director="DIR",
                head_of_department="AFD",
            )
        )
        commands.execute(procedure.id, CompleteStep(expected_version=procedure.version, step=4))
        await courses.give_up_on(courses.definition.consumes[0])
        # After the dead letter (its notification id stays): a home visit with a next step
        # (issue 17, part 2), codes and dates on ssp.courses.follow-ups.v1, never the note.
        routed = json.loads(_on(from_triage, TRIAGE_TOVHOLDER, TRIAGE_CASEWORKER)[0].value)
        commands.follow_ups.new_id = lambda: UUID("6f1d3c2b-5a4e-4d7c-9b8a-1e2f3a4b5c6d")
        commands.follow_ups.record(
            RecordFollowUpAction(
                person_key=routed["person_key"],
                municipality_code="607",
                journal_number=journal,
                kind="hjemmebesoeg",
                held_on=date(2026, 11, 16),
                held_by="ABJ",
                outcome="held",
                next_step=NextStepIn(
                    kind="skolebesoeg", owner="tovholder", due_on=date(2026, 11, 23)
                ),
                note="Privat note om hjemmet",
            ),
            "tovholder",
        )
        from_courses = await courses.publish()
        published += from_courses

        # Notifications creates and completes the acute procedure's standard letter.
        await notifications.receive(_on(from_courses, *notifications.definition.consumes))
        # The caseworker's side (issue 17, part 3): the person the revision dropped is
        # summoned and met with the family; no letter (the decision was withdrawn).
        dropped = json.loads(_on(from_triage, TRIAGE_WITHDRAWALS)[0].value)
        side = CaseworkerSide(
            notifications_bootstrap.build_service(
                NotificationsSettings(**common),
                notifications.app,  # type: ignore[arg-type]
                clock,
            )
        )
        side.service.receive_assessment(
            CaseworkerAssessment(
                journal_number=journal,
                person_key=dropped["person_key"],
                outcome="summon",
                caseworker="ABJ",
                at=NOW,
                note="Privat note",
            )
        )
        side.hold_family_meeting(journal, dropped["person_key"], NOW.date(), "ABJ", True)
        published += await notifications.publish()

        reporting = _Service(reporting_bootstrap.definition(ReportingSettings(**common)), executor)
        await reporting.give_up_on(reporting.definition.consumes[0])
        published += await reporting.publish()

        # The person revision 2 dropped is erased on request (issue 18): PersonErased.
        dropped = incident["persons"][1]["cpr"]
        eraser = Eraser(intake.app, clock)  # type: ignore[arg-type]
        erased_key = Pseudonymiser(PSEUDONYM_SECRET.encode()).person_key(dropped)
        await asyncio.get_running_loop().run_in_executor(
            executor, eraser.erase, erased_key, "request"
        )
        published += await intake.publish()
    finally:
        executor.shutdown()
    services = (intake, triage, notifications, courses, reporting)
    return Scenario(published, {s.definition.name: list(s.definition.produces) for s in services})


def golden_documents(published: Sequence[Published]) -> dict[str, list[dict[str, Any]]]:
    """Per topic (in the registry's order), its messages in publication order."""
    by_topic: dict[str, list[dict[str, Any]]] = {}
    for topic in TOPICS:
        messages = [m.golden() for m in published if m.topic == topic]
        if messages:
            by_topic[topic] = messages
    unknown = {m.topic for m in published} - TOPICS.keys()
    assert not unknown, f"published to topics the registry lacks: {unknown}"
    return by_topic


def render(messages: list[dict[str, Any]]) -> str:
    return json.dumps(messages, indent=2, ensure_ascii=False) + "\n"


def golden_path(topic: str) -> Path:
    return GOLDEN / f"{topic}.json"


def produce() -> Scenario:
    with tempfile.TemporaryDirectory() as data_dir:
        return asyncio.run(run_scenario(Path(data_dir)))


def main(argv: Sequence[str]) -> int:
    documents = golden_documents(produce().published)
    if "--write" not in argv:
        print("\n".join(f"{topic}: {len(m)} message(s)" for topic, m in documents.items()))
        return 0
    for stale in GOLDEN.glob("ssp.*.json"):
        if stale.stem not in documents:
            stale.unlink()
    for topic, messages in documents.items():
        golden_path(topic).write_text(render(messages), encoding="utf-8")
    print(f"wrote {len(documents)} golden files to {GOLDEN}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
