"""eventsourcing on SQLite (embedded) or PostgreSQL, with tracking of processed upstream messages
recorded in the same transaction as the events a message caused."""

from shared.eventstore.aggregate import TracedAggregate
from shared.eventstore.application import ServiceApplication, store_env
from shared.eventstore.unit_of_work import UnitOfWork, UpstreamId

__all__ = ["ServiceApplication", "TracedAggregate", "UnitOfWork", "UpstreamId", "store_env"]
