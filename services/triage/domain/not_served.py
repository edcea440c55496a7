"""The persons of one municipality this deployment did not serve when their incident arrived
(issue 14, part 1): recorded pseudonymised, with the incident revision they were listed in, so
that `ssp reroute --municipality 575 --since DATE` can route them once the municipality is
served.

A police district covers several municipalities (001 l.244: "politikredsens 7 kommuner"; 003
l.274: "de 11 kommuner i Politikredsen"), and a deployment may serve only some of them: a
neighbour's resident in a local incident is recorded here, never dropped and never routed to an
owner who does not exist.

Each entry keeps the accepted incident (pseudonymised: codes, pseudonyms and times only) as of
the revision that listed the person; a later revision replaces it. Whether the person is still
not served in the incident's current revision is the incident's own record
(`IncidentTriage.not_served`), asked when rerouting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventsourcing.domain import event

from services.triage.domain.ids import aggregate_id
from shared.eventstore import TracedAggregate
from shared.eventstore.ids import keyed_id


@dataclass(frozen=True)
class NotServedEntry:
    journal_number: str
    revision: int
    person_key: str
    reported_at: datetime
    incident: dict[str, Any]
    """The `AcceptedIncident` revision that listed the person, as JSON data."""


class NotServedRegister(TracedAggregate):
    """The not-served persons of one municipality, by (journal number, person key)."""

    create_id = keyed_id(aggregate_id, "municipality_code", prefix="not-served")

    @event("Started")
    def __init__(self, municipality_code: str) -> None:
        self.municipality_code = municipality_code
        self.entries: dict[tuple[str, str], NotServedEntry] = {}
        self.rerouted: dict[tuple[str, str], int] = {}
        """(journal number, person key) -> the revision it was routed from."""

    def record(self, incident: dict[str, Any], person_key: str) -> bool:
        """The person was listed, not served, in this incident revision. False when that
        revision (or a later one) is recorded already."""
        key = (incident["journal_number"], person_key)
        known = self.entries.get(key)
        if known is not None and known.revision >= incident["revision"]:
            return False
        self._recorded(incident=incident, person_key=person_key)
        return True

    def pending(self, since: datetime) -> list[NotServedEntry]:
        """Entries reported at or after `since` not yet routed from their revision, oldest
        first."""
        return sorted(
            (
                entry
                for key, entry in self.entries.items()
                if entry.reported_at >= since and self.rerouted.get(key) != entry.revision
            ),
            key=lambda e: (e.reported_at, e.journal_number, e.person_key),
        )

    def mark_rerouted(self, entry: NotServedEntry) -> None:
        self._rerouted(
            journal_number=entry.journal_number,
            person_key=entry.person_key,
            revision=entry.revision,
        )

    @event("Recorded")
    def _recorded(self, incident: dict[str, Any], person_key: str) -> None:
        self.entries[(incident["journal_number"], person_key)] = NotServedEntry(
            journal_number=incident["journal_number"],
            revision=incident["revision"],
            person_key=person_key,
            reported_at=datetime.fromisoformat(incident["reported_at"]),
            incident=incident,
        )

    @event("Rerouted")
    def _rerouted(self, journal_number: str, person_key: str, revision: int) -> None:
        self.rerouted[(journal_number, person_key)] = revision
