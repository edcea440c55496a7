"""Creating an aggregate from its one creation event, as `TracedAggregate._create`
(eventsourcing's `Aggregate._create`) does, without its general work: the id is passed rather
than found by matching the event's fields to `create_id`'s parameters, and the arguments are
not copied and checked again. For aggregates created once per message (triage creates two per
incident); tests (tests/unit/triage/test_triage_created_events.py) hold the events and
aggregates to those `_create` makes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.utils import get_topic

from shared.eventstore import TracedAggregate
from shared.telemetry import current_trace_context

A = TypeVar("A", bound=TracedAggregate)


def create(
    aggregate_class: type[A],
    event_class: Any,
    originator_id: UUID,
    trace_context: Mapping[str, str] | None,
    **fields: Any,
) -> A:
    """`aggregate_class._create(event_class, **fields)` for an aggregate whose `create_id`
    gives `originator_id`; `trace_context` as `current_trace_context()` gives it now (asked
    for when None), copied so each event has its own."""
    created = event_class(
        originator_topic=get_topic(aggregate_class),
        originator_id=originator_id,
        originator_version=aggregate_class.INITIAL_VERSION,
        timestamp=event_class.create_timestamp(),
        trace_context=current_trace_context() if trace_context is None else dict(trace_context),
        **fields,
    )
    aggregate: A = created.mutate(None)
    aggregate.pending_events.append(created)
    return aggregate


def initialised(aggregate_class: type[A], created: Any, *init_args: Any) -> A:
    """What `CanInitAggregate.mutate` makes of the creation event `created`, with `__init__`'s
    arguments given rather than found by matching the event's fields to `__base_init__` and
    `__init__`'s parameters by signature, nor the class looked up by its topic. For a creation
    event's own `mutate`; each such event has a test holding it to the general path."""
    aggregate = aggregate_class.__new__(aggregate_class)
    aggregate.__base_init__(created.originator_id, created.originator_version, created.timestamp)
    aggregate.__init__(*init_args)  # type: ignore[misc]
    created.apply(aggregate)
    return aggregate
