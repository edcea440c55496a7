"""Courses' eventsourcing application: TRIVSEL+ courses, exit programmes, acute procedures and
TRIVSEL+ eligibility. It holds pseudonyms, codes, staff initials and the coordinators' free-text
notes (sealed under the person's and the record's keys, issue 18; never published); no CPR
numbers or names of the young people.

Exit programmes and TRIVSEL+ courses live for months or years (an exit programme adds a
meeting every month), so they are snapshotted every `SNAPSHOT_INTERVAL` events.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from eventsourcing.persistence import JSONTranscoder, Transcoding

from services.courses.domain.acute_procedure import AcuteProcedure
from services.courses.domain.exit_programme import ExitProgramme
from services.courses.domain.trivsel import TrivselCourse
from shared.eventstore import ServiceApplication

SNAPSHOT_INTERVAL = 50


class DateAsISO(Transcoding):
    """Review dates, meeting dates and the like are calendar dates, not instants."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class CoursesApplication(ServiceApplication):
    name = "courses"
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {
        TrivselCourse: SNAPSHOT_INTERVAL,
        ExitProgramme: SNAPSHOT_INTERVAL,
        AcuteProcedure: SNAPSHOT_INTERVAL,
    }

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())
