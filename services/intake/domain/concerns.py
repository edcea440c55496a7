"""A concern about a young person that does not come from the police (issue 15, part 5), as
intake keeps it: what is published (`registered`, pseudonymised: codes and dates) and what is
not (`confidential`: the reporter, the category and the free text). Intake's whole store is
encrypted at rest, so neither is readable in the stored bytes."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from eventsourcing.domain import event

from shared.eventstore import TracedAggregate
from shared.eventstore.ids import IdSpace, keyed_id

_IDS = IdSpace("urn:ssp:intake:concerns")
DANISH_TIME = ZoneInfo("Europe/Copenhagen")


def iso_week_of(moment: datetime) -> str:
    """The ISO week (Danish time) of `moment`, e.g. `2026-W49`: whose meeting it belongs to."""
    year, week, _ = moment.astimezone(DANISH_TIME).isocalendar()
    return f"{year}-W{week:02d}"


class ConcernRecord(TracedAggregate):
    """One concern, by its id: registered once (the same id again is a duplicate)."""

    class Registered(TracedAggregate.Created):
        concern_id: str
        registered: dict[str, Any]
        confidential: dict[str, Any]

    create_id = keyed_id(_IDS, "concern_id")

    @event(Registered)
    def __init__(
        self, concern_id: str, registered: dict[str, Any], confidential: dict[str, Any]
    ) -> None:
        """`registered` is the `ConcernRegistered` (JSON mode) published for triage and
        reporting; `confidential` (reporter, category, text) stays here."""
        self.concern_id = concern_id
        self.registered = registered
        self.confidential = confidential
