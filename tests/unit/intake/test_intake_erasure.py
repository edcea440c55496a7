"""Issue 18 in intake: per-person data keys, and erasure that nothing can undo.

Erasing one person among several leaves nothing readable of them anywhere intake keeps data:
not in the raw store files (SQLite) or tables (PostgreSQL), not in the events even for one who
holds the store key (a backup and its key), not in what the relay would publish again from the
start, and a replay of the input does not bring them back. Everyone else stays readable."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.intake.adapters.publications import intake_publications
from services.intake.application.app import IntakeApplication
from services.intake.application.erasure import Eraser
from services.intake.application.identities import IdentityDirectory
from services.intake.application.service import IntakeService
from services.intake.bootstrap import build_application, build_service, pseudonymiser
from services.intake.domain.model import RejectedInput
from services.intake.settings import IntakeSettings
from shared.contracts import INTAKE_INCIDENTS
from shared.keys.keyring import PersonKeyring, WrappingKey
from tests.support import outbox, raw_store_bytes
from tests.unit.erasure_downstream import Downstream, decisions

SECRET = "s" * 32
STORE_KEY = base64.b64encode(b"c" * 32).decode()
NOW = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Person:
    cpr: str  # ten digits
    name: str
    address: str

    def document(self) -> dict[str, Any]:
        return {
            "cpr": f"{self.cpr[:6]}-{self.cpr[6:]}",
            "name": self.name,
            "role": "sigtet",
            "municipality_code": "607",
            "address": self.address,
        }

    def traces(self) -> list[bytes]:
        """What would show that their data is readable."""
        return [
            s.encode()
            for s in (self.cpr, f"{self.cpr[:6]}-{self.cpr[6:]}", self.name, self.address)
        ]


def people(count: int) -> list[Person]:
    return [
        Person(f"{i + 1:02d}0{i % 9 + 3}10{4100 + i}", f"Xaver{i} Qvistgaard", f"Zytovej {i}0")
        for i in range(count)
    ]


def incident(journal: int, persons: list[Person], revision: int = 1) -> bytes:
    names = " og ".join(p.name for p in persons)
    return json.dumps(
        {
            "journal_number": f"3700-80123-{journal:05d}-26",
            "revision": revision,
            "source": "doegnrapport",
            "reported_at": "2026-11-16T08:12:00+01:00",
            "occurred_at": "2026-11-15T22:40:00+01:00",
            "offence": {"code": "butikstyveri", "text": f"Tyveri, {names}"},
            "location": {"municipality_code": "607", "text": "Fredericia bymidte"},
            "persons": [p.document() for p in persons],
            "narrative": f"{names} blev antruffet efter tyveri.",
        }
    ).encode()


def rejected(persons: list[Person]) -> bytes:
    """Input that fails validation (a time that is no time) and names `persons`."""
    document = json.loads(incident(99, persons))
    return json.dumps({**document, "occurred_at": "i går aftes"}).encode()


@dataclass
class Intake:
    settings: IntakeSettings
    app: IntakeApplication
    service: IntakeService
    identities: IdentityDirectory
    eraser: Eraser

    def key_of(self, person: Person) -> str:
        return self.service.pseudonymiser.person_key(person.cpr)

    def readable_events(self) -> bytes:
        """Every stored event as whoever holds the store key reads it (a backup and its key)."""
        cipher = self.app.mapper.cipher
        assert cipher is not None
        notifications = self.app.recorder.select_notifications(start=None, limit=100_000)
        return b"\n".join(cipher.decrypt(n.state) for n in notifications)

    def republished(self) -> bytes:
        """Everything the relay would publish again from the first event."""
        messages = [
            m.withheld(self.app.erased_persons.withhold)
            for m in outbox(self.app, intake_publications)
        ]
        return b"\n".join(m.body() for m in messages if m is not None)

    def rejection_naming(self, persons: list[Person]) -> RejectedInput:
        result = self.service.submit_incident(rejected(persons))
        assert result.outcome == "rejected" and result.reference is not None
        return self.service.rejected_input(result.reference)


def open_intake(tmp_path: Path, store_url: str | None) -> Intake:
    settings_ = IntakeSettings(
        SSP_DATABASE_URL=store_url,
        SSP_DATA_DIR=str(tmp_path),
        INTAKE_PSEUDONYM_SECRET=SECRET,
        INTAKE_STORE_CIPHER_KEY=STORE_KEY,
    )
    app = build_application(settings_, STORE_KEY)
    service = build_service(settings_, app, SECRET, lambda: NOW)
    identities = IdentityDirectory(app, pseudonymiser(app, SECRET))
    return Intake(settings_, app, service, identities, Eraser(app, lambda: NOW))


@pytest.fixture
def intake(tmp_path: Path, store_url: str | None) -> Iterator[Intake]:
    opened = open_intake(tmp_path, store_url)
    try:
        yield opened
    finally:
        opened.app.keyring.close()
        opened.app.close()


def raw_store(intake: Intake, tmp_path: Path) -> bytes:
    """The raw bytes of every file (SQLite) or every table (PostgreSQL) intake writes."""
    return raw_store_bytes(intake.settings.database_url, tmp_path)


def test_erasing_one_person_leaves_nothing_of_them_readable_and_the_others_intact(
    intake: Intake, tmp_path: Path
) -> None:
    erased, kept = people(2)
    assert intake.service.submit_incident(incident(1, [erased, kept])).outcome == "accepted"
    assert intake.service.submit_incident(incident(2, [kept])).outcome == "accepted"
    both = intake.rejection_naming([erased, kept])
    erased_key, kept_key = intake.key_of(erased), intake.key_of(kept)
    # Sealed with the persons' keys inside the events: not even the store key reads them.
    for trace in (*erased.traces(), *kept.traces()):
        assert trace not in intake.readable_events()
        assert trace not in raw_store(intake, tmp_path)
    assert erased.name.encode() in intake.service.original_of(both)

    outcome = intake.eraser.erase(erased_key, "request")
    assert not outcome.already
    assert intake.eraser.erase(erased_key, "request").already  # once

    assert intake.identities.resolve(erased_key) is None
    assert intake.identities.letter_recipients(erased_key, "3700-80123-00001-26") is None
    resolved = intake.identities.resolve(kept_key)
    assert resolved is not None
    assert (resolved.cpr, resolved.names, resolved.addresses) == (
        kept.cpr,
        (kept.name,),
        (kept.address,),
    )
    # The rejected input: the whole document (which names both) is gone, the other's part is not.
    original = intake.service.original_of(intake.service.rejected_input(both.reference))
    assert kept.name.encode() in original
    for trace in erased.traces():
        assert trace not in original
        assert trace not in raw_store(intake, tmp_path)
    # The relay republishing from the start: nothing about them but the erasure itself.
    assert kept_key.encode() in intake.republished()
    withheld = [
        m.withheld(intake.app.erased_persons.withhold)
        for m in outbox(intake.app, intake_publications)
    ]
    messages = [json.loads(m.body()) for m in withheld if m is not None]
    about_erased = [m for m in messages if erased_key in json.dumps(m)]
    assert about_erased == [
        {
            "erasure_id": outcome.erasure.erasure_id,
            "person_key": erased_key,
            "municipality_code": "607",
            "reason": "request",
            "erased_at": "2026-12-06T03:00:00Z",
        }
    ]
    # A replay of the input: the incident is a duplicate, nobody is registered again.
    assert intake.service.submit_incident(incident(1, [erased, kept])).outcome == "duplicate"
    assert intake.identities.resolve(intake.key_of(erased)) is None


def test_a_later_incident_about_an_erased_person_starts_afresh(intake: Intake) -> None:
    [person] = people(1)
    intake.service.submit_incident(incident(1, [person]))
    first_key = intake.key_of(person)
    intake.eraser.erase(first_key, "retention_deadline")
    intake.service.submit_incident(incident(3, [person]))
    second_key = intake.key_of(person)
    assert second_key != first_key
    resolved = intake.identities.resolve(second_key)
    assert resolved is not None and resolved.cpr == person.cpr
    assert intake.identities.resolve(first_key) is None


def concern(number: int, person: Person) -> bytes:
    return json.dumps(
        {
            "concern_id": f"concern-{number}",
            "cpr": person.document()["cpr"],
            "municipality_code": "607",
            "school": "Kirstinebjergskolen",
            "category": "mistrivsel",
            "reporter": {"kind": "school"},
            "text": f"Bekymring for {person.name}, {person.address}",
            "registered_at": "2026-11-20T10:00:00+01:00",
        }
    ).encode()


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.data(),
    count=st.integers(min_value=2, max_value=4),
)
def test_erasing_any_one_person_of_any_history_leaves_only_the_others(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject, count: int
) -> None:
    """Any incidents, revisions (naming some of the incident's persons), concerns and rejected
    input about several persons, through intake and on to reporting and notifications (with
    triage's decision for each person): erasing one leaves nothing readable of them in intake
    and nothing of them in reporting's read models or notifications' letter tasks, also after
    a rebuild, a replay of every topic and a restart; the others stay."""
    persons = people(count)
    subsets = st.lists(st.sampled_from(persons), min_size=1, max_size=count, unique=True)
    incidents = data.draw(st.lists(subsets, min_size=1, max_size=4), label="incidents")
    revisions = [
        data.draw(st.none() | st.lists(st.sampled_from(named), min_size=1, unique=True))
        for named in incidents
    ]
    concerned = data.draw(st.lists(st.sampled_from(persons), max_size=3), label="concerns")
    rejections = data.draw(st.lists(subsets, max_size=2), label="rejections")
    erased = data.draw(st.sampled_from(persons), label="erased")
    directory = tmp_path_factory.mktemp("erasure")
    intake = open_intake(directory, "memory")
    downstream = Downstream.open(directory)
    try:
        for journal, named in enumerate(incidents, start=1):
            intake.service.submit_incident(incident(journal, named))
        for journal, named in enumerate(revisions, start=1):
            if named is not None:
                intake.service.submit_incident(incident(journal, named, revision=2))
        for number, person in enumerate(concerned):
            assert intake.service.submit_concern(concern(number, person)).outcome == "accepted"
        kept_rejections = [intake.rejection_naming(named) for named in rejections]
        # What intake published before the erasure, and triage's decisions, reach the others.
        before = [(m.topic, json.loads(m.body())) for m in outbox(intake.app, intake_publications)]
        accepted = [doc for topic, doc in before if topic == INTAKE_INCIDENTS]
        downstream.deliver([*before, *decisions(accepted)])
        erased_key = intake.key_of(erased)
        named_anywhere = erased in concerned or any(erased in named for named in incidents)
        assert (erased_key in downstream.reporting_rows()) is named_anywhere
        intake.eraser.erase(erased_key, "request")
        downstream.deliver(
            [(m.topic, json.loads(m.body())) for m in outbox(intake.app, intake_publications)][
                len(before) :
            ]
        )

        for trace in erased.traces():
            assert trace not in intake.readable_events()
            assert trace not in intake.republished()
            for rejection in kept_rejections:
                assert trace not in intake.service.original_of(rejection)
        for other in persons:
            if other == erased or not any(other in named for named in incidents):
                continue
            resolved = intake.identities.resolve(intake.key_of(other))
            assert resolved is not None and resolved.cpr == other.cpr
        for named, rejection in zip(rejections, kept_rejections, strict=True):
            original = intake.service.original_of(rejection)
            for other in named:
                assert (other.name.encode() in original) is (other != erased)
        # Downstream: only the others, in reporting's read models and notifications' tasks.
        others_with_tasks = {d["person_key"] for _, d in decisions(accepted)} - {erased_key}
        others = {intake.key_of(p) for p in persons if p != erased}

        def only_the_others_downstream() -> None:
            rows = downstream.reporting_rows()
            assert erased_key not in rows
            for key in others_with_tasks | (others & {intake.key_of(p) for p in concerned}):
                assert key in rows
            assert downstream.letter_task_persons() == others_with_tasks

        only_the_others_downstream()
        downstream.projection.rebuild()
        downstream.restart_notifications()
        only_the_others_downstream()
        # Replayed: every incident is a duplicate; the erased person stays erased, in intake
        # and downstream (every topic delivered again from the start).
        for journal, named in enumerate(incidents, start=1):
            assert intake.service.submit_incident(incident(journal, named)).outcome in (
                "duplicate",
                "superseded",
            )
        for trace in erased.traces():
            assert trace not in intake.readable_events()
        downstream.deliver([*before, *decisions(accepted)])
        only_the_others_downstream()
    finally:
        downstream.close()
        intake.app.keyring.close()
        intake.app.close()


def test_the_wrapping_key_rotates_and_old_data_keys_still_open(
    tmp_path: Path, store_url: str | None
) -> None:
    settings_ = IntakeSettings(SSP_DATABASE_URL=store_url, SSP_DATA_DIR=str(tmp_path))
    old, new = WrappingKey.of(b"o" * 32), WrappingKey.of(b"n" * 32)
    first = PersonKeyring.open(settings_, old)
    keys = first.keys_of(["pk_a", "pk_b"])
    first.close()
    assert old.key_id != new.key_id
    with pytest.raises(ValueError, match="not configured"):
        PersonKeyring.open(settings_, new).keys_of(["pk_a"], create=False)
    rotated = PersonKeyring.open(settings_, new, [old])
    assert rotated.rewrap() == 2
    assert rotated.count_by_wrapping_key() == {new.key_id: 2}
    assert rotated.rewrap() == 0
    rotated.close()
    only_new = PersonKeyring.open(settings_, new)
    assert only_new.keys_of(["pk_a", "pk_b"], create=False) == keys
    only_new.destroy("pk_a", "e-1", "person", "request")
    assert only_new.keys_of(["pk_a"], create=True) == {}  # never again for an erased owner
    assert only_new.is_erased("pk_a") and not only_new.is_erased("pk_b")
    only_new.close()


def test_a_concern_is_sealed_with_the_young_persons_key_and_goes_with_them(
    intake: Intake,
) -> None:
    """Issue 18 with issue 15's concerns: who reported it and what they wrote are readable
    until the young person is erased, and not even with the store key after."""
    from services.intake.application.concerns import concern_record, confidential_of
    from shared.eventstore import UnitOfWork
    from tests.unit.concerns.documents import REPORTER_NAME, SECRET_TEXT, concern

    document = concern("c-erase")
    assert intake.service.submit_concern(json.dumps(document).encode()).outcome == "accepted"
    record = concern_record(UnitOfWork(intake.app), "c-erase")
    assert record is not None
    opened = confidential_of(record, intake.app.sealer)
    assert opened is not None and opened["text"] == SECRET_TEXT
    for secret in (SECRET_TEXT, REPORTER_NAME):
        assert secret.encode() not in intake.readable_events()

    intake.eraser.erase(intake.service.pseudonymiser.person_key(document["cpr"]), "request")
    assert confidential_of(record, intake.app.sealer) is None
    for secret in (SECRET_TEXT, REPORTER_NAME, document["name"]):
        assert secret.encode() not in intake.readable_events()
