"""Triage's ids (shared/eventstore/ids.py): aggregates by the journal number or person key
they belong to, and the decision and withdrawal ids it publishes."""

from __future__ import annotations

from functools import lru_cache
from uuid import UUID

from shared.eventstore.ids import IdSpace

AGGREGATE_IDS = IdSpace("urn:ssp:triage")
"""Aggregates by name (`incident:…`, `history:…`), and withdrawals (`withdrawal:…`)."""
DECISION_IDS = IdSpace("urn:ssp:triage:decisions")


@lru_cache(maxsize=8192)
def aggregate_id(name: str) -> UUID:
    """Remembered for the recent names: a batch asks for each id several times (to load the
    batch at once, in the use case, and eventsourcing again when it creates the aggregate)."""
    return AGGREGATE_IDS(name)
