"""Issue 18 in reporting: an erased person leaves every read model (the handover list, the
trace, every table), the trace shows that a person was erased and not who, and neither a
rebuild nor a replay of the topics brings them back; the other person stays. On SQLite and
PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from services.reporting.adapters.views import tables
from services.reporting.application.projection import Projection
from services.reporting.bootstrap import build_application, build_read_side, build_service
from services.reporting.domain.weeks import IsoWeek
from services.reporting.entrypoints.kafka import CONSUMERS
from services.reporting.settings import ReportingSettings
from shared.contracts import (
    INTAKE_INCIDENTS,
    LETTER_TASKS,
    PERSON_ERASURES,
    TRIAGE_CASEWORKER,
    TRIAGE_TOVHOLDER,
)
from shared.messaging.inbound import Inbound
from tests.unit.reporting import documents as doc

ERASED = {
    "erasure_id": "5f0c8a1e-9d2b-4c7e-8a31-6b2d4e1f0a97",
    "person_key": doc.PK_TOVHOLDER,
    "municipality_code": doc.FREDERICIA,
    "reason": "request",
    "erased_at": "2026-12-06T03:00:00+01:00",
}
FLOW: list[tuple[str, dict[str, Any]]] = [
    (
        INTAKE_INCIDENTS,
        doc.accepted_incident(
            [doc.person(doc.PK_TOVHOLDER, 14), doc.person(doc.PK_CASEWORKER, 16)]
        ),
    ),
    (
        TRIAGE_TOVHOLDER,
        doc.routing_decision(doc.PK_TOVHOLDER, "tovholder", decided_at="2026-11-16T08:12:03+01:00"),
    ),
    (LETTER_TASKS, doc.letter_task(doc.PK_TOVHOLDER, "created", at="2026-11-16T08:12:05+01:00")),
    (
        TRIAGE_CASEWORKER,
        doc.routing_decision(
            doc.PK_CASEWORKER, "caseworker", decided_at="2026-11-16T08:12:04+01:00"
        ),
    ),
]


def delivered(
    settings: ReportingSettings, sent: list[tuple[str, dict[str, Any]]], first: int
) -> list[Inbound]:
    """As a relay delivers them from offset `first` (a replay: new offsets, new ids)."""
    return [
        Inbound(
            topic=settings.topic(topic),
            partition=0,
            offset=first + i,
            key=None,
            value=json.dumps(document).encode(),
            headers=doc.relay_headers("upstream", first + i + 1),
        )
        for i, (topic, document) in enumerate(sent)
    ]


def every_row(projection: Projection) -> str:
    """Every row of every read model, in a stable order (PostgreSQL moves an updated row)."""
    with projection.views.engine.connect() as conn:
        return repr(
            [sorted(map(repr, conn.execute(select(t)))) for t in tables.metadata.sorted_tables]
        )


def handover_keys(queries: Any) -> list[str]:
    persons = queries.handover(doc.FREDERICIA, IsoWeek.parse(doc.WEEK)).model_dump()["persons"]
    return [p["person_key"] for p in persons]


def test_an_erased_person_leaves_every_read_model_for_good(
    tmp_path: Path, store_url: str | None
) -> None:
    settings = ReportingSettings(SSP_DATABASE_URL=store_url, SSP_DATA_DIR=str(tmp_path))
    app = build_application(settings)
    projection, queries = build_read_side(settings, app)
    handle = CONSUMERS.batch_handler(
        build_service(settings, app, projection.views.engine), settings
    )
    try:
        handle(delivered(settings, FLOW, 0))
        projection.catch_up()
        assert handover_keys(queries) == [doc.PK_TOVHOLDER, doc.PK_CASEWORKER]

        handle(delivered(settings, [(PERSON_ERASURES, ERASED)], 100))
        projection.catch_up()
        assert handover_keys(queries) == [doc.PK_CASEWORKER]
        assert doc.PK_TOVHOLDER not in every_row(projection)
        assert doc.PK_CASEWORKER in every_row(projection)
        trace = queries.trace(doc.JOURNAL)
        assert trace is not None
        [erasure] = [s for s in trace.steps if s.step == "person_erased"]
        assert erasure.person_key is None and "request" in erasure.detail
        assert doc.PK_TOVHOLDER not in trace.model_dump_json()
        after_erasure = every_row(projection)

        projection.rebuild()
        assert every_row(projection) == after_erasure

        handle(delivered(settings, FLOW, 200))  # the topics replayed from the start
        projection.catch_up()
        assert handover_keys(queries) == [doc.PK_CASEWORKER]
        assert doc.PK_TOVHOLDER not in every_row(projection)
        projection.rebuild()
        assert doc.PK_TOVHOLDER not in every_row(projection)
    finally:
        projection.views.dispose()
        app.close()


def test_a_person_a_later_revision_left_out_is_erased_from_the_earlier_ones_too(
    tmp_path: Path, store_url: str | None
) -> None:
    """The first revision names both; the second only the other person; then the first is
    erased: the first revision's trace step no longer names them either."""
    settings = ReportingSettings(SSP_DATABASE_URL=store_url, SSP_DATA_DIR=str(tmp_path))
    app = build_application(settings)
    projection, _ = build_read_side(settings, app)
    handle = CONSUMERS.batch_handler(
        build_service(settings, app, projection.views.engine), settings
    )
    revised = doc.accepted_incident(
        [doc.person(doc.PK_CASEWORKER, 16)], revision=2, accepted_at="2026-11-17T08:00:00+01:00"
    )
    try:
        handle(delivered(settings, [*FLOW, (INTAKE_INCIDENTS, revised)], 0))
        projection.catch_up()
        handle(delivered(settings, [(PERSON_ERASURES, ERASED)], 100))
        projection.catch_up()
        assert doc.PK_TOVHOLDER not in every_row(projection)
        assert doc.PK_CASEWORKER in every_row(projection)
    finally:
        projection.views.dispose()
        app.close()
