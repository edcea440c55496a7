"""Every service stores events with eventsourcing's own JSONTranscoder (stdlib JSON, compact,
UTF-8 kept). The bytes are pinned: times, dates (courses), UUIDs and decimals are written as
they have been since the first stored event, and such bytes decode to the same values."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID

import pytest
from eventsourcing.persistence import JSONTranscoder

from services.courses.application.app import CoursesApplication
from services.intake.application.app import IntakeApplication
from services.notifications.application.app import NotificationsApplication
from services.reporting.application.app import ReportingApplication
from services.triage.application.app import TriageApplication
from shared.eventstore import ServiceApplication

STATE = {
    "at": datetime(2026, 11, 18, 8, 0, 0, 123456, tzinfo=timezone(timedelta(hours=1))),
    "naive": datetime(2026, 1, 2, 3, 4, 5),
    "id": UUID("fc519982-bfb6-5e9d-bc11-51af5f63e233"),
    "amount": Decimal("12.50"),
    "text": "Ærø ✓",
    "n": [1, 2.5, None, True],
    "nested": {"ids": [UUID(int=1)]},
}
STORED = (
    '{"at":{"_type_":"datetime_iso","_data_":"2026-11-18T08:00:00.123456+01:00"},'
    '"naive":{"_type_":"datetime_iso","_data_":"2026-01-02T03:04:05"},'
    '"id":{"_type_":"uuid_hex","_data_":"fc519982bfb65e9dbc1151af5f63e233"},'
    '"amount":{"_type_":"decimal_str","_data_":"12.50"},'
    '"text":"Ærø ✓","n":[1,2.5,null,true],'
    '"nested":{"ids":[{"_type_":"uuid_hex","_data_":"00000000000000000000000000000001"}]}}'
).encode()

APPLICATIONS: tuple[type[ServiceApplication], ...] = (
    IntakeApplication,
    TriageApplication,
    NotificationsApplication,
    ReportingApplication,
    CoursesApplication,
)


@pytest.fixture(scope="module", params=APPLICATIONS, ids=lambda cls: cls.name)
def transcoder(request: pytest.FixtureRequest) -> Iterator[JSONTranscoder]:
    app = request.param(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    transcoder = app.mapper.transcoder
    assert isinstance(transcoder, JSONTranscoder)
    yield transcoder
    app.close()


def test_each_service_writes_the_stored_bytes(transcoder: JSONTranscoder) -> None:
    assert transcoder.encode(STATE) == STORED


def test_each_service_reads_the_stored_bytes(transcoder: JSONTranscoder) -> None:
    assert transcoder.decode(STORED) == STATE


def test_courses_store_calendar_dates_as_dates() -> None:
    app = CoursesApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    stored = b'{"on":{"_type_":"date_iso","_data_":"2026-11-18"}}'
    assert app.mapper.transcoder.encode({"on": date(2026, 11, 18)}) == stored
    assert app.mapper.transcoder.decode(stored) == {"on": date(2026, 11, 18)}
    app.close()
