"""What the erasure and retention tests of courses share (issue 18): courses opened on a store
(in memory, a SQLite file or PostgreSQL), commands that store free text about a person, their
erasure, and every stored text opened as a fresh reader would."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from uuid import UUID

from services.courses.adapters.texts import SEALED_PREFIX
from services.courses.application.app import CoursesApplication
from services.courses.application.commands.exit_programme import (
    RecordClarifyingTalk,
    ReferToExitProgramme,
)
from services.courses.application.commands.follow_up import RecordFollowUpAction
from services.courses.application.commands.trivsel import AddGoal, CloseTrivsel, StartTrivsel
from services.courses.application.follow_ups import TextSealer
from services.courses.application.service import CoursesService
from services.courses.bootstrap import build_application, build_service
from services.courses.domain.course import Course
from services.courses.domain.follow_up import FollowUpAction
from services.courses.settings import CoursesSettings
from shared.contracts import PersonErased
from shared.eventstore import UnitOfWork
from tests.unit.courses.factories import JOURNAL, FakeClock, day, decision
from tests.unit.intake.test_intake_erasure import raw_store

NOTE_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="  # base64 of 32 bytes


@dataclass
class Courses:
    settings: CoursesSettings
    app: CoursesApplication
    service: CoursesService
    clock: FakeClock

    def close(self) -> None:
        self.service.keyring.close()
        self.app.close()

    def raw(self, tmp_path: Path) -> bytes:
        """Every byte courses wrote: its SQLite files, or its PostgreSQL tables."""
        return raw_store(SimpleNamespace(settings=self.settings), tmp_path)  # type: ignore[arg-type]


def open_courses(tmp_path: Path, store_url: str | None, clock: FakeClock, **more: Any) -> Courses:
    """`store_url`: None for SQLite files in `tmp_path`, "memory", or a PostgreSQL URL;
    `more`: further settings."""
    settings = CoursesSettings(
        SSP_DATABASE_URL=store_url,
        SSP_DATA_DIR=str(tmp_path),
        COURSES_NOTE_CIPHER_KEY=NOTE_KEY,
        SSP_MUNICIPALITIES="607,376",
        **more,
    )
    app = build_application(settings)
    return Courses(settings, app, build_service(settings, app, clock), clock)


def text_of(person_key: str, what: str) -> str:
    """Free text naming the person, unique per person and purpose (scanned for)."""
    return f"Privat note om {person_key}: {what}"


def start_trivsel(service: CoursesService, person_key: str) -> Course:
    service.receive(decision(key=person_key))
    course = service.start(
        StartTrivsel(
            person_key=person_key,
            journal_number=JOURNAL,
            step=2,
            rationale=text_of(person_key, "rationale"),
            coordinator="ABJ",
            local_leader="KLM",
        )
    )
    return service.execute(
        course.id,
        AddGoal(
            expected_version=course.version,
            goal_id="g1",
            description=text_of(person_key, "goal"),
            owner="ABJ",
            review_on=day(30),
        ),
    )


def close_trivsel(service: CoursesService, course: Course) -> Course:
    return service.execute(
        course.id,
        CloseTrivsel(
            expected_version=service.course(course.id).version,
            outcome="dropped",
            note=text_of(course.person_key or "", "closing"),
        ),
    )


def start_exit(service: CoursesService, person_key: str, referred_on: date) -> Course:
    programme = service.start(
        ReferToExitProgramme(
            person_key=person_key,
            municipality_code="376",
            age_at_referral=17,
            referred_by="police",
            referred_on=referred_on,
            coordinator="EXK",
        )
    )
    return service.execute(
        programme.id,
        RecordClarifyingTalk(
            expected_version=programme.version,
            with_police=True,
            in_target_group="yes",
            motivated="yes",
            note=text_of(person_key, "talk"),
        ),
    )


def record_follow_up(
    service: CoursesService, person_key: str, course_id: UUID | None = None
) -> FollowUpAction:
    return service.follow_ups.record(
        RecordFollowUpAction(
            person_key=person_key,
            municipality_code="607",
            course_id=course_id,
            kind="hjemmebesoeg",
            held_by="ABJ",
            outcome="held",
            note=text_of(person_key, "follow-up"),
        ),
        "tovholder",
    )


def erase(service: CoursesService, person_key: str, at: datetime | None = None) -> bool:
    """Courses receives intake's `PersonErased` for the person."""
    erased = PersonErased(
        erasure_id=f"erasure-{person_key}",
        person_key=person_key,
        municipality_code="607",
        reason="request",
        erased_at=at or datetime(2026, 12, 1, tzinfo=UTC),
    )
    uow = UnitOfWork(service.app)
    changed = service.erase_person_in(uow, erased)
    uow.commit()
    return changed


def stored_texts(app: CoursesApplication) -> list[str]:
    """Every sealed text in every stored event (the way a backup of the store holds them)."""
    found: list[str] = []
    position = 0
    while page := app.recorder.select_notifications(
        start=position, limit=500, inclusive_of_start=False
    ):
        for notification in page:
            found += _sealed_in(vars(app.mapper.to_domain_event(notification)))
        position = page[-1].id
    return found


def _sealed_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.startswith(SEALED_PREFIX) else []
    if isinstance(value, dict):
        return [text for v in value.values() for text in _sealed_in(v)]
    if isinstance(value, list):
        return [text for v in value for text in _sealed_in(v)]
    return []


def readable(texts: TextSealer, app: CoursesApplication) -> set[str]:
    """Every stored text that still opens with the keys courses' keyring holds."""
    opened = (texts.open(sealed) for sealed in stored_texts(app))
    return {text for text in opened if text}
