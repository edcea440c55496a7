"""Reporting and notifications as intake's topics reach them, for issue 18's property test:
every message intake would publish (incidents and their revisions, concerns, rejected input,
the erasure), and triage's routing decision for each person of each incident, delivered to
both services' batch handlers as a relay delivers them; then what each still holds."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.notifications import bootstrap as notifications
from services.notifications.application.service import NotificationsService
from services.notifications.entrypoints.kafka import CONSUMERS as NOTIFICATIONS
from services.notifications.settings import NotificationsSettings
from services.reporting import bootstrap as reporting
from services.reporting.adapters.views import tables
from services.reporting.application.projection import Projection
from services.reporting.entrypoints.kafka import CONSUMERS as REPORTING
from services.reporting.settings import ReportingSettings
from shared.contracts import TRIAGE_TOVHOLDER
from shared.messaging.inbound import Inbound
from tests.unit.notifications.factories import FakeClock, decision_doc

Sent = tuple[str, dict[str, Any]]


def decisions(accepted: Sequence[dict[str, Any]]) -> list[Sent]:
    """Triage's decision for each person of each accepted incident (the latest revision's)."""
    latest = {incident["journal_number"]: incident for incident in accepted}
    return [
        (
            TRIAGE_TOVHOLDER,
            decision_doc(
                key=person["person_key"],
                journal_number=journal,
                decision_id=f"decision-{journal}-{person['person_key']}",
                revision=incident["revision"],
            ),
        )
        for journal, incident in latest.items()
        for person in incident["persons"]
    ]


@dataclass
class Downstream:
    reporting_settings: ReportingSettings
    projection: Projection
    notifications_settings: NotificationsSettings
    notifications: NotificationsService
    offset: int = 0

    @classmethod
    def open(cls, data_dir: Path) -> Downstream:
        settings = ReportingSettings(SSP_DATA_DIR=str(data_dir))
        app = reporting.build_application(settings)
        projection, _ = reporting.build_read_side(settings, app)
        n_settings = NotificationsSettings(SSP_DATABASE_URL="memory", SSP_DATA_DIR=str(data_dir))
        n_app = notifications.build_application(n_settings)
        service = notifications.build_service(n_settings, n_app, FakeClock())
        return cls(settings, projection, n_settings, service)

    def deliver(self, sent: Sequence[Sent]) -> None:
        """`sent` as a relay delivers it (again: new offsets), to whichever consumes it."""
        messages = [
            Inbound(
                topic=topic,
                partition=0,
                offset=self.offset + i,
                key=None,
                value=json.dumps(document).encode(),
                headers={"ssp-origin": "upstream", "ssp-notification-id": str(self.offset + i)},
            )
            for i, (topic, document) in enumerate(sent, start=1)
        ]
        self.offset += len(sent) + 1
        reporting_service = reporting.build_service(
            self.reporting_settings, self.projection.app, self.projection.views.engine
        )
        for table, service, settings in (
            (REPORTING, reporting_service, self.reporting_settings),
            (NOTIFICATIONS, self.notifications, self.notifications_settings),
        ):
            handle = table.batch_handler(service, settings)  # type: ignore[arg-type]
            handle([m for m in messages if m.topic in handle.by_topic])
        self.projection.catch_up()

    def reporting_rows(self) -> str:
        """Every row of every read model."""
        with self.projection.views.engine.connect() as conn:
            return repr(
                [sorted(map(repr, conn.execute(t.select()))) for t in tables.metadata.sorted_tables]
            )

    def letter_task_persons(self) -> set[str]:
        return {task.person_key for task in self.notifications.tasks("607", None)}

    def restart_notifications(self) -> None:
        """A new service on the same store: the task index rebuilt from it."""
        self.notifications = notifications.build_service(
            self.notifications_settings, self.notifications.app, FakeClock()
        )

    def close(self) -> None:
        self.projection.views.dispose()
        self.projection.app.close()
        self.notifications.app.close()
